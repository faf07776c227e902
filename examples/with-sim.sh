#!/bin/sh
# with-sim.sh BIN OUT MODEL SIM_OPTS CMD...: run CMD ENDPOINT=<url> MODEL=MODEL
# against a smelt-sim started for the run on a free port, then stop it and
# keep its request counters in OUT/sim.metrics.json. sim.mk's `all` calls
# it for an example run without ENDPOINT.
set -u
bin=$1 out=$2 model=$3 simopts=$4
shift 4
mkdir -p "$out"
# A sim.out left by an earlier run would give its stale port to the loop
# below before the new server's redirection truncates the file.
rm -f "$out/sim.out"
# shellcheck disable=SC2086 # SIM_OPTS is a list of options
"$bin/smelt-sim" --port 0 --model "$model" $simopts >"$out/sim.out" 2>"$out/sim.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
tries=0
until port=$(sed -n '1s/^port //p' "$out/sim.out" 2>/dev/null) && [ -n "$port" ]; do
	tries=$((tries + 1))
	if [ "$tries" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "with-sim.sh: smelt-sim did not start:" >&2
		cat "$out/sim.err" >&2
		exit 1
	fi
	sleep 0.05
done
echo "smelt-sim (a simulator, not a model) on port $port"
"$@" ENDPOINT="http://127.0.0.1:$port/v1" MODEL="$model"
status=$?
if command -v curl >/dev/null 2>&1; then
	curl -sS "http://127.0.0.1:$port/metrics" >"$out/sim.metrics.json" 2>/dev/null ||
		rm -f "$out/sim.metrics.json"
fi
exit "$status"
