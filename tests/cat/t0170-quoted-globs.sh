#!/bin/sh
# Quoted globs as input operands (HF shards: 'data/train-*.parquet'): the
# stage expands an operand that names no file but holds * ? [ into the files
# it matches, sorted; a pattern matching nothing is the usual "cannot open"
# naming it; a file whose name holds glob characters is read as itself.
. "$(dirname "$0")/../lib.sh"

# Three shards written out of order, so the sort is what orders them.
shards() {
	mkdir -p data &&
	echo '{"id":"c","n":3}' >data/train-00002-of-00003.jsonl &&
	echo '{"id":"a","n":1}' >data/train-00000-of-00003.jsonl &&
	echo '{"id":"b","n":2}' >data/train-00001-of-00003.jsonl &&
	echo '{"id":"x","n":9}' >data/test-00000-of-00001.jsonl
}

test_case "smelt-cat 'data/train-*' reads the matching shards in sorted order" "
	shards &&
	smelt-cat --plain -q 'data/train-*.jsonl' >out.jsonl &&
	jq -r .id out.jsonl | tr -d '\n' >got && printf abc >want && test_cmp want got
"

test_case '? and [ ] too, next to plain operands and stdin' "
	shards &&
	echo '{\"id\":\"s\",\"n\":0}' | smelt-cat --plain -q 'data/train-0000[02]-of-?????.jsonl' - data/test-00000-of-00001.jsonl >out.jsonl &&
	jq -r .id out.jsonl | tr -d '\n' >got && printf acsx >want && test_cmp want got
"

test_case 'a pattern matching nothing: exit 1, cannot open naming the pattern' "
	shards &&
	test_status 1 smelt-cat --plain -q 'data/valid-*.jsonl' >out 2>err &&
	grep -q \"cannot open 'data/valid-\\*.jsonl'\" err
"

test_case 'a file named with glob characters is read as itself, not as a pattern' "
	shards &&
	echo '{\"id\":\"star\",\"n\":7}' >'data/train-*.jsonl' &&
	smelt-cat --plain -q 'data/train-*.jsonl' >out.jsonl &&
	jq -r .id out.jsonl >got && echo star >want && test_cmp want got
"

test_case 'every stage: smelt-filter and smelt-stats take the glob; --stats lists the files' "
	shards &&
	smelt-filter --plain -q --score n --min 2 --rejects rej.jsonl 'data/train-*.jsonl' >kept.jsonl &&
	test \$(wc -l <kept.jsonl) -eq 2 && test \$(wc -l <rej.jsonl) -eq 1 &&
	smelt-stats -q 'data/train-*.jsonl' -o st.json &&
	jq -c .inputs st.json >got &&
	echo '[\"data/train-00000-of-00003.jsonl\",\"data/train-00001-of-00003.jsonl\",\"data/train-00002-of-00003.jsonl\"]' >want &&
	test_cmp want got
"

test_case 'the same-file guard sees the expanded names' "
	shards &&
	test_status 2 smelt-cat -q 'data/train-0000[1]-*.jsonl' -o data/train-00001-of-00003.jsonl 2>err &&
	grep -q 'train-00001-of-00003.jsonl' err
"

test_done
