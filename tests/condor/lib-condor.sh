# tests/condor/lib-condor.sh — run examples/condor and check what it wrote.
# Source after tests/lib.sh.
S="$SMELT_TOP/schemas"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

# The builds run for seconds: use a snapshot of the binaries, so that a
# rebuild of bin/ meanwhile cannot swap a program under a running build.
condor_snapshot() {
	mkdir -p "$test_root/bin" &&
	cp "$SMELT_BIN"/smelt-* "$test_root/bin/" &&
	for cs in "$test_root"/bin/smelt-*; do "$cs" --version >/dev/null 2>&1 || return 1; done
}
cs_try=0
until condor_snapshot; do
	cs_try=$((cs_try + 1))
	[ "$cs_try" -lt 10 ] || { echo "# cannot copy working binaries from $SMELT_BIN" >&2; exit 1; }
	sleep 2
done
SMELT_BIN="$test_root/bin"
PATH="$SMELT_BIN:$PATH"

# condor_make OUT [VAR=VALUE...]: build the example into OUT (absolute).
condor_make() {
	cm_out=$1
	shift
	make --no-print-directory -C "$SMELT_TOP/examples/condor" BIN="$SMELT_BIN" OUT="$cm_out" "$@"
}

# chat_requests OUT: chat completions the build's simulator answered.
chat_requests() {
	jq '.by_route["/v1/chat/completions"]' "$1/sim.metrics.json"
}

# condor_validate OUT: every file the build wrote against its schema.
condor_validate() {
	o=$1
	validate "$S/tree-sample.schema.json" "$o/pairs.jsonl.zst" "$o/questions.raw.jsonl.zst" &&
	validate "$S/condor-question.schema.json" "$o/questions.shaped.jsonl.zst" "$o/questions.jsonl.zst" &&
	validate "$S/condor-answer.schema.json" "$o/answers.jsonl.zst" "$o/critiques.jsonl.zst" "$o/refined.jsonl.zst" &&
	validate "$S/condor-sft.schema.json" "$o/sft_v.jsonl.zst" "$o/sft_r.jsonl.zst" &&
	validate "$S/conversation.schema.json" "$o/sft_v.jsonl.zst" "$o/sft_r.jsonl.zst" &&
	validate "$S/condor-dpo.schema.json" "$o/dpo.jsonl.zst" &&
	validate "$S/dpo.schema.json" "$o/dpo.jsonl.zst" &&
	validate "$S/condor-report.schema.json" "$o/counts.json" &&
	validate "$S/stats.schema.json" "$o/dataset.stats.json" &&
	for cv in "$o"/*.stats.json; do
		case "$cv" in */dataset.stats.json|*/tree.stats.json) continue ;; esac
		validate "$S/stage-stats.schema.json" "$cv" || return 1
	done &&
	for cv in "$o"/*.rejects.jsonl; do
		[ -s "$cv" ] || continue
		validate "$S/reject.schema.json" "$cv" || return 1
	done
}

# condor_counts_add_up OUT: each step takes what the step before gave, and
# every record it took is written, rejected, or counted as not a pair; the
# length step (smelt-condor questions) takes whole replies and writes or
# rejects every question found in them (questions_in).
condor_counts_add_up() {
	jq -e '
		(.steps | map({(.step): .}) | add) as $s |
		def out(k): $s[k].records_out;
		def balanced(k): $s[k].records_in == $s[k].records_out + $s[k].records_rejected + ($s[k].figures.unrefined // 0);
		$s.questions.records_in == out("sample") and
		$s.length.records_in == out("questions") and
		$s.length.figures.replies == $s.length.records_in and
		$s.length.records_out + $s.length.records_rejected == $s.length.figures.questions_in and
		$s.dedup.records_in == out("length") and
		$s.answers.records_in == out("dedup") and
		$s.critiques.records_in == out("answers") and
		$s.refine.records_in == out("critiques") and
		$s.sft_v.records_in == out("answers") and
		$s.sft_r.records_in == out("refine") and
		$s.dpo.records_in == out("refine") and
		([ "questions", "dedup", "answers", "critiques", "refine", "sft_v", "sft_r", "dpo" ] | all(balanced(.))) and
		$s.dpo.records_out == $s.refine.figures["refine.refined"]' "$1/counts.json" >/dev/null
}

# condor_pairs_accounted OUT: every sampled pair gave questions or is a
# reject of the question step carrying the raw reply — never both.
condor_pairs_accounted() {
	o=$1
	cat_any "$o/pairs.jsonl.zst" | jq -r .id | sort >pairs.txt &&
	cat_any "$o/questions.raw.jsonl.zst" | jq -r '.id | sub("-[0-9]+$"; "")' | sort -u >asked.txt &&
	{ [ ! -s "$o/questions.rejects.jsonl" ] ||
	  jq -e '(.raw_reply // "" | length) > 0 or .error.kind != "parse_error"' "$o/questions.rejects.jsonl" >/dev/null; } &&
	jq -r .id "$o/questions.rejects.jsonl" | sort >lost.txt &&
	test -z "$(comm -12 asked.txt lost.txt)" &&
	sort -m asked.txt lost.txt >both.txt &&
	test_cmp pairs.txt both.txt
}
