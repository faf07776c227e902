#!/bin/sh
# Example pools: every task type of both languages has a pool of at least
# ten distinct questions; smelt-tree sample --examples K draws K per
# record from the record's task pool, seeded by the run's seed and the
# record's id — the same seed gives the same draw, records of one task get
# different examples, and the draw leaves the sampled paths alone.
. "$(dirname "$0")/../lib.sh"
KT="$SMELT_TOP/knowledge_tree"
P="$SMELT_TOP/prompts/condor"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

test_case 'en and zh: a pool of >= 10 distinct questions for every task type' '
	for l in en zh; do
		jq -e --slurpfile t "$KT/tasks.$l.json" \
			"(.lang == \"$l\") and ([\$t[0].tasks[].id] - (.pools | keys) == []) and
			 (.pools | to_entries | all(.value | length >= 10 and (unique | length) == length))" \
			"$P/$l/examples.json" >/dev/null || { echo "pools of $l"; exit 1; }
	done
'

# sample SEED K [more options]: 40 records of two task types, as JSONL.
sample() {
	s=$1 k=$2
	shift 2
	smelt-tree sample "$KT/en.json" --lang en -n 40 --seed "$s" --only-tasks view,creation \
		--examples "$k" --plain "$@"
}

test_case 'K examples per record, from its task pool; same seed, same draw' '
	sample 7 3 >a.jsonl && sample 7 3 >b.jsonl &&
	cmp a.jsonl b.jsonl &&
	jq -e "(.examples | length) == 3 and (.examples | unique | length) == 3" a.jsonl >/dev/null &&
	jq -se --slurpfile p "$P/en/examples.json" \
		"all(.[]; . as \$r | (if \$r.task == \"View\" then \$p[0].pools.view else \$p[0].pools.creation end) as \$pool |
		     \$r.examples | all(. as \$e | \$pool | index(\$e)))" a.jsonl >/dev/null
'

test_case 'two records of the same task get different examples; another seed draws others' '
	sample 7 3 >a.jsonl &&
	jq -c "select(.task == \"View\") | .examples" a.jsonl >view.txt &&
	test "$(wc -l <view.txt)" -ge 2 &&
	test "$(sort -u view.txt | wc -l)" -ge 2 &&
	test "$(head -1 view.txt)" != "$(sed -n 2p view.txt)" &&
	sample 8 3 >c.jsonl &&
	! cmp -s a.jsonl c.jsonl
'

test_case 'the draw is per record: K does not move the sampled paths, and 2 examples are the first 2 of 5' '
	sample 7 5 >five.jsonl && sample 7 2 >two.jsonl &&
	test "$(jq -c "[.id, .path, .task]" five.jsonl)" = "$(jq -c "[.id, .path, .task]" two.jsonl)" &&
	test "$(jq -c ".examples[:2]" five.jsonl)" = "$(jq -c ".examples" two.jsonl)" &&
	jq -s "map(.examples) | flatten | unique | length" five.jsonl >n && test "$(cat n)" -gt 10
'

test_case 'without --examples: the task file examples, all of them (as before)' '
	smelt-tree sample "$KT/en.json" --lang en -n 5 --seed 7 --plain >d.jsonl &&
	jq -e --slurpfile t "$KT/tasks.en.json" ". as \$r | \$t[0].tasks[] | select(.name == \$r.task) | .examples == \$r.examples" d.jsonl >/dev/null
'

test_case 'zh pools; --pool FILE; a bad pool is an error naming it' '
	smelt-tree sample "$KT/zh.json" --lang zh -n 5 --seed 1 --examples 2 --plain >z.jsonl &&
	jq -e "(.examples | length) == 2 and (.examples[0] | test(\"[\\\\x{4e00}-\\\\x{9fff}]\"))" z.jsonl >/dev/null &&
	echo "{\"lang\": \"en\", \"pools\": {\"view\": [\"Only one?\"]}}" >one.json &&
	smelt-tree sample "$KT/en.json" --lang en -n 3 --seed 1 --only-tasks view --examples 2 --pool one.json --plain >o.jsonl &&
	jq -e ".examples == [\"Only one?\"]" o.jsonl >/dev/null &&
	echo "{\"lang\": \"en\", \"pools\": {\"view\": [\"a?\", \"a?\"]}}" >dup.json &&
	test_status 1 smelt-tree sample "$KT/en.json" -n 3 --examples 2 --pool dup.json 2>e &&
	grep -q "repeats" e && grep -q dup.json e
'
test_done
