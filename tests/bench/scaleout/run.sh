#!/bin/sh
# tests/bench/scaleout/run.sh — scale-out on the test cluster
# (tests/slurm/lib-slurm.sh: a single-node Slurm cluster started for the
# bench and stopped after it):
#  1. smelt-run's own cost per task: BENCH_TASKS tiny shards (`cp`) run by a
#     plain shell loop, by smelt-run locally (-j 1 and -j 4) and as a Slurm
#     job array (1 shard per element, and 10 per element);
#  2. the same scoring build (examples/rmfilter's corpus through smelt-score
#     on a smelt-sim that takes BENCH_LATENCY ms per request, 8 requests in
#     flight per task) in 1, 2 and 4 shards, locally and on the cluster.
# Prints markdown tables; measures, never judges. Where Slurm cannot start
# (not root, not installed) it says so and prints only the local rows.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
bin="$top/bin"
PATH="$bin:$PATH"
test_root=$(mktemp -d "${TMPDIR:-/tmp}/smelt-bench-scaleout.XXXXXX")
dir=$test_root
sim=""
# shellcheck source=../../slurm/lib-slurm.sh
. "$top/tests/slurm/lib-slurm.sh"
trap 'if [ -n "$sim" ]; then kill $sim 2>/dev/null; fi; stop_cluster; rm -rf "$dir"' EXIT
tasks=${BENCH_TASKS:-200}
latency=${BENCH_LATENCY:-20}

slurm=yes
if ! start_cluster --cpus 8 >/dev/null 2>&1; then
	slurm="no ($SLURM_SKIP)"
fi
# start_cluster installs its own EXIT trap; put the bench's back.
trap 'if [ -n "$sim" ]; then kill $sim 2>/dev/null; fi; stop_cluster; rm -rf "$dir"' EXIT

seconds() { # command...: wall seconds, the command's output discarded
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$dir/err" || { echo "benchmark step failed: $*: $(tail -1 "$dir/err")" >&2; }
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

mkdir -p "$dir/in"
i=0
while [ "$i" -lt "$tasks" ]; do
	echo "$i" >"$dir/in/$(printf %05d "$i")"
	i=$((i + 1))
done

loop() {
	mkdir -p "$dir/loop"
	for f in "$dir"/in/*; do cp "$f" "$dir/loop/${f##*/}"; done
}
runner() { # OUT smelt-run-options...
	o=$1
	shift
	rm -rf "$dir/$o"
	smelt-run -q "$@" --in "$dir/in/*" --out "$dir/$o/t-{shard}" -- cp {in} {out}
}

echo "### Scale-out (\`tests/bench/scaleout/run.sh\`)"
echo
echo "Per-task cost of smelt-run: $tasks shards of one \`cp\` each (Slurm: the test"
echo "cluster, one node claiming 8 CPUs; slurm: $slurm)."
echo
echo "| how | wall | per shard |"
echo "|---|---:|---:|"
row() { echo "$1 $2 $tasks" | awk '{ printf "| %s | %.2f s | %.1f ms |\n", $1, $2, $2 * 1000 / $3 }' | tr '_' ' '; }
row "shell_loop" "$(seconds loop)"
row "smelt-run_-j_1" "$(seconds runner l1 -j 1)"
row "smelt-run_-j_4" "$(seconds runner l4 -j 4)"
if [ "$slurm" = yes ]; then
	row "smelt-run_--runner_slurm" "$(seconds runner s1 --runner slurm --wait)"
	row "smelt-run_--runner_slurm_--tasks-per-job_10" "$(seconds runner s10 --runner slurm --wait --tasks-per-job 10)"
fi

# The scoring build: rmfilter's corpus, converted once.
make -s -C "$top/examples/rmfilter" BIN="$bin" OUT="$dir/rm" ENDPOINT=http://127.0.0.1:9/v1 \
	MODEL=m "$dir/rm/all.jsonl.zst" "$dir/rm/images/.done" >/dev/null 2>&1
n=$(zstd -dcq "$dir/rm/all.jsonl.zst" | wc -l)
smelt-sim --port 0 --threads 2 --seed 1 --latency-ms "$latency" >"$dir/sim.out" 2>"$dir/sim.err" &
sim=$!
while ! grep -q '^port ' "$dir/sim.out" 2>/dev/null; do sleep 0.05; done
url="http://127.0.0.1:$(sed -n '1s/^port //p' "$dir/sim.out")/v1"
build() { # SHARDS RUNNER: shard, score every shard, merge
	d=$dir/b-$1-$2
	rm -rf "$d"
	mkdir -p "$d/in"
	smelt-shard -q -n "$1" --prefix "$d/in/p" "$dir/rm/all.jsonl.zst" &&
	smelt-run -q --runner "$2" --wait --in "$d/in/p-*" --out "$d/s-{shard}.jsonl.zst" \
		-- smelt-score -q --backend pooling --name rm --endpoint "$url" --model smelt-sim \
		--image-root "$dir/rm/images" --cache "$d/cache" --concurrency 8 {in} -o {out} &&
	smelt-merge -q "$d"/s-*.jsonl.zst -o "$d/scored.jsonl.zst"
}
echo
echo "The same build — $n records scored on smelt-sim at $latency ms a request, 8 in"
echo "flight per shard (fresh cache each time), shard + score + merge:"
echo
echo "| shards | local | Slurm (test cluster) |"
echo "|---:|---:|---:|"
for s in 1 2 4; do
	l=$(seconds build "$s" local)
	c="-"
	if [ "$slurm" = yes ]; then c="$(seconds build "$s" slurm) s"; fi
	echo "| $s | $l s | $c |"
done
