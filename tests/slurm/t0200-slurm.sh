#!/bin/sh
# serial: starts a Slurm cluster that claims more CPUs than the machine has
# smelt-run on a real single-node Slurm cluster (lib-slurm.sh starts and
# stops it): examples/rmfilter in 16 shards through a job array gives the
# same bytes as the local runner; a shard whose task is killed (kill -9) is
# rerun alone, and the server was asked again at most what was in flight at
# the kill (--concurrency 1: one); a preempted (requeued) task resumes from the
# cache and nothing is asked twice; a failing shard stops --then and names its log, and the rerun
# after the fix runs that shard and the merge only; 2,500 tiny shards
# complete under a MaxArraySize of 1001 (packed); more elements than
# MaxArraySize are split into several arrays.
#
# Skipped, with the reason, where Slurm cannot start (not root, packages
# missing) and under `make sanitize` (the cluster runs once, in make check;
# the local runner's tests run in both).
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/slurm/lib-slurm.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

# Where no cluster runs, what can still be checked: no cluster, no jobs,
# and a clear exit 1 (never a silent success).
no_cluster_case() {
	test_skip 'slurm cluster' "$1"
	test_case 'no reachable cluster: exit 1, nothing submitted, no output' '
		echo "{\"id\":\"a\"}" >in-0.jsonl &&
		SLURM_CONF=/nonexistent/slurm.conf test_status 1 smelt-run --runner slurm --wait \
			--in "in-*.jsonl" --out "o/c-{shard}.jsonl" -- smelt-cat {in} -o {out} 2>err &&
		grep "sbatch failed" err && test ! -e o/c-00000.jsonl
	'
	test_done
	exit
}
if [ "${SMELT_SANITIZE:-0}" = 1 ]; then
	no_cluster_case 'run once, by make check, not again under make sanitize'
fi
if ! start_cluster --max-array-size 1001 --cpus 64; then
	# CI must run these: there a cluster that does not start is a failure.
	if [ "${SMELT_REQUIRE_SLURM:-0}" = 1 ]; then
		test_case "the Slurm cluster starts (SMELT_REQUIRE_SLURM=1): $SLURM_SKIP" false
	fi
	no_cluster_case "$SLURM_SKIP"
fi

EX="$SMELT_TOP/examples/rmfilter"
R=$test_root

test_case 'rmfilter, 16 shards: a Slurm job array gives the local bytes' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$R/local" SHARDS=16 RUNNER=local >local.md 2>local.err &&
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$R/slurm" SHARDS=16 RUNNER=slurm >slurm.md 2>slurm.err &&
	grep "submitted 16 shards as 16 array elements" slurm.err &&
	for f in scored.jsonl.zst kept.jsonl.zst prf.md; do
		cmp "$R/local/$f" "$R/slurm/$f" || return 1
	done &&
	sed "s|$R/local/|OUT/|g" "$R/local/dropped.jsonl" >dropped.local &&
	sed "s|$R/slurm/|OUT/|g" "$R/slurm/dropped.jsonl" >dropped.slurm &&
	test_cmp dropped.local dropped.slurm &&
	test "$(zstd -dcq "$R/slurm/scored.jsonl.zst" | wc -l)" = 357 &&
	test_cmp local.md slurm.md &&
	grep -q "| per-source |" slurm.md
'

