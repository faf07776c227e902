#!/bin/sh
# examples/omnialign end to end against its own smelt-sim (which plays both
# the second model and the judge), in English and Chinese: every SFT record
# ends as a pair or in a rejects file with a reason, every output validates
# against its schema, each pair's rejected answer is the candidate the judge
# named, and a second make asks nothing.
. "$(dirname "$0")/../lib.sh"
S="$SMELT_TOP/schemas"
EX="$SMELT_TOP/examples/omnialign"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

# build OUT [VAR=VALUE...]
build() {
	b_out=$1
	shift
	make --no-print-directory -C "$EX" BIN="$SMELT_BIN" OUT="$b_out" "$@"
}

# accounted OUT INPUT: input records = pairs + every step's rejects, each with a kind
# and a message; each step read what the one before wrote.
accounted() {
	n=$(jq length "$2") &&
	pairs=$(cat_any "$1/pairs.jsonl.zst" | wc -l) &&
	rejects=$(cat "$1"/prepare.rejects.jsonl "$1"/samples.rejects.jsonl "$1"/candidates.rejects.jsonl \
		"$1"/judged.rejects.jsonl "$1"/pairs.rejects.jsonl | wc -l) &&
	echo "inputs $n, pairs $pairs, set aside $rejects" &&
	test "$n" -eq $((pairs + rejects)) &&
	test "$pairs" -gt 0 &&
	for s in prepare samples candidates judged pairs dpo; do
		jq -e ".records_in == .records_out + .records_rejected" "$1/$s.stats.json" >/dev/null ||
			{ echo "$s does not add up"; return 1; }
	done &&
	test "$(jq .records_in "$1/prepare.stats.json")" -eq "$n" &&
	test "$(jq .records_in "$1/samples.stats.json")" -eq "$(jq .records_out "$1/prepare.stats.json")" &&
	test "$(jq .records_in "$1/candidates.stats.json")" -eq "$(jq .records_out "$1/samples.stats.json")" &&
	test "$(jq .records_in "$1/judged.stats.json")" -eq "$(jq .records_out "$1/candidates.stats.json")" &&
	test "$(jq .records_in "$1/pairs.stats.json")" -eq "$(jq .records_out "$1/judged.stats.json")" &&
	cat "$1"/*.rejects.jsonl | jq -e ".error.kind != \"\" and .error.message != \"\"" >/dev/null
}

# valid OUT: every output against its schema (node starts take most of this
# test's time: zh checks the two final files only).
valid() {
	validate "$S/omnialign-pair.schema.json" "$1/pairs.jsonl.zst" &&
	validate "$S/dpo.schema.json" "$1/dpo.jsonl.zst" &&
	validate "$S/omnialign-candidates.schema.json" "$1/candidates.jsonl.zst" "$1/judged.jsonl.zst" &&
	validate "$S/reject.schema.json" "$1/pairs.rejects.jsonl" &&
	validate "$S/stage-stats.schema.json" "$1"/*.stats.json
}

# rejected_is_picked OUT: a pair's rejected answer is a candidate of its record,
# not the chosen answer, and the one the judge named, read here by patterns of
# the simulated judge's forms (en and zh) independently of smelt-pairs.
rejected_is_picked() {
	cat_any "$1/judged.jsonl.zst" | jq -c "{key: .id, value: .}" | jq -s "from_entries" >judged.json &&
	cat >pick.jq <<-\EOF &&
	def ord: {"first":1,"second":2,"third":3,"fourth":4,"fifth":5,"sixth":6,"seventh":7,"eighth":8,
	          "ninth":9,"tenth":10,"一":1,"二":2,"三":3,"四":4,"五":5,"六":6,"七":7,"八":8,"九":9,"十":10};
	def named: if test("\\[\\[[0-9]+\\]\\]$") then capture("\\[\\[(?<k>[0-9]+)\\]\\]$").k | tonumber
	  elif test("^\\{\"choice\": [0-9]+\\}$") then capture("(?<k>[0-9]+)").k | tonumber
	  elif test("^(Answer |回答)[0-9]+$") then capture("(?<k>[0-9]+)").k | tonumber
	  elif test("(Verdict: |结论：回答)[0-9]+$") then capture("(?<k>[0-9]+)$").k | tonumber
	  elif test("^The [a-z]+ answer") then ord[capture("^The (?<w>[a-z]+)").w]
	  elif test("^第.个回答") then ord[capture("^第(?<w>.)").w]
	  else error("a form the simulated judge does not write: \(.)") end;
	. as $p | $j[0][.id] as $r |
	(.rejected != .chosen) and $r.candidates[($r.judge | named) - 1].text == $p.rejected
	EOF
	cat_any "$1/pairs.jsonl.zst" | jq -e --slurpfile j judged.json -f pick.jq >/dev/null
}

O="$test_root/en"
test_case 'en: every record is a pair or set aside with a reason; outputs validate' '
	build "$O" >log 2>&1 || { cat log; exit 1; }
	accounted "$O" "$EX/sft.en.json" &&
	valid "$O" &&
	rejected_is_picked "$O" &&
	test "$(cat_any "$O/pairs.jsonl.zst" | jq -c "[.id, .chosen, .rejected]")" = \
	     "$(cat_any "$O/dpo.jsonl.zst" | jq -c "[.id, .chosen, .rejected]")" &&
	cat_any "$O/pairs.jsonl.zst" | jq -e "(.image | test(\"^vqa_.*png\$\"))" >/dev/null &&
	cat_any "$O/dpo.jsonl.zst" | jq -e "(.images | length) == 1 and (.prompt | startswith(\"<image>\"))" >/dev/null
'

test_case 'en: the simulated judge writes several forms and some picks are set aside' '
	jq -e "[.read_by[] | select(. > 0)] | length >= 2" "$O/pairs.stats.json" >/dev/null &&
	test "$(jq .records_rejected "$O/pairs.stats.json")" -ge 1 &&
	jq -e "[.error.kind] | inside([\"no_deviation\", \"unparsed_pick\", \"pick_out_of_range\"])" \
		"$O/pairs.rejects.jsonl" >/dev/null &&
	test "$(jq .samples "$O/candidates.stats.json")" -eq $((4 * $(jq .records_in "$O/candidates.stats.json")))
'

test_case 'en: the judge saw text only: no image was sent with a judge request' '
	cat_any "$O/candidates.jsonl.zst" | jq -e "has(\"images\") | not" >/dev/null &&
	cat_any "$O/candidates.jsonl.zst" | jq -e ".question | contains(\"<image>\") | not" >/dev/null
'

test_case 'a second make is up to date; rebuilt without its cache, the same pairs (the simulator is seeded)' '
	build "$O" >log 2>&1 &&
	grep -q "is up to date" log &&
	cat_any "$O/pairs.jsonl.zst" >before.jsonl &&
	rm -rf "$O/cache" "$O/samples.jsonl.zst" &&
	build "$O" >log 2>&1 &&
	cat_any "$O/pairs.jsonl.zst" >after.jsonl &&
	test_cmp before.jsonl after.jsonl
'

test_case 'make demo runs this example' '
	grep -q "for ex in .*omnialign" "$SMELT_TOP/examples/demo.sh"
'

Z="$test_root/zh"
test_case 'zh: the Chinese input and prompt set, end to end' '
	build "$Z" LANG=zh >log 2>&1 || { cat log; exit 1; }
	accounted "$Z" "$EX/sft.zh.json" &&
	validate "$S/omnialign-pair.schema.json" "$Z/pairs.jsonl.zst" &&
	validate "$S/dpo.schema.json" "$Z/dpo.jsonl.zst" &&
	rejected_is_picked "$Z" &&
	cat_any "$Z/judged.jsonl.zst" | jq -se "map(.judge) | any(test(\"[\\\\x{4e00}-\\\\x{9fff}]\"))" >/dev/null &&
	zstd -dcq "$Z"/cache/seg-*.zst | grep -q "参考回答" &&
	cat_any "$Z/pairs.jsonl.zst" | jq -e ".rejected | test(\"[\\\\x{4e00}-\\\\x{9fff}]\")" >/dev/null
'
test_done
