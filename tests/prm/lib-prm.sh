# tests/prm/lib-prm.sh — helpers for the smelt-mc / check / prm-eval / bon
# tests. Source after tests/lib.sh, tests/sim/lib-sim.sh and
# tests/llm/lib-llm.sh (for `metric`).

PRM_PROMPT="$SMELT_TOP/prompts/visualprm/en/final_answer.prompt"

# mc ARGS...: smelt-mc against the current smelt-sim, plain output.
mc() {
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt "$PRM_PROMPT" --plain -q "$@"
}

# make_solutions NPROBLEMS SAMPLES SEED OUT: sim problems solved by the
# current smelt-sim, one record per solution (ids <problem>-<k>).
make_solutions() {
	smelt-sim --make-problems "$1" --seed "$3" >"$4.problems" &&
	smelt-gen --endpoint "$SIM_URL/v1" --model smelt-sim --prompt "$PRM_PROMPT" \
		--into response --samples "$2" --explode --seed "$3" --plain -q "$4.problems" >"$4"
}

# reset_metrics: zero smelt-sim's counters.
reset_metrics() {
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null
}

# labels FILE: one line per record, "id labels-as-a-string" ("+-+" …, "." for null).
labels() {
	jq -r '.id + " " + ([.labels[] | . // "."] | join(""))' "$1"
}

# jq_all EXPR FILE...: EXPR (one boolean per record) holds for every record
# of every file. (jq -e alone only looks at the last record's value.)
jq_all() {
	ja_expr=$1
	shift
	jq -se "length > 0 and (map($ja_expr) | all)" "$@" >/dev/null
}
