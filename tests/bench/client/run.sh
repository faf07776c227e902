#!/bin/sh
# tests/bench/client/run.sh — the LLM client against smelt-sim, side by
# side with the official `openai` npm client and Python aiohttp sending the
# same requests at the same concurrency. Prints a markdown table: requests
# per second, client CPU-seconds per 1,000 requests, requests per client
# CPU-second, and peak RSS of the client process.
#
# smelt-gen is measured as a user runs it: reading records, rendering the
# prompt, parsing replies and writing zstd output (cache off). The peers
# only send requests and decode the JSON replies.
#
# BENCH_N (default 20000) requests at zero latency; at 200 ms latency each
# run sends 25 x concurrency requests (about five seconds of traffic).
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
here="$top/tests/bench/client"
bin="$top/bin"
dir=$(mktemp -d "${TMPDIR:-/tmp}/smelt-bench-client.XXXXXX")
sims=""
trap 'for p in $sims; do kill $p 2>/dev/null; done; rm -rf "$dir"' EXIT
n0=${BENCH_N:-20000}
concs=${BENCH_CONCURRENCY:-64 256 1024}

start_sim() { # latency -> sets URL
	"$bin/smelt-sim" --port 0 --threads 2 --latency-ms "$1" >"$dir/sim$1.out" 2>"$dir/sim$1.err" &
	sims="$sims $!"
	while ! grep -q '^port ' "$dir/sim$1.out" 2>/dev/null; do sleep 0.05; done
	URL="http://127.0.0.1:$(sed -n '1s/^port //p' "$dir/sim$1.out")/v1"
}

records() { # n -> file
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"id\":\"b%d\",\"text\":\"Record %d asks about topic %d and detail %d.\"}\n", i, i, i % 97, i % 13 }' \
		>"$dir/in-$1.jsonl"
}
printf -- '---\nparse: text\nmodel: smelt-sim\n---\n=== user ===\nParaphrase: {{text}}\n' >"$dir/p.prompt"

# measure NAME N COMMAND...: append "name|n|wall|cpu|kb" to the group's rows
measure() {
	name=$1 n=$2
	shift 2
	if ! /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/err"; then
		echo "benchmark client failed: $name: $(tail -1 "$dir/err")" >&2
		echo "$name|$n|0|0|0" >>"$dir/rows"
		return
	fi
	read -r wall user sys kb <"$dir/time"
	echo "$name|$n|$wall|$(echo "$user $sys" | awk '{ print $1 + $2 }')|$kb" >>"$dir/rows"
}

# One table row per client of the group; the last column compares requests
# per CPU-second with the best peer's.
print_group() {
	awk -F'|' -v lat="$lat" -v c="$c" '
	{ name[NR] = $1; n[NR] = $2; w[NR] = $3; cpu[NR] = $4 < 0.01 ? 0.01 : $4; kb[NR] = $5
	  eff[NR] = $3 > 0 ? $2 / cpu[NR] : 0
	  if (NR > 1 && eff[NR] > best) best = eff[NR] }
	END { for (i = 1; i <= NR; i++) {
		if (w[i] == 0) { printf "| %s ms | %s | %s | %d | failed | | | | |\n", lat, c, name[i], n[i]; continue }
		ratio = i == 1 && best > 0 ? sprintf("%.1fx", eff[1] / best) : ""
		printf "| %s ms | %s | %s | %d | %.0f | %.3f | %.0f | %.0f | %s |\n",
			lat, c, name[i], n[i], n[i] / w[i], 1000 * cpu[i] / n[i], eff[i], kb[i] / 1024, ratio } }' "$dir/rows"
	rm -f "$dir/rows"
}

echo "### LLM client: requests against smelt-sim (same requests, same concurrency)"
echo
echo "| latency | in flight | client | requests | req/s | client CPU-s per 1k req | req per CPU-s | peak RSS MB | vs best peer |"
echo "|---|---|---|---|---|---|---|---|---|"
for lat in 0 200; do
	start_sim "$lat"
	for c in $concs; do
		if [ "$lat" = 0 ]; then n=$n0; else n=$((25 * c)); fi
		records "$n"
		in="$dir/in-$n.jsonl"
		measure smelt-gen "$n" "$bin/smelt-gen" --prompt "$dir/p.prompt" --into para --endpoint "$URL" \
			--concurrency "$c" -q -o "$dir/out.zst" "$in"
		measure "openai npm $(node -p "require('$top/tests/tools/node_modules/openai/package.json').version")" \
			"$n" node "$here/openai_client.js" "$URL" "$in" "$c"
		measure "python aiohttp $(/usr/bin/python3 -c 'import aiohttp; print(aiohttp.__version__)')" \
			"$n" /usr/bin/python3 "$here/aiohttp_client.py" "$URL" "$in" "$c"
		print_group
	done
done
echo
echo "Client CPU is user + system time of the client process alone (the server's is not counted);"
echo "peak RSS is the client's. $(nproc) CPUs, client and server on the same machine."
