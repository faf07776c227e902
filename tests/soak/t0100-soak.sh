#!/bin/sh
# serial: kills the pipe when the server has answered a given number of requests
# The soak run, small: a few thousand records through cat | gen | score |
# filter against smelt-sim with every fault on, interrupted by SIGTERM and
# by kill -9, rerun to the end: byte-identical to a clean run, nothing at
# the final names after either interruption (tests/soak/soak.sh; `make
# soak` runs the same with 200,000 records and prints the figures).
. "$(dirname "$0")/../lib.sh"

SOAK_RECORDS=${SOAK_RECORDS:-3000}
export SOAK_SEED=${SOAK_SEED:-11}

test_case "$SOAK_RECORDS records, SIGTERM and kill -9, rerun: identical output" '
	bash "$SMELT_TOP/tests/soak/soak.sh" "$SOAK_RECORDS" soak >figures.json &&
	cat figures.json &&
	jq -e ".records_out > 0 and .records_out < .records_in" figures.json
'

test_done
