#!/bin/sh
# tests/run.sh — runs every test and ends with "N passed, N failed".
#
# Unit tests (cmocka, TAP output) and shell tests (tests/*/t*.sh, TAP via
# tests/lib.sh) each print "ok N - name" / "not ok N - name" lines; this
# script counts them. SMELT_BIN / SMELT_UNIT point at another build (make
# sanitize). TESTS="pattern" runs only matching files.
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

for t in tests/*/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *${TESTS:-}*) ;; *) continue ;; esac
	out="$log/$(echo "$t" | tr / _).tap"
	t0=$(date +%s)
	sh "$t" >"$out" 2>&1
	count "$t" "$out" $? $(($(date +%s) - t0))
done

rm -rf "$log"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
