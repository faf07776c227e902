#!/bin/sh
# tests/fuzz/run.sh — build every libFuzzer target (tests/fuzz/fuzz_*.c) with
# clang + ASan + UBSan and run each for FUZZ_SECONDS (default 60: longer
# than CI's 10, see .ci/run) from its seed corpus (tests/fuzz/corpus/NAME/,
# if any; the deep-* seeds nest past every depth limit). Any crash fails
# the run.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-60}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang is missing; run: sudo apt-get install -y clang" >&2
	exit 1
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# The library's flags and libraries, from the Makefile's one list (no
# libmicrohttpd: only smelt-sim serves HTTP).
cflags=$(make -s --no-print-directory print-lib-cflags)
libs=$(make -s --no-print-directory print-lib-libs)
make -s CC=clang BUILD=build-fuzz BINDIR=build-fuzz/bin OPT="-O1 -g" \
	SAN="$san -fsanitize=fuzzer-no-link" WARN="-Wall -Wno-unused-parameter" build-fuzz/libsmelt.a
status=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	exe="build-fuzz/$name"
	# shellcheck disable=SC2086 # flag lists
	clang -O1 -g $san -fsanitize=fuzzer -std=gnu11 -D_GNU_SOURCE -Ipipeline $cflags -o "$exe" "$src" \
		build-fuzz/libsmelt.a $libs -pthread
	work="build-fuzz/corpus/$name"
	mkdir -p "$work"
	seeds="tests/fuzz/corpus/$name"
	[ -d "$seeds" ] || seeds=""
	echo "fuzz: $name for ${secs}s"
	if ! "$exe" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work" $seeds >"build-fuzz/$name.log" 2>&1; then
		echo "fuzz: $name FAILED; see build-fuzz/$name.log" >&2
		tail -40 "build-fuzz/$name.log" >&2
		status=1
	else
		grep -E "stat::number_of_executed_units" "build-fuzz/$name.log" || true
	fi
done
exit $status
