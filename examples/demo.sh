#!/bin/sh
# examples/demo.sh — `make demo`: run the bundled example builds and say
# where their outputs are.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/examples"
for ex in ${DEMOS:-plumbing condor visualprm rmfilter}; do
	echo "== examples/$ex"
	make --no-print-directory -C "$ex" BIN="$top/bin"
	echo "outputs in examples/$ex/out/"
done
