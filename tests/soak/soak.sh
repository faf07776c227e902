#!/bin/bash
# tests/soak/soak.sh N DIR — the soak run: N records through
#
#   smelt-cat | smelt-gen | smelt-score | smelt-filter -o out.jsonl.zst
#
# against one smelt-sim with every fault enabled, three ways: once cleanly;
# then interrupted by a SIGTERM to the whole pipe at a random moment, rerun,
# interrupted by a kill -9 at another random moment, and rerun to the end
# with the same caches. After each interruption nothing may sit at the
# final names (outputs are atomic); the finished output must be
# byte-identical to the clean run's. Prints one JSON line of figures
# (records, requests, answers paid for twice, wall times) and exits 0, or names
# what differed and exits 1.
#
# bash, for pipefail and $RANDOM (seeded by SOAK_SEED). `make soak` runs it
# with 200,000 records; tests/soak/t0100-soak.sh with a few thousand.
set -u -o pipefail
n=${1:?usage: soak.sh N DIR}
dir=${2:?usage: soak.sh N DIR}
RANDOM=${SOAK_SEED:-$$}
mkdir -p "$dir" && cd "$dir" || exit 1

sim_pid=
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null' EXIT
# Every fault the simulator has, at rates that leave a run mostly working;
# stalls are short and the client's timeout shorter, so they cost seconds.
smelt-sim --port 0 --threads 2 --seed 7 \
	--fault-429 0.02 --retry-after 0 --fault-5xx 0.02 --fault-drop 0.01 \
	--fault-truncate 0.01 --fault-malformed 0.01 \
	--fault-stall 0.001 --stall-seconds 3 >sim.out 2>sim.err &
sim_pid=$!
for _ in $(seq 200); do grep -q '^port ' sim.out 2>/dev/null && break; sleep 0.05; done
url="http://127.0.0.1:$(sed -n '1s/^port //p' sim.out)"
grep -q '^port ' sim.out || { echo "soak: smelt-sim did not start" >&2; cat sim.err >&2; exit 1; }

awk -v n="$n" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "{\"id\":\"q%d\",\"messages\":[{\"role\":\"user\",\"content\":\"Question %d: what matters about topic %d and detail %d?\"},{\"role\":\"assistant\",\"content\":\"\"}]}\n", i, i, i % 997, i % 13
}' >in.jsonl
printf -- '---\nparse: text\nmodel: smelt-sim\n---\n=== user ===\n{{messages.0.content}}\n' >answer.prompt

requests() { curl -sS "$url/metrics" | jq .requests_total; }
repeats() { curl -sS "$url/metrics" | jq .answered_repeat_total; }
now() { date +%s.%N; }

# pipe CACHE OUT: the four stages, in a process group of their own
# (setsid), so one signal reaches all of them as a scheduler's would.
pipe() {
	llm="--endpoint $url/v1 --cache $1 --retries 30 --timeout 2 --concurrency 64 -q"
	setsid bash -c "echo \$\$ >$2.pgid; set -o pipefail
		smelt-cat in.jsonl |
		smelt-gen $llm --prompt answer.prompt --into 'messages[1].content' |
		smelt-score $llm --backend pooling --name rm |
		smelt-filter -q --score scores.rm --drop-quantile 0.1 --drop \
			-o $2/out.jsonl.zst --stats $2/stats.json" 2>>"$2.err"
}

# interrupt SIGNAL CACHE OUT FROM TO: start the pipe and signal its group
# once the simulator has seen between FROM% and TO% of the clean run's
# requests more (counting requests, not time: a rerun answers its first
# part from the cache in no time); check that the pipe was interrupted and
# that nothing sits at the final names.
interrupt() {
	rm -f "$3.pgid"
	local base target st
	base=$(requests)
	target=$((base + clean_requests * ($4 + RANDOM % ($5 - $4)) / 100))
	pipe "$2" "$3" &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && [ "$(requests)" -lt "$target" ]; do
		sleep 0.02
	done
	kill -"$1" -- -"$(cat "$3.pgid")" 2>/dev/null
	wait "$pid"
	st=$?
	echo "soak: SIG$1 after $((target - base)) requests: exit $st" >&2
	if [ "$st" = 0 ]; then
		echo "soak: the pipe finished before SIG$1 reached it" >&2
		return 1
	fi
	for f in "$3/out.jsonl.zst" "$3/stats.json"; do
		if [ -e "$f" ]; then
			echo "soak: $f exists after SIG$1" >&2
			return 1
		fi
	done
}

mkdir -p clean run
curl -sS -X POST "$url/metrics/reset" >/dev/null
t0=$(now)
pipe cache-clean clean || { echo "soak: the clean run failed" >&2; tail clean.err >&2; exit 1; }
t1=$(now)
clean_requests=$(requests)

curl -sS -X POST "$url/metrics/reset" >/dev/null
t2=$(now)
interrupt TERM cache-run run 20 60 || exit 1
interrupt KILL cache-run run 5 30 || exit 1
pipe cache-run run || { echo "soak: the rerun failed" >&2; tail run.err >&2; exit 1; }
t3=$(now)
run_requests=$(requests)
run_repeats=$(repeats)

if ! cmp clean/out.jsonl.zst run/out.jsonl.zst; then
	echo "soak: the interrupted build differs from the clean one" >&2
	exit 1
fi
records=$(zstd -dc clean/out.jsonl.zst | wc -l)
jq -cn --argjson n "$n" --argjson out "$records" --argjson cr "$clean_requests" \
	--argjson rr "$run_requests" --argjson rep "$run_repeats" --arg cw "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
	--arg rw "$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.1f", b - a }')" \
	'{records_in: $n, records_out: $out, requests_clean: $cr, requests_interrupted: $rr,
	  requests_extra: ($rr - $cr), answers_paid_twice: $rep, wall_clean_s: ($cw | tonumber), wall_interrupted_s: ($rw | tonumber)}'
