# examples/shard.mk — a per-record step of an example run shard by shard:
# split its input (smelt-shard), run the step on every shard through
# smelt-run, locally or as a Slurm job array, and merge (smelt-merge).
# Included after sim.mk:
#
#   include $(TOP)/examples/shard.mk
#   $(OUT)/scored.jsonl.zst: $(OUT)/all.jsonl.zst
#   	$(call sharded,$<,$@,$(BIN)/smelt-score ... --rejects $(call side,score-rejects.jsonl) {in} -o {out},score-rejects.jsonl)
#
# $(call sharded,IN,OUT,CMD[,SIDES]) is the step's recipe. CMD reads {in}
# and writes {out}; $(call side,NAME) names a side file of the step (a
# --rejects or --stats file). SIDES lists side files to gather after the
# merge into OUT's directory under their own NAME: JSON Lines (rejects) are
# concatenated in shard order, a NAME ending in .stats.json is merged with
# smelt-stats-merge (counts summed, quantiles dropped with a note), so a
# report reading it counts what one process would have.
# (CMD may not hold a literal comma: put such options in a variable.)
#
#   SHARDS=1 (default)   CMD runs once on IN, writing OUT; sides are OUT's
#                        siblings. Nothing is split.
#   SHARDS=N             IN is split into N by id (the same record always lands
#                        in the same shard) under $(OUT)/shards-N/, CMD runs
#                        per shard, the outputs are merged in shard order into
#                        OUT. The shards are kept until IN changes, so a make
#                        that failed or was killed reruns only the shards that
#                        did not finish.
#   RUNNER=local|slurm   how smelt-run runs the shards (-j: RUN_OPTS="-j 4")
#   SLURM_ARGS="..."     smelt-run's Slurm options: --partition gpu --gres gpu:1
#                        --time 1:00:00 --max-running 8 --requeue ...
#   RUN="srun --quiet"   a prefix for whole-dataset steps that name it ($(RUN)
#                        smelt-filter ...): each runs as one blocking job
#
# The merged OUT is the same bytes whatever RUNNER (and whatever -j): each
# shard's output depends on the shard alone.
SHARDS     ?= 1
RUNNER     ?= local
SLURM_ARGS ?=
RUN_OPTS   ?=
RUN        ?=
SHARD_DIR   = $(OUT)/shards-$(SHARDS)

ifeq ($(filter local slurm,$(RUNNER)),)
$(error RUNNER=$(RUNNER): want local or slurm)
endif

run_opts = --runner $(RUNNER) --wait $(RUN_OPTS) $(if $(filter slurm,$(RUNNER)),$(SLURM_ARGS))

ifeq ($(SHARDS),1)
side = $(dir $@)$(1)
sharded = $(subst {in},$(1),$(subst {out},$(2),$(3)))
else
# The shard's side files live with its output: a new split removes both.
# (@SIDE@, not $@: in a grouped target $@ is whichever target asked.)
side = @SIDE@/$(basename $(1))-{shard}$(suffix $(1))
gather = $(if $(filter %.stats.json,$(1)),\
	$(BIN)/smelt-stats-merge -q $$d.out/$(basename $(1))-*$(suffix $(1)) -o $(dir $(2))$(1),\
	for f in $$d.out/$(basename $(1))-*$(suffix $(1)); do \
		if [ -f "$$f" ]; then cat "$$f"; fi; done >$(dir $(2))$(1).tmp && \
	mv -f $(dir $(2))$(1).tmp $(dir $(2))$(1))
sharded = d=$(SHARD_DIR)/$(notdir $(2)) && \
	if [ ! -f $$d.in/.done ] || [ $(1) -nt $$d.in/.done ]; then \
		rm -rf $$d.in $$d.out && mkdir -p $$d.in && \
		$(BIN)/smelt-shard -q -n $(SHARDS) --prefix $$d.in/part $(1) && touch $$d.in/.done; \
	fi && \
	$(BIN)/smelt-run $(run_opts) --in "$$d.in/part-*" --out "$$d.out/part-{shard}.jsonl.zst" \
		-- $(subst @SIDE@,$$d.out,$(3)) && \
	$(BIN)/smelt-merge -q $$d.out/part-*.jsonl.zst -o $(2) \
	$(foreach s,$(4),&& $(call gather,$(s),$(2)))
endif
