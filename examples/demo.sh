#!/bin/sh
# examples/demo.sh — `make demo`: run the bundled example builds and say
# where their outputs are. Each example decides for itself whether to start
# a private smelt-sim (examples/sim.mk).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/examples"
for ex in ${DEMOS:-plumbing condor visualprm rmfilter omnialign hub}; do
	echo "== examples/$ex"
	make --no-print-directory -C "$ex" BIN="$top/bin"
	echo "outputs in examples/$ex/out/"
done
