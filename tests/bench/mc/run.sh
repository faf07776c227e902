#!/bin/sh
# tests/bench/mc/run.sh — what each smelt-mc mode costs and how its labels
# compare, on smelt-sim solutions with VisualPRM-like statistics (about 5.6
# steps per solution, about 10% of steps wrong). Prints a markdown table.
#
# Generations and requests are the server's own counters (/metrics), reset
# before each mode. Agreement is with `full` on the same seeds, over the
# steps a mode labels. Truth comes from the simulator's step grammar: step
# k is right iff its input is the true running value after k-1 operations
# and its arithmetic is right — recomputed here from the question.
#
#   sh tests/bench/mc/run.sh            # PROBLEMS=100 SAMPLES=4 STEP_ERROR=0.03
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${SMELT_BIN:-$top/bin}
PROBLEMS=${PROBLEMS:-100}
SAMPLES=${SAMPLES:-4}
STEP_ERROR=${STEP_ERROR:-0.03}
ROLLOUTS=${ROLLOUTS:-16}
prompt=$top/prompts/visualprm/en/final_answer.prompt
work=$(mktemp -d "${TMPDIR:-/tmp}/smelt-bench-mc.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$bin/smelt-sim" --port 0 --seed 7 --step-error "$STEP_ERROR" >"$work/sim.out" 2>"$work/sim.err" &
pid=$!
until grep -q '^port ' "$work/sim.out" 2>/dev/null; do sleep 0.05; done
url="http://127.0.0.1:$(sed -n 's/^port //p' "$work/sim.out")"
metric() { curl -sS "$url/metrics" | jq -r ".$1"; }
llm="--endpoint $url/v1 --model smelt-sim --prompt $prompt --plain -q"

"$bin/smelt-sim" --make-problems "$PROBLEMS" --seed 11 >"$work/problems.jsonl"
# shellcheck disable=SC2086 # $llm is a list of options
"$bin/smelt-gen" $llm --into response --samples "$SAMPLES" --explode --seed 11 \
	"$work/problems.jsonl" >"$work/solutions.jsonl"

# Truth per step, one line per solution: "+-" string from the step grammar.
jq -r '
	. as $rec |
	def apply($v; $op): if $op[0] then $v + ($op[1] | tonumber) elif $op[2] then $v - ($op[3] | tonumber)
		elif $op[4] == "doubles" then $v * 2 else $v * 3 end;
	(.question | capture("has (?<n>[0-9]+) ").n | tonumber) as $start |
	[.question | scan("(?:buys|finds|receives|wins) ([0-9]+) more|(?:gives away|loses|sells|trades away) ([0-9]+)|(doubles|triples) them")
	 | [(.[0] != null), .[0], (.[1] != null), .[1], .[2]]] as $ops |
	(reduce range(0; $ops | length) as $k ([$start]; . + [apply(.[-1]; $ops[$k])])) as $truth |
	[.response | split("\n\n")[] | capture("so (?<a>-?[0-9]+) (?<op>[-+*]) (?<b>[0-9]+) = (?<r>-?[0-9]+)\\.")
	 | [(.a | tonumber), .op, (.b | tonumber), (.r | tonumber)]] as $steps |
	[range(0; $steps | length) as $k | $steps[$k] as $s |
	 (if $s[1] == "+" then $s[0] + $s[2] elif $s[1] == "-" then $s[0] - $s[2] else $s[0] * $s[2] end) as $r |
	 if $s[0] == $truth[$k] and $r == $s[3] then "+" else "-" end] | $rec.id + " " + join("")
' "$work/solutions.jsonl" >"$work/truth"

# run NAME ARGS...: label with smelt-mc, keep the server's counters
run() {
	name=$1
	shift
	curl -sS -X POST "$url/metrics/reset" >/dev/null
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$bin/smelt-mc" $llm --rollouts "$ROLLOUTS" "$@" "$work/solutions.jsonl" >"$work/$name.jsonl"
	end=$(date +%s.%N)
	jq -r '.id + " " + ([.labels[] | . // "."] | join(""))' "$work/$name.jsonl" >"$work/$name.labels"
	echo "$(metric generations_total) $(metric requests_total) $(echo "$end - $start" | bc)" >"$work/$name.cost"
}

run full --mode full
run visualprm --mode visualprm
run exact --mode exact-binary
run exact2 --mode exact-binary --first-batch 2
run exactseeds --mode exact-binary --n-mode seeds
run firsterr --mode first-error

# compare A B: "agree/labelled" over the steps A labels, position by position
compare() {
	join "$work/$1" "$work/$2" | awk '{
		for (i = 1; i <= length($2); i++) {
			a = substr($2, i, 1); b = substr($3, i, 1)
			if (a == ".") continue
			n++; if (a == b) same++
		}
	} END { printf "%d %d\n", same, n }'
}
sort -o "$work/truth" "$work/truth"
for m in full visualprm exact exact2 exactseeds firsterr; do sort -o "$work/$m.labels" "$work/$m.labels"; done

solutions=$(wc -l <"$work/truth")
steps=$(awk '{ s += length($2) } END { print s }' "$work/truth")
wrong=$(awk '{ s += gsub(/-/, "", $2) } END { print s }' "$work/truth")
right_final=$(jq -s 'map(select(.mc.final_correct)) | length' "$work/full.jsonl")
full_gen=$(cut -d' ' -f1 "$work/full.cost")

echo "## Monte-Carlo step labels (smelt-mc), $ROLLOUTS rollouts"
echo
printf 'smelt-sim solutions: %d (%d problems x %d samples), %.2f steps per solution, %.1f%% of steps wrong\n' \
	"$solutions" "$PROBLEMS" "$SAMPLES" "$(echo "$steps / $solutions" | bc -l)" "$(echo "100 * $wrong / $steps" | bc -l)"
printf '(--step-error %s), %.1f%% of final answers right. Generations and requests from smelt-sim /metrics.\n\n' \
	"$STEP_ERROR" "$(echo "100 * $right_final / $solutions" | bc -l)"
echo "| mode | generations | per solution | of full | requests | labels = full | step accuracy vs truth | steps labelled | seconds |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for m in full visualprm exact exact2 exactseeds firsterr; do
	case $m in
	full) label="full" ;;
	visualprm) label="visualprm (early stop)" ;;
	exact) label="exact-binary" ;;
	exact2) label="exact-binary, --first-batch 2" ;;
	exactseeds) label="exact-binary, --n-mode seeds" ;;
	firsterr) label="first-error" ;;
	esac
	read -r gen req secs <"$work/$m.cost"
	set -- $(compare "$m.labels" full.labels)
	agree=$1 labelled=$2
	set -- $(compare "$m.labels" truth)
	acc=$1
	printf '| %s | %d | %.1f | %.1f%% | %d | %d/%d (%.1f%%) | %.1f%% | %.1f%% | %.2f |\n' "$label" "$gen" \
		"$(echo "$gen / $solutions" | bc -l)" "$(echo "100 * $gen / $full_gen" | bc -l)" "$req" \
		"$agree" "$labelled" "$(echo "100 * $agree / $labelled" | bc -l)" "$(echo "100 * $acc / $labelled" | bc -l)" \
		"$(echo "100 * $labelled / $steps" | bc -l)" "$secs"
done
