#!/bin/sh
# smelt-run's local runner: the environment and placeholders a command
# sees, rename on success only, reruns that skip finished shards and redo
# failed ones, --force, --then, the sweep of a killed task's temporaries.
. "$(dirname "$0")/../lib.sh"

# three inputs, one line each
inputs='for i in 1 2 3; do echo "line $i" >in-$i.txt; done'

test_case 'the command sees SMELT_* and {in} {out} {shard}' '
	eval "$inputs" &&
	smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c \
		"echo \"\$SMELT_IN \$SMELT_SHARD \$SMELT_SHARDS {shard} {in}\" >{out}; echo \"\$SMELT_OUT\" >>{out}" &&
	for i in 0 1 2; do
		read -r a b c d e <o/x-0000$i.txt &&
		test "$a $b $c $d $e" = "in-$((i + 1)).txt $i 3 0000$i in-$((i + 1)).txt" &&
		tmp=$(sed -n 2p o/x-0000$i.txt) &&
		case $tmp in o/.smelt-run.*.x-0000$i.txt) ;; *) echo "SMELT_OUT=$tmp"; false ;; esac &&
		test ! -e "$tmp" || return 1
	done &&
	test -z "$(ls -A o | grep -v "^x-0000[012].txt$" | grep -v "^logs$")"
'

test_case 'output renamed only on exit 0; failures named with their log' '
	eval "$inputs" &&
	test_status 1 smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c \
		"cat {in} >{out}; test \$SMELT_SHARD != 1" 2>err &&
	test -f o/x-00000.txt && test ! -e o/x-00001.txt && test -f o/x-00002.txt &&
	grep "shard 1 (in-2.txt) failed: exit 1; log: o/logs/x-00001.txt.log" err &&
	grep "1 of 3 shards failed" err &&
	test "$(cat o/logs/x-00001.txt.status)" = "exit 1" &&
	grep -q "== smelt-run: shard 1 (in-2.txt -> o/x-00001.txt)" o/logs/x-00001.txt.log &&
	test -z "$(ls -A o | grep smelt-run)"
'

test_case 'a rerun runs only the missing and failed shards; --force all' '
	eval "$inputs" && mkdir ran &&
	cmd="echo x >>ran/\$SMELT_SHARD; cp {in} {out}; test ! -e fail-\$SMELT_SHARD" &&
	touch fail-2 &&
	test_status 1 smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c "$cmd" &&
	rm fail-2 o/x-00000.txt &&
	smelt-run --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c "$cmd" 2>err &&
	grep "1 of 3 shards already done" err &&
	test "$(wc -l <ran/0) $(wc -l <ran/1) $(wc -l <ran/2)" = "2 1 2" &&
	test ! -e o/logs/x-00002.txt.status &&
	smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c "$cmd" &&
	test "$(wc -l <ran/0) $(wc -l <ran/1) $(wc -l <ran/2)" = "2 1 2" &&
	smelt-run -q --force --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c "$cmd" &&
	test "$(wc -l <ran/0) $(wc -l <ran/1) $(wc -l <ran/2)" = "3 2 3"
'

test_case 'exit 0 without writing SMELT_OUT is a failure' '
	eval "$inputs" &&
	test_status 1 smelt-run -q --in "in-1.txt" --out "o/x.txt" -- true 2>err &&
	grep "exit 0 without writing SMELT_OUT" err && test ! -e o/x.txt
'

test_case '--then runs after all succeeded, never after a failure' '
	eval "$inputs" &&
	test_status 1 smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" --then "cat o/x-* >all" \
		-- sh -c "cp {in} {out}; test {shard} != 00001" 2>err &&
	test ! -e all && grep -- "--then not run" err &&
	smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" --then "cat o/x-* >all" -- cp {in} {out} &&
	cat in-1.txt in-2.txt in-3.txt >expect && test_cmp expect all &&
	test_status 1 smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" --then "exit 4" -- false 2>err &&
	grep -- "--then failed (exit 4)" err
'

test_case 'a killed task leaves temporaries a rerun sweeps (own host, dead pid only)' '
	eval "$inputs" && mkdir o && host=$(hostname | tr "/." "__") &&
	{ sh -c "exit 0" & } && dead=$! && wait $dead &&
	echo half >o/.smelt-run.$dead.$host.x-00000.txt &&
	echo half >o/..smelt-run.$dead.$host.x-00000.txt.tmp-$dead-0 &&
	echo live >o/.smelt-run.$$.$host.x-00001.txt &&
	echo other >o/.smelt-run.$dead.otherhost.x-00002.txt &&
	smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- cp {in} {out} &&
	test ! -e o/.smelt-run.$dead.$host.x-00000.txt &&
	test ! -e o/..smelt-run.$dead.$host.x-00000.txt.tmp-$dead-0 &&
	test -e o/.smelt-run.$$.$host.x-00001.txt &&
	test -e o/.smelt-run.$dead.otherhost.x-00002.txt &&
	test_cmp in-1.txt o/x-00000.txt
'

test_case 'kill -9 mid-shard: nothing at the final name, the rerun finishes it' '
	eval "$inputs" &&
	{ smelt-run -q -j 3 --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c \
		"cat {in} >{out}; sleep 30 & echo \$! >>pids; wait" & } && pid=$! &&
	n=0 && until [ "$(ls -a o 2>/dev/null | grep -c "^\.smelt-run")" = 3 ]; do
		n=$((n + 1)); [ $n -lt 100 ] || return 1; sleep 0.05; done &&
	kill -9 $pid && { wait $pid; true; } &&
	kill $(cat pids) &&
	test ! -e o/x-00000.txt && test ! -e o/x-00001.txt && test ! -e o/x-00002.txt &&
	smelt-run -q --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c "cat {in} >{out}" &&
	cat o/x-* >got && cat in-*.txt >expect && test_cmp expect got &&
	test -z "$(ls -A o | grep smelt-run)"
'

test_case 'SIGTERM: forwarded once, no shard completes, exit 143' '
	eval "$inputs" &&
	{ smelt-run -q -j 3 --in "in-*.txt" --out "o/x-{shard}.txt" -- sh -c \
		"trap \"echo term >>terms; exit 143\" TERM; cat {in} >{out}; sleep 30 & echo \$! >>pids; wait" & } && pid=$! &&
	n=0 && until [ "$(ls -a o 2>/dev/null | grep -c "^\.smelt-run")" = 3 ]; do
		n=$((n + 1)); [ $n -lt 100 ] || return 1; sleep 0.05; done &&
	sleep 0.2 && kill -TERM $pid && test_status 143 wait $pid &&
	{ kill $(cat pids) 2>/dev/null; true; } &&
	test "$(wc -l <terms)" = 3 &&
	test -z "$(ls o | grep "^x-")"
'

test_case 'usage and input errors' '
	eval "$inputs" &&
	test_status 2 smelt-run --in "in-*.txt" --out "o/x.txt" 2>err && grep "no command" err &&
	test_status 1 smelt-run --in "in-*.txt" --out "o/x.txt" -- true 2>err &&
	grep "has no {shard} but --in matches 3 files" err &&
	test_status 1 smelt-run --in "nothing-*.txt" --out "o/x-{shard}.txt" -- true 2>err &&
	grep "matches no file" err &&
	test_status 2 smelt-run --runner pbs --in "in-*.txt" --out "o/x-{shard}" -- true &&
	smelt-run --help | grep -q "SMELT_OUT"
'

test_done
