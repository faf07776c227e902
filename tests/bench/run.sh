#!/bin/sh
# tests/bench/run.sh — every benchmark; tables on stdout (pasted into the
# README). Benchmarks measure; they never pass or fail on a time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
echo "## Record streams"
echo
sh "$here/core.sh"
echo
sh "$here/parquet.sh"
for b in "$here"/*/run.sh; do
	[ -f "$b" ] || continue
	echo
	sh "$b"
done
