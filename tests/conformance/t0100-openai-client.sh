#!/bin/sh
# Conformance: the official `openai` npm client accepts every smelt-sim
# reply shape and maps its error statuses to the SDK's error classes.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

js="$SMELT_TOP/tests/conformance/openai-client.js"
if [ ! -d "$SMELT_TOP/tests/tools/node_modules/openai" ]; then
	test_skip 'openai client' 'tests/tools/node_modules/openai is missing (make deps)'
	test_case 'placeholder: no openai client installed' 'true'
	test_done
	exit
fi

sim_start --model sim-model --api-key conformance-key
for c in models plain n seed limits image continuation not_found bad_request unauthorized; do
	test_case "openai client: $c" "node \"\$js\" $c \"\$SIM_URL/v1\""
done

sim_start --model sim-model --fault-429 1
test_case 'openai client: rate_limited' 'node "$js" rate_limited "$SIM_URL/v1"'

sim_start --model sim-model --fault-5xx 1
test_case 'openai client: server_error' 'node "$js" server_error "$SIM_URL/v1"'

sim_start --model sim-model --fault-5xx 0.5
test_case 'openai client: its retries get through 5xx faults' 'node "$js" retried "$SIM_URL/v1"'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