# The scored shards of the local build are the reference for the kill test.
sim_start --seed 1 --threads 2 --latency-ms 20
pooled() { curl -sS "$SIM_URL/metrics" | jq ".by_route[\"/pooling\"] // 0"; }
run_score() { # RUNNER CACHE SHELL-WORDS [smelt-run options]: score in/p-* into o-RUNNER/
	runner=$1 cache=$2 pre=$3
	shift 3
	smelt-run --runner "$runner" --wait -j 1 --max-running 1 "$@" --in "in/p-*" \
		--out "o-$runner/s-{shard}.jsonl.zst" \
		-- sh -c "$pre exec smelt-score -q --backend pooling --name rm --endpoint $SIM_URL/v1 \
		--model smelt-sim --image-root $R/local/images --cache $cache --concurrency 1 \
		--stop-grace 5 --stats o-$runner/st-{shard}.json {in} -o {out}"
}
# Wait until shard 1's command runs and the server has answered 110 requests
# since $before (shard 0 has about 90): shard 1 is half done.
shard1_midway() {
	n=0
	until [ -s pid-00001 ] && [ "$(pooled)" -ge $((before + 110)) ]; do
		n=$((n + 1)); [ $n -lt 600 ] || return 1; sleep 0.05
	done
}
test_case 'kill -9 of a running task: only that shard reruns, from the cache' '
	mkdir in && smelt-shard -q -n 4 --prefix in/p "$R/local/all.jsonl.zst" &&
	before=$(pooled) &&
	run_score local clean-cache "" 2>/dev/null &&
	clean=$(( $(pooled) - before )) && echo "$clean" >"$R/clean" && before=$(pooled) &&
	{ run_score slurm cache "echo \$\$ >pid-{shard};" 2>run1.err & } && pid=$! &&
	shard1_midway &&
	kill -9 "$(cat pid-00001)" &&
	test_status 1 wait $pid &&
	cat run1.err &&
	grep -q "shard 1 (in/p-00001-of-00004.jsonl.zst) failed: signal 9; log: o-slurm/logs/s-00001.jsonl.zst.log" run1.err &&
	test ! -e o-slurm/s-00001.jsonl.zst &&
	run_score slurm cache "" 2>run2.err &&
	grep "3 of 4 shards already done" run2.err &&
	grep "submitted 1 shard as 1 array element" run2.err &&
	jq -e ".llm.cache_hits > 0" o-slurm/st-00001.json >/dev/null &&
	for i in 0 1 2 3; do cmp o-local/s-0000$i.jsonl.zst o-slurm/s-0000$i.jsonl.zst || return 1; done &&
	cp -r o-local "$R/ref" &&
	asked=$(( $(pooled) - before )) &&
	echo "requests: clean run $clean, killed run + rerun $asked" &&
	test "$asked" -ge "$clean" && test "$asked" -le $((clean + 1))
'

# Preemption is a requeue: Slurm sends SIGTERM, the stage stops gracefully
# (its requests in flight answered and cached), the element goes back to
# the queue. Slurm holds a requeued job about two minutes before it may
# start again; the test lifts the hold (StartTime=now).
test_case '--requeue: a preempted task comes back and resumes, nothing asked twice' '
	mkdir in && smelt-shard -q -n 4 --prefix in/p "$R/local/all.jsonl.zst" &&
	clean=$(cat "$R/clean") && before=$(pooled) &&
	{ run_score slurm cache "echo \$\$ >pid-{shard};" --requeue 2>run.err & } && pid=$! &&
	shard1_midway &&
	job=$(sed -n "s/.* in job \([0-9]*\);.*/\1/p" run.err) && test -n "$job" &&
	scontrol requeue "${job}_1" &&
	n=0 && until squeue -h -r -j "${job}_1" -o %t | grep -q PD; do
		n=$((n + 1)); [ $n -lt 300 ] || return 1; sleep 0.1; done &&
	scontrol update JobId="${job}_1" StartTime=now &&
	wait $pid &&
	cat run.err &&
	test "$(grep -c "== smelt-run: shard 1 " o-slurm/logs/s-00001.jsonl.zst.log)" = 2 &&
	grep "stopped by SIGTERM" o-slurm/logs/s-00001.jsonl.zst.log &&
	jq -e ".llm.cache_hits > 0" o-slurm/st-00001.json >/dev/null &&
	for i in 0 1 2 3; do cmp "$R/ref/s-0000$i.jsonl.zst" o-slurm/s-0000$i.jsonl.zst || return 1; done &&
	asked=$(( $(pooled) - before )) &&
	echo "requests: clean run $clean, preempted run $asked" &&
	test "$asked" = "$clean"
'
sim_stop_all

