#!/bin/sh
# serial: kills a build at a moment it waits for
# examples/condor killed mid-build — the whole process group, kill -9, while
# smelt-gen writes the answers: nothing is left at the answers' final name,
# the next `make` rebuilds that step, and the outputs equal (cmp) those of
# an uninterrupted build. Every example Makefile deletes a failed target.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"

# Slow answers, so the kill lands inside the answers step.
SIMO="--latency-ms 1500"
O="$test_root/run"
FILES="pairs questions.raw questions answers critiques refined sft_v sft_r dpo"

test_case 'every example Makefile has .DELETE_ON_ERROR (through sim.mk)' '
	grep -qx ".DELETE_ON_ERROR:" "$SMELT_TOP/examples/sim.mk" &&
	for mk in "$SMELT_TOP"/examples/*/Makefile; do
		grep -q "^include \$(TOP)/examples/sim.mk" "$mk" || { echo "$mk: no sim.mk"; exit 1; }
	done
'

test_case 'an uninterrupted build' '
	condor_make "$test_root/ref" N=10 SIM_OPTS="$SIMO" >log 2>&1 || { cat log; exit 1; }
'

test_case 'kill -9 of the make process group during answers; the next make rebuilds it' '
	setsid make --no-print-directory -C "$SMELT_TOP/examples/condor" BIN="$SMELT_BIN" OUT="$O" \
		N=10 SIM_OPTS="$SIMO" >log 2>&1 &
	pgid=$! &&
	tries=0 &&
	until set -- "$O"/.answers.jsonl.zst.tmp-* && [ -e "$1" ]; do
		tries=$((tries + 1)); [ $tries -lt 3000 ] || { cat log; exit 1; }; sleep 0.02
	done &&
	sleep 0.2 &&
	kill -9 -$pgid && { wait $pgid; true; } &&
	test ! -e "$O/answers.jsonl.zst" &&
	{ condor_make "$O" N=10 SIM_OPTS="$SIMO" >log2 2>&1 || { cat log2; exit 1; }; } &&
	grep -q "smelt-gen.*answer.prompt" log2 &&
	for x in $FILES; do
		cmp "$test_root/ref/$x.jsonl.zst" "$O/$x.jsonl.zst" || exit 1
	done
'

test_done
