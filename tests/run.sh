#!/bin/sh
# tests/run.sh — runs every test and ends with "N passed, N failed".
#
# Unit tests (cmocka, TAP output) and shell tests (tests/*/t*.sh, TAP via
# tests/lib.sh) each print "ok N - name" / "not ok N - name" lines; this
# script counts them. SMELT_BIN / SMELT_UNIT point at another build (make
# sanitize). TESTS="pattern" runs only matching files.
#
# SMELT_TEST_JOBS=N (default: the number of processors) runs up to N shell
# test files at once: most of a test's time is spent waiting on servers,
# make and sleeps, not on a core. Each file has its own scratch directory,
# ports and example OUT; a file whose first lines say "# serial: REASON"
# (timing it measures, a cluster it starts) runs alone, after the others.
# Results are printed and counted in file order either way.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
: "${SMELT_BIN:=bin}"
: "${SMELT_UNIT:=build/tests}"
SMELT_BIN=$(cd "$SMELT_BIN" && pwd)
export SMELT_BIN SMELT_TOP="$top"
log=$(mktemp -d "${TMPDIR:-/tmp}/smelt-tests.XXXXXX")
passed=0 failed=0 failures=""

count() { # $1 = name, $2 = TAP output file, $3 = exit status, $4 = seconds
	p=$(grep -c '^ok ' "$2")
	f=$(grep -c '^not ok ' "$2")
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or exited non-zero without saying which case
		echo "not ok - $1 exited with status $3" >>"$2"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $1 ran no test case" >>"$2"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures $1"
		echo "--- $1: $f failed (${4}s)"
		grep -v '^ok ' "$2" | tail -40
	else
		echo "--- $1: $p passed (${4}s)"
	fi
}

for t in "$SMELT_UNIT"/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	case "$name" in *${TESTS:-}*) ;; *) continue ;; esac
	out="$log/$(basename "$t").tap"
	t0=$(date +%s)
	(cd "$top" && CMOCKA_MESSAGE_OUTPUT=TAP "$t") >"$out" 2>&1
	count "$name" "$out" $? $(($(date +%s) - t0))
done

# The shell tests: the parallel ones through xargs -P, each leaving its TAP
# output, exit status and seconds in $log; then the serial ones, one by
# one. The loop below prints each file's result in order as it completes.
jobs=${SMELT_TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case "$jobs" in ''|*[!0-9]*|0) jobs=1 ;; esac
parallel="" serial=""
for t in tests/*/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *${TESTS:-}*) ;; *) continue ;; esac
	if head -n 12 "$t" | grep -q '^# serial:'; then
		serial="$serial $t"
	else
		parallel="$parallel $t"
	fi
done
run_one() { # $1 = log dir, $2 = test file
	o="$1/$(echo "$2" | tr / _)"
	t0=$(date +%s)
	sh "$2" >"$o.tap" 2>&1
	rc=$?
	echo $(($(date +%s) - t0)) >"$o.secs"
	echo $rc >"$o.rc.tmp" && mv "$o.rc.tmp" "$o.rc"
}
if [ -n "$parallel" ]; then
	printf '%s\n' $parallel |
		xargs -P "$jobs" -n 1 sh -c "$(sed -n '/^run_one() {/,/^}/p' "$top/tests/run.sh")"'
run_one "$0" "$1"' "$log" &
	runner=$!
fi
for t in $parallel; do
	o="$log/$(echo "$t" | tr / _)"
	while [ ! -f "$o.rc" ]; do
		kill -0 "$runner" 2>/dev/null || [ -f "$o.rc" ] || { echo 1 >"$o.rc"; echo 0 >"$o.secs"; break; }
		sleep 0.2
	done
	count "$t" "$o.tap" "$(cat "$o.rc")" "$(cat "$o.secs")"
done
[ -n "$parallel" ] && wait "$runner"
for t in $serial; do
	o="$log/$(echo "$t" | tr / _)"
	run_one "$log" "$t"
	count "$t" "$o.tap" "$(cat "$o.rc")" "$(cat "$o.secs")"
done

rm -rf "$log"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