run_cat() {
	smelt-run --runner slurm --wait --in "in-*.jsonl" --out "o/c-{shard}.jsonl.zst" \
		--partition "$SLURM_PARTITION" --time 5 --cpus-per-task 1 --mem 100M \
		--sbatch-arg=--comment=smelt-test \
		--then "smelt-merge -q o/c-*.jsonl.zst -o merged.jsonl.zst" \
		-- smelt-cat -q --strict {in} -o {out}
}
test_case 'a failing shard: --then cancelled, shard and log named; the fix reruns it alone' '
	for i in 0 1 2 3; do echo "{\"id\":\"r$i\",\"x\":$i}" >in-$i.jsonl; done &&
	echo "{\"id\":\"bad\",\"x\":" >>in-2.jsonl &&
	test_status 1 run_cat 2>err &&
	cat err &&
	grep "shard 2 (in-2.jsonl) failed: exit 1; log: o/logs/c-00002.jsonl.zst.log" err &&
	grep -- "--then did not run" err &&
	grep -q "in-2.jsonl:2" o/logs/c-00002.jsonl.zst.log &&
	test ! -e merged.jsonl.zst &&
	then_job=$(sed -n "s/.*then job \([0-9]*\).*/\1/p" err) && test -n "$then_job" &&
	test -z "$(squeue -h -j "$then_job" 2>/dev/null)" &&
	sed -i "\$d" in-2.jsonl &&
	run_cat 2>err2 &&
	cat err2 &&
	grep "3 of 4 shards already done" err2 &&
	grep "submitted 1 shard as 1 array element" err2 &&
	test "$(zstd -dcq merged.jsonl.zst | jq -r .id | sort | tr "\n" " ")" = "r0 r1 r2 r3 " &&
	for l in "--partition=$SLURM_PARTITION" --time=5 --cpus-per-task=1 --mem=100M; do
		grep -qx -- "#SBATCH $l" o/logs/c-N.jsonl.zst.sbatch || return 1
	done
'

test_case '2,500 tiny shards, MaxArraySize 1001, packed 10 per task' '
	scontrol show config | grep -q "MaxArraySize *= 1001" &&
	mkdir in && (cd in && seq -w 1 2500 | xargs -n 500 touch) &&
	for f in in/*; do echo "${f#in/}" >"$f"; done &&
	smelt-run --runner slurm --wait --tasks-per-job 10 --in "in/*" --out "o/t-{shard}" \
		--then "cat o/t-* >all" -- cp {in} {out} 2>err &&
	tail -2 err &&
	grep "submitted 2500 shards as 250 array elements (10 per task) in job [0-9]*," err &&
	test "$(ls o | grep -c "^t-")" = 2500 &&
	seq -w 1 2500 >want && test_cmp want all &&
	smelt-run --runner slurm --wait --in "in/*" --out "o/t-{shard}" -- cp {in} {out} 2>err &&
	grep "all 2500 shards done; nothing to submit" err
'

# Last: it lowers the cluster's MaxArraySize.
test_case 'more elements than MaxArraySize: split into arrays; --force without --wait prints the ids' '
	sed -i "s/^MaxArraySize=.*/MaxArraySize=5/" "$SLURM_CONF" && scontrol reconfigure &&
	n=0 && until scontrol show config | grep -q "MaxArraySize *= 5\$"; do
		n=$((n + 1)); [ $n -lt 100 ] || return 1; sleep 0.1; done &&
	for i in $(seq 10 21); do echo $i >in-$i; done &&
	smelt-run --runner slurm --wait --max-running 4 --in "in-*" --out "o/t-{shard}" \
		--then "cat o/t-* >all" -- cp {in} {out} 2>err &&
	tail -2 err &&
	grep "submitted 12 shards as 12 array elements (1 per task) in jobs [0-9]* [0-9]* [0-9]*," err &&
	seq 10 21 >want && test_cmp want all &&
	smelt-run -q --runner slurm --force --in "in-*" --out "o/t-{shard}" \
		-- sh -c "echo x\$(cat {in}) >{out}" >ids &&
	test "$(wc -w <ids)" = 3 &&
	n=0 && while [ -n "$(squeue -h -j "$(tr " " , <ids)" 2>/dev/null)" ]; do
		n=$((n + 1)); [ $n -lt 300 ] || return 1; sleep 0.2; done &&
	cat o/t-* >all && sed "s/^/x/" want >want.x && test_cmp want.x all
'

test_done
