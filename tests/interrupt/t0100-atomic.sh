#!/bin/sh
# Outputs are whole or absent: a stage stopped by a signal (or kill -9)
# leaves nothing at the final names (or their previous content), a failed
# run (exit 1) commits nothing, and an output that is an input or another
# output is refused (exit 2) before anything is written.
. "$(dirname "$0")/../lib.sh"

good() { awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"r%d\",\"text\":\"record %d\"}\n", i, i }'; }

# feed_and_kill SIGNAL CMD...: run CMD reading a FIFO that gets 500 records
# and then stays open, so the stage is mid-run; kill it with SIGNAL and
# print its exit status. (A background job of a script ignores SIGINT, and
# a stage keeps an ignored signal ignored: env gives it back.)
feed_and_kill() {
	sig=$1
	shift
	rm -f fifo
	mkfifo fifo
	env --default-signal=INT "$@" fifo 2>err &
	fk_pid=$!
	exec 3>fifo
	good 500 >&3
	sleep 0.5
	kill -"$sig" $fk_pid
	wait $fk_pid
	fk_status=$?
	exec 3>&-
	echo $fk_status
}

# no_temporaries: nothing but the names given is left in the directory.
no_temporaries() {
	if ls -A | grep -q "\.tmp-"; then
		echo "temporaries left:"; ls -A; return 1
	fi
}

test_case 'SIGTERM mid-run: exit 143, no output, no temporary' '
	test "$(feed_and_kill TERM smelt-cat --rejects rej.jsonl --stats st.json -o out.jsonl.zst)" = 143 &&
	grep -q "stopped by SIGTERM" err &&
	test ! -e out.jsonl.zst && test ! -e rej.jsonl && test ! -e st.json &&
	no_temporaries
'

test_case 'SIGINT and SIGHUP: 130 and 129' '
	test "$(feed_and_kill INT smelt-cat -o out.jsonl)" = 130 &&
	test "$(feed_and_kill HUP smelt-cat -o out.jsonl)" = 129 &&
	test ! -e out.jsonl && no_temporaries
'

test_case 'kill -9 mid-run: the previous complete output stays' '
	good 3 >small.jsonl &&
	smelt-cat small.jsonl -o out.jsonl.zst --stats st.json &&
	cp out.jsonl.zst before.zst && cp st.json before.json &&
	feed_and_kill 9 smelt-cat -o out.jsonl.zst --stats st.json >/dev/null &&
	cmp before.zst out.jsonl.zst && cmp before.json st.json &&
	test "$(smelt-cat --plain out.jsonl.zst | wc -l)" = 3 &&
	feed_and_kill TERM smelt-cat -o out.jsonl.zst --stats st.json >/dev/null &&
	cmp before.zst out.jsonl.zst && cmp before.json st.json
'

test_case 'smelt-shard and smelt-merge interrupted leave no final-named file' '
	test "$(feed_and_kill TERM smelt-shard -n 3 --prefix part)" = 143 &&
	test -z "$(ls -A | grep part)" &&
	good 10 >a.jsonl &&
	test "$(feed_and_kill TERM smelt-merge a.jsonl -o m.jsonl.zst)" = 143 &&
	test ! -e m.jsonl.zst && no_temporaries
'

test_case 'a fatal error commits nothing, not even --stats; exit 3 commits' '
	good 20000 >all.jsonl && zstd -q -c all.jsonl >all.zst &&
	size=$(wc -c <all.zst) && head -c $((size / 2)) all.zst >cut.zst &&
	test_status 1 smelt-cat --strict cut.zst -o out.jsonl --stats st.json 2>err &&
	test ! -e out.jsonl && test ! -e st.json && no_temporaries &&
	: "exit 3 (rejects without a sink) commits: the records written are complete" &&
	{ good 2; echo "{oops"; } >in.jsonl &&
	test_status 3 smelt-cat in.jsonl --plain -o out.jsonl --stats st.json 2>err &&
	test "$(wc -l <out.jsonl)" = 2 && jq -e ".records_rejected == 1" st.json
'

test_case '-o naming the input is refused and the input kept' '
	good 5 >same.jsonl && cp same.jsonl keep &&
	test_status 2 smelt-cat --plain same.jsonl -o same.jsonl 2>err &&
	grep -q "is the same file as the input" err &&
	cmp keep same.jsonl
'

test_case '--rejects naming -o is refused, existing or not' '
	good 5 >in.jsonl &&
	test_status 2 smelt-cat --plain in.jsonl --rejects x.jsonl -o x.jsonl 2>err &&
	grep -q "rejects .x.jsonl. is the same file as -o" err && test ! -e x.jsonl &&
	good 1 >x.jsonl && cp x.jsonl keep &&
	test_status 2 smelt-cat --plain in.jsonl --rejects x.jsonl -o ./x.jsonl 2>err &&
	cmp keep x.jsonl &&
	test_status 2 smelt-cat --plain in.jsonl --stats s.json -o ../$(basename "$PWD")/s.json 2>err &&
	test ! -e s.json
'

test_case 'a hard link or a symbolic link to the input is the input; a link as -o' '
	good 5 >in.jsonl && cp in.jsonl keep &&
	ln in.jsonl hard.jsonl && ln -s in.jsonl sym.jsonl && mkdir d && ln -s ../in.jsonl d/up.jsonl &&
	test_status 2 smelt-cat --plain in.jsonl -o hard.jsonl 2>err &&
	test_status 2 smelt-cat --plain sym.jsonl -o in.jsonl 2>err &&
	test_status 2 smelt-cat --plain in.jsonl --rejects d/up.jsonl 2>err &&
	cmp keep in.jsonl &&
	smelt-cat in.jsonl -o part-00000-of-00001.jsonl.zst && ln -s part-00000-of-00001.jsonl.zst p.zst &&
	cp part-00000-of-00001.jsonl.zst keep.zst &&
	test_status 2 smelt-shard -n 1 --prefix part p.zst 2>err &&
	cmp keep.zst part-00000-of-00001.jsonl.zst &&
	: "writing through a symbolic link replaces its target; /dev/null twice is fine" &&
	echo old >target.jsonl && ln -s target.jsonl link.jsonl &&
	smelt-cat --plain in.jsonl -o link.jsonl &&
	test -L link.jsonl && cmp in.jsonl target.jsonl &&
	smelt-cat in.jsonl -o /dev/null --rejects /dev/null --stats /dev/null
'

test_case 'reports are outputs too: smelt-stats --html, smelt-filter --report' '
	good 5 >in.jsonl && cp in.jsonl keep &&
	test_status 2 smelt-stats in.jsonl --html in.jsonl -o s.json 2>err &&
	test_status 2 smelt-stats in.jsonl --html s.json -o s.json 2>err &&
	test_status 2 smelt-filter --score text --report in.jsonl in.jsonl -o f.jsonl 2>err &&
	grep -q "report .in.jsonl. is the same file as the input" err &&
	cmp keep in.jsonl
'

test_done
