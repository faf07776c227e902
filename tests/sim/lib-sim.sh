# tests/sim/lib-sim.sh — start smelt-sim servers from shell tests.
# Source it after tests/lib.sh:
#
#   sim_start --fault-429 1      # sets SIM_URL, SIM_PID
#   test_case '...' 'sim_post /v1/chat/completions "$body" >out && ...'
#   sim_stop_all                 # then test_case 'exits cleanly' sim_exited_cleanly
#
# Every server started is killed when the test exits, even on failure.
sim_pids=""
sim_count=0

sim_start() {
	sim_count=$((sim_count + 1))
	sim_out="$test_root/sim$sim_count.out"
	smelt-sim --port 0 "$@" >"$sim_out" 2>"$test_root/sim$sim_count.err" &
	SIM_PID=$!
	sim_pids="$sim_pids $SIM_PID"
	tries=0
	until grep -q '^port ' "$sim_out" 2>/dev/null; do
		tries=$((tries + 1))
		if [ "$tries" -gt 400 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "# smelt-sim did not start:" >&2
			sed 's/^/#   /' "$test_root/sim$sim_count.err" >&2
			return 1
		fi
		sleep 0.05
	done
	SIM_PORT=$(sed -n '1s/^port //p' "$sim_out")
	SIM_URL="http://127.0.0.1:$SIM_PORT"
}

# Stop every server (SIGTERM) and record their exit statuses.
sim_stop_all() {
	for p in $sim_pids; do
		kill "$p" 2>/dev/null
		wait "$p"
		echo "$?" >>"$test_root/sim-status"
	done
	sim_pids=""
}

# A test body: every stopped server exited with status 0 (no sanitizer report).
sim_exited_cleanly() {
	cat "$test_root"/sim*.err
	test -s "$test_root/sim-status" && ! grep -qv '^0$' "$test_root/sim-status"
}

trap 'sim_stop_all; rm -rf "$test_root"' EXIT

# sim_post PATH JSON [curl options]: POST a JSON body, print the response body.
sim_post() {
	sim_path=$1 sim_data=$2
	shift 2
	curl -sS -H 'Content-Type: application/json' --data-binary "$sim_data" "$@" "$SIM_URL$sim_path"
}

# sim_code PATH JSON [curl options]: POST, body to ./body, print the status code.
sim_code() {
	sim_path=$1 sim_data=$2
	shift 2
	curl -sS -o body -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "$sim_data" "$@" "$SIM_URL$sim_path"
}

# chat_body TEXT [EXTRA_JSON_FIELDS]: a one-message chat request.
chat_body() {
	cb_extra='{}'
	[ $# -ge 2 ] && cb_extra=$2
	jq -cn --arg t "$1" --argjson x "$cb_extra" \
		'{messages: [{role: "user", content: $t}]} + $x'
}

# A 1x1 PNG as a data: URI (real bytes, decodable).
TINY_PNG='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
