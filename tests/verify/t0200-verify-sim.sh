#!/bin/sh
# End to end: smelt-gen --samples 4 against smelt-sim playing a detector
# (pipeline/sim/sim_detect.h), then smelt-verify. The sim's noise makes
# rewards differ within a prompt, its malformed replies are counted, and
# the prompts without objects (every rollout an empty list) are the ones
# --keep-informative sets aside. Both layouts give the same rewards.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

R=$test_root
PROMPT=$SMELT_TOP/tests/verify/detect.prompt
sim_start || exit 1
# 12 prompts with 1-3 boxes, and 3 with none (e0, e1, e2).
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 15; i++) {
		n = i < 12 ? 1 + i % 3 : 0; boxes = ""
		for (b = 0; b < n; b++) {
			x = int(rand() * 500); y = int(rand() * 500); w = 40 + int(rand() * 100); h = 40 + int(rand() * 100)
			boxes = boxes (b ? "," : "") sprintf("[%d,%d,%d,%d]", x, y, x + w, y + h)
		}
		printf "{\"id\":\"%s%d\",\"category\":\"car\",\"answer\":\"[%s]\",\"question\":\"<sim-boxes>[%s]</sim-boxes>\"}\n",
			n ? "p" : "e", n ? i : i - 12, boxes, boxes
	}
}' >"$R/prompts.jsonl"

gen() {
	smelt-gen --endpoint "$SIM_URL/v1" --model smelt-sim --prompt "$PROMPT" --into response \
		--samples 4 --seed 3 --plain -q "$@" "$R/prompts.jsonl"
}

test_case 'smelt-gen --samples 4 -> smelt-verify: varied rewards, uniform prompts set aside' '
	gen >rollouts.jsonl &&
	test "$(jq -s "map(.response | length) | unique" -c rollouts.jsonl)" = "[4]" &&
	smelt-verify --reward format,iou,confidence --keep-informative rollouts.jsonl --plain -q \
		--rejects rej.jsonl --groups groups.jsonl --stats st.json >out.jsonl &&
	test "$(jq -r .id rej.jsonl | tr "\n" " ")" = "e0 e1 e2 " &&
	test "$(jq -r .error.kind rej.jsonl | sort -u)" = uniform_rewards &&
	test "$(wc -l <out.jsonl)" -eq 12 &&
	jq -se "map(.group.std > 0) | all" out.jsonl &&
	jq -se "map(.rewards[]) | (map(.iou) | add / length) > 0.3 and (map(.iou) | max) <= 1 and
		(map(.format) | add) < length" out.jsonl &&
	jq -e ".verify.rollouts == 60 and .verify.box_parse_failures > 0 and .verify.box_parse_failures < 30" st.json &&
	test "$(wc -l <groups.jsonl)" -eq 15 &&
	validate $SMELT_TOP/schemas/verify.schema.json out.jsonl &&
	validate $SMELT_TOP/schemas/verify-group.schema.json groups.jsonl &&
	validate $SMELT_TOP/schemas/reject.schema.json rej.jsonl
'

test_case 'one record per rollout (--explode) gives the same rewards' '
	gen >rollouts.jsonl &&
	gen --explode >flat.jsonl &&
	test "$(wc -l <flat.jsonl)" -eq 60 &&
	smelt-verify --reward format,iou,confidence rollouts.jsonl --plain -q | jq -c ".rewards[].total" >a &&
	smelt-verify --reward format,iou,confidence flat.jsonl --plain -q --groups g.jsonl | jq -c ".reward.total" >b &&
	test_cmp a b &&
	smelt-verify --reward format,iou,confidence flat.jsonl --plain -q >flat-out.jsonl &&
	validate $SMELT_TOP/schemas/verify.schema.json flat-out.jsonl &&
	test "$(jq -r .id g.jsonl | tr "\n" " ")" = "p0 p1 p2 p3 p4 p5 p6 p7 p8 p9 p10 p11 e0 e1 e2 "
'

sim_stop_all
test_done
