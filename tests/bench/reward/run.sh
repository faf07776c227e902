#!/bin/sh
# tests/bench/reward/run.sh — reward filtering at scale: smelt-score on
# smelt-sim's /pooling with 256 requests in flight, then smelt-filter (per
# source, bottom 5%, with the HTML report) from a file and from stdin
# (spooled). BENCH_N records (default 100000) and a tenth of that, and the
# filter once more over ten copies of the scored file (10 x BENCH_N): the
# same peak RSS at every size is what flat memory means, smelt-filter
# adding its 8 bytes per score. Prints a markdown table; measures, never
# judges.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
bin="$top/bin"
dir=$(mktemp -d "${TMPDIR:-/tmp}/smelt-bench-reward.XXXXXX")
sim=""
trap 'if [ -n "$sim" ]; then kill $sim 2>/dev/null; fi; rm -rf "$dir"' EXIT
n_big=${BENCH_N:-100000}
n_small=$((n_big / 10))

"$bin/smelt-sim" --port 0 --threads 2 --seed 1 >"$dir/sim.out" 2>"$dir/sim.err" &
sim=$!
while ! grep -q '^port ' "$dir/sim.out" 2>/dev/null; do sleep 0.05; done
url="http://127.0.0.1:$(sed -n '1s/^port //p' "$dir/sim.out")/v1"

# corpus N: three sources of two-turn conversations, one in 15 defective
corpus() {
	awk -v n="$1" 'BEGIN {
		split("rivers glaciers volcanoes forests deserts", topic, " ")
		for (i = 0; i < n; i++) {
			s = i % 3; t = topic[1 + i % 5]
			q = "How do " t " shape the landscape of region " i "?"
			a = "The " t " shape the landscape of region " i " slowly over many years."
			if (s == 1) a = a " They carve valleys, move sediment, change the climate nearby and create habitats that plants and animals depend on, which is why geographers study " t " so closely in every region they survey."
			if (s == 2) a = "In region " i " the " t " shape the landscape."
			if (i % 15 == 7) a = ""
			if (i % 15 == 11) a = substr(a, 1, 30) "x"
			printf "{\"id\":\"b%d\",\"source\":\"s%d\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"},{\"role\":\"assistant\",\"content\":\"%s\"}]}\n", i, s, q, a
		} }' | "$bin/smelt-cat" -q -o "$dir/in-$1.jsonl.zst"
}

# measure STEP N COMMAND...: a row "step|n|wall|cpu|kb"
measure() {
	step=$1 n=$2
	shift 2
	if ! /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$@" 2>"$dir/err"; then
		echo "benchmark step failed: $step: $(grep -v '^Command exited' "$dir/err" | tail -1)" >&2
		echo "$step|$n|0|0|0" >>"$dir/rows"
		return
	fi
	read -r wall user sys kb <"$dir/time"
	echo "$step|$n|$wall|$(echo "$user $sys" | awk '{ print $1 + $2 }')|$kb" >>"$dir/rows"
}

for n in $n_small $n_big; do
	corpus "$n"
	in="$dir/in-$n.jsonl.zst"
	measure "smelt-score --backend pooling, 256 in flight" "$n" \
		"$bin/smelt-score" -q --backend pooling --name rm --endpoint "$url" --concurrency 256 \
		--timeout 60 "$in" -o "$dir/scored-$n.jsonl.zst"
	measure "smelt-filter --by source --drop-quantile 0.05 --report (file)" "$n" \
		"$bin/smelt-filter" -q --score scores.rm --by source --drop-quantile 0.05 --report "$dir/r.html" \
		--rejects "$dir/dropped.jsonl.zst" "$dir/scored-$n.jsonl.zst" -o "$dir/kept.jsonl.zst"
	measure "smelt-filter, the same from stdin (spooled to a temporary zstd file)" "$n" \
		sh -c "\"$bin/smelt-filter\" -q --score scores.rm --by source --drop-quantile 0.05 \
			--report \"$dir/r2.html\" --rejects \"$dir/dropped2.jsonl.zst\" -o \"$dir/kept2.jsonl.zst\" \
			<\"$dir/scored-$n.jsonl.zst\""
done
big="$dir/scored-$n_big.jsonl.zst"
measure "smelt-filter --by source --drop-quantile 0.05 --report (file)" $((10 * n_big)) \
	"$bin/smelt-filter" -q --score scores.rm --by source --drop-quantile 0.05 --report "$dir/r.html" \
	--rejects "$dir/dropped.jsonl.zst" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" \
	-o "$dir/kept.jsonl.zst"

echo "### Reward filtering: smelt-score on smelt-sim /pooling, then smelt-filter"
echo
echo "| step | records | wall s | records/s | CPU s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
awk -F'|' '{ if ($3 == 0) { printf "| %s | %d | failed | | | |\n", $1, $2; next }
	printf "| %s | %d | %.2f | %.0f | %.2f | %.1f |\n", $1, $2, $3, $2 / $3, $4, $5 / 1024 }' "$dir/rows"
echo
awk -F'|' '{ n = split($1, w, " "); sub(/,$/, "", w[1]); step = w[1] ($1 ~ /stdin/ ? " from stdin" : "")
	if (!(step in seen)) { seen[step] = 1; order[++k] = step }
	sizes[step] = sizes[step] (sizes[step] == "" ? "" : " -> ") sprintf("%.1f MiB at %d", $5 / 1024, $2) }
	END { printf "Peak RSS as records grow:"
	      for (i = 1; i <= k; i++) printf "%s %s %s", (i > 1 ? ";" : ""), order[i], sizes[order[i]]
	      print "." }' "$dir/rows"
