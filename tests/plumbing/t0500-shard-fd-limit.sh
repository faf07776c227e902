#!/bin/sh
# t0500-shard-fd-limit.sh — smelt-shard keeps N files open: it checks the
# open-file limit before creating any (raising the soft limit when the hard
# one allows), and a run that fails leaves no shards behind. Before this,
# -n 30000 under a 20,000 limit died after creating 19,995 files and left
# them all.
. "$(dirname "$0")/../lib.sh"

records() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":\"r%d\",\"text\":\"t%d\"}\n", i, i }'; }
# Shard files in the current directory (none is "").
shards() { ls | grep -E "^p-[0-9]{5}-of-" || true; }

test_case 'a limit that cannot hold N shards: clear message, no file created' '
	records 50 >in.jsonl &&
	(ulimit -n 64 && test_status 1 smelt-shard -n 200 --prefix p --rejects rej.jsonl in.jsonl) 2>err &&
	grep -q "fatal: -n 200 needs 216 open files but the limit is 64 (hard limit 64)" err &&
	grep -q "ulimit -n" err &&
	test -z "$(shards)" && test ! -e rej.jsonl
'

hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 300 ]; then
	test_case 'a soft limit below N is raised to fit and every shard is written' '
		records 1000 >in.jsonl &&
		(ulimit -Sn 64 && smelt-shard -q -n 200 --prefix p in.jsonl) &&
		test "$(shards | wc -l)" -eq 200 &&
		cat_any p-*.jsonl.zst | LC_ALL=C sort >got && LC_ALL=C sort in.jsonl >want &&
		test_cmp want got
	'
else
	test_skip 'a soft limit below N is raised' "the hard open-file limit is $hard"
fi

test_case 'a shard that cannot be created removes the ones before it' '
	records 50 >in.jsonl &&
	mkdir p-00005-of-00010.jsonl.zst &&
	test_status 1 smelt-shard -n 10 --prefix p in.jsonl 2>err &&
	grep -q "cannot create .p-00005-of-00010.jsonl.zst." err &&
	shards >left && echo p-00005-of-00010.jsonl.zst >want && test_cmp want left
'

test_case 'a run stopped by --strict removes every shard' '
	{ records 20; echo "{\"text\":\"no id\"}"; records 20; } >in.jsonl &&
	test_status 1 smelt-shard --strict -n 4 --plain --prefix p in.jsonl 2>err &&
	test -z "$(shards)"
'

test_case 'records rejected without a sink (exit 3) keep the finished shards' '
	{ records 20; echo "{\"text\":\"no id\"}"; } >in.jsonl &&
	test_status 3 smelt-shard -n 4 --plain --prefix p in.jsonl 2>err &&
	test "$(shards | wc -l)" -eq 4 && test "$(cat p-* | wc -l)" -eq 20
'

test_done
