#!/bin/sh
# examples/visualprm end to end against its own smelt-sim: problems with
# images from a tar shard -> solutions -> MC labels -> VisualPRM400K (and
# the raw and Math-Shepherd forms); the simulator is stopped afterwards,
# an up-to-date build starts nothing, a new mode relabels from the cache;
# `make prm` scores the solutions with smelt-sim playing a PRM.
. "$(dirname "$0")/../lib.sh"

EX="$SMELT_TOP/examples/visualprm"
command -v python3 >/dev/null || { test_skip example "python3 is needed to draw the images"; test_done; exit 0; }

build() { make --no-print-directory -C "$EX" BIN="$SMELT_BIN" OUT="$test_root/out" N=5 K=2 "$@"; }
O=$test_root/out

test_case 'problems -> solutions -> labels -> VisualPRM400K, images from the shard' '
	build >log 2>&1 || { cat log; false; } &&
	tar -tf $O/shard.tar | sort >members &&
	printf "img-%03d.png\n" 0 1 2 3 4 >want && test_cmp want members &&
	test "$(zstd -dc $O/labels.jsonl.zst | wc -l)" = 10 &&
	zstd -dc $O/visualprm400k.jsonl.zst >vp.jsonl &&
	test "$(wc -l <vp.jsonl)" = 10 &&
	validate $SMELT_TOP/schemas/visualprm400k.schema.json vp.jsonl &&
	jq -r .image vp.jsonl | sort -u >imgs && test "$(wc -l <imgs)" = 5 &&
	grep -qx "tar:shard.tar#img-004.png" imgs &&
	jq -e ".conversations[1].value | startswith(\"### Question:\n<image>\n\")" vp.jsonl >/dev/null &&
	zstd -dc $O/labels.jsonl.zst >labels.jsonl &&
	validate $SMELT_TOP/schemas/mc-labels.schema.json labels.jsonl &&
	zstd -dc $O/prm-raw.jsonl.zst >raw.jsonl && validate $SMELT_TOP/schemas/prm-raw.schema.json raw.jsonl &&
	zstd -dc $O/math-shepherd.jsonl.zst >ms.jsonl && validate $SMELT_TOP/schemas/math-shepherd.schema.json ms.jsonl &&
	for f in solutions labels export; do test ! -s $O/$f.rejects.jsonl || exit 1; done &&
	test "$(grep -c . $O/plan.json)" = 4
'

test_case 'the server saw every request the cache did not answer; a cached replay reads the shard' '
	asked() { jq ".llm.submitted - .llm.cache_hits" "$1"; } &&
	test "$(jq .requests_total $O/sim.metrics.json)" = \
		"$(( $(asked $O/solutions.stats.json) + $(asked $O/labels.stats.json) ))" &&
	planned=$(( $(jq .mc.generations $O/labels.stats.json) + 10 )) &&
	served=$(jq .generations_total $O/sim.metrics.json) &&
	echo "planned $planned generations, the server made $served" &&
	test "$served" -le "$planned" &&
	{ test "$(jq .llm.cache_hits $O/labels.stats.json)" != 0 || test "$served" = "$planned"; } &&
	smelt-gen --model smelt-sim --endpoint http://127.0.0.1:1/v1 --prompt $SMELT_TOP/prompts/visualprm/en/final_answer.prompt \
		--into r --image-root $O --cache $O/cache --cache-mode ro --seed 1 --samples 2 --explode --plain -q \
		$O/problems.jsonl >again.jsonl &&
	test "$(wc -l <again.jsonl)" = 10
'

test_case 'the private simulator is stopped' '
	port=$(sed -n "1s/^port //p" $O/sim.out) && test -n "$port" &&
	! curl -s --max-time 2 "http://127.0.0.1:$port/health" >/dev/null
'

test_case 'an up-to-date build starts nothing; MODE=full relabels the same way' '
	build >log 2>&1 && grep -q "is up to date" log &&
	cp $O/labels.jsonl.zst exact.zst &&
	build MODE=full >log 2>&1 || { cat log; false; } &&
	zstd -dc exact.zst | jq -c .labels >a && zstd -dc $O/labels.jsonl.zst | jq -c .labels >b &&
	test_cmp a b &&
	test "$(zstd -dc $O/labels.jsonl.zst | jq -r .mc.mode | sort -u)" = full
'

test_case 'make prm: PRM step scores -> step F1 against the MC labels and Best-of-N' '
	build prm >log 2>&1 || { cat log; false; } &&
	zstd -dc $O/prm-scored.jsonl.zst >scored.jsonl &&
	test "$(wc -l <scored.jsonl)" = 10 &&
	jq_all() { jq -se "length > 0 and (map($1) | all)" scored.jsonl >/dev/null; } &&
	jq_all "(.step_scores | length) == (.labels | length) and (.step_scores | all(. >= 0 and . <= 1))" &&
	jq -e ".overall.solutions == 10 and (.overall.macro_f1 | type) == \"number\"" $O/prm-eval.json &&
	jq -e ".bon.questions == 5 and .bon.accuracy >= .bon.first_accuracy" $O/bon.stats.json &&
	test ! -s $O/prm-scored.rejects.jsonl &&
	build prm >log 2>&1 && grep -q "is up to date" log
'

test_done
