#!/bin/sh
# smelt-pairs on hand-made records: prepare normalises image/images and
# refuses bad SFT records; candidates numbers the distinct sampled answers
# that differ from the chosen one; pick reads the judge's reply in its many
# forms, writes OmniAlign-V's shape or smelt's DPO shape (both validated),
# and sets aside no-deviation, unreadable and impossible picks with the
# reason. Every run: records in = written + rejected.
. "$(dirname "$0")/../lib.sh"
S="$SMELT_TOP/schemas"

# adds_up STATS: records_in = records_out + records_rejected
adds_up() {
	jq -e ".records_in == .records_out + .records_rejected" "$1" >/dev/null ||
		{ echo "counts do not add up in $1"; cat "$1"; return 1; }
}

test_case 'prepare: image and images agree, text-only passes, bad records are set aside' '
	cat >in.jsonl <<-\EOF &&
	{"id":"a","image":"x.png","prompt":"What is shown?","chosen":"A cat."}
	{"id":"b","image":["x.png","y.png"],"prompt":"<image><image>Compare.","chosen":"Two cats."}
	{"id":"c","images":["z.png"],"prompt":"<image>\nWhat?","chosen":"A dog."}
	{"id":"d","prompt":"No picture: what is 2+2?","chosen":"4"}
	{"id":"e","image":"x.png","prompt":"<image><image>Too many.","chosen":"?"}
	{"id":"f","image":"x.png","chosen":"no prompt"}
	{"id":"g","image":"x.png","prompt":"Q","chosen":"   "}
	{"id":"h","image":3,"prompt":"Q","chosen":"A"}
	{"id":"i","image":"x.png","images":["y.png"],"prompt":"Q","chosen":"A"}
	EOF
	smelt-pairs prepare --plain --rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	adds_up st.json &&
	jq -c "[.id, .image, .images]" out.jsonl >got &&
	cat >want <<-\EOF &&
	["a","x.png",["x.png"]]
	["b",["x.png","y.png"],["x.png","y.png"]]
	["c","z.png",["z.png"]]
	["d",null,null]
	EOF
	test_cmp want got &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "e image_mismatch" "f missing_field" "g missing_field" "h bad_field_type" "i image_mismatch" >want &&
	test_cmp want got &&
	validate "$S/reject.schema.json" rej.jsonl
'

test_case 'candidates: numbered from 1, empty / chosen / repeated answers left out, images out unless kept (kept in "image")' '
	cat >in.jsonl <<-\EOF &&
	{"id":"a","image":"x.png","images":["x.png"],"prompt":"<image>\nWhat is shown?","chosen":"A cat.","samples":["A dog."," ","A cat.\n","A dog.","A bird."]}
	{"id":"b","prompt":"Q","chosen":"A","samples":"B"}
	{"id":"c","prompt":"Q","chosen":"A","samples":["A",""]}
	{"id":"d","prompt":"Q","chosen":"A"}
	{"id":"e","prompt":"Q","chosen":"A","samples":[1]}
	{"id":"f","images":["p.png","q.png"],"prompt":"Q","chosen":"A","samples":["B"]}
	EOF
	smelt-pairs candidates --plain --rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	adds_up st.json &&
	jq -e "(.samples == 9) and (.candidates == 4) and (.empty_samples == 2) and
	       (.same_as_chosen == 2) and (.repeated_samples == 1)" st.json >/dev/null &&
	jq -c "[.id, .question, .candidates, has(\"images\")]" out.jsonl >got &&
	cat >want <<-\EOF &&
	["a","What is shown?",[{"n":1,"sample":0,"text":"A dog."},{"n":2,"sample":4,"text":"A bird."}],false]
	["b","Q",[{"n":1,"sample":0,"text":"B"}],false]
	["f","Q",[{"n":1,"sample":0,"text":"B"}],false]
	EOF
	test_cmp want got &&
	jq -e "select(.id == \"f\") | .image == [\"p.png\", \"q.png\"]" out.jsonl >/dev/null &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "c no_candidates" "d missing_field" "e bad_field_type" >want &&
	test_cmp want got &&
	validate "$S/omnialign-candidates.schema.json" out.jsonl &&
	head -1 in.jsonl | smelt-pairs candidates --plain --keep-images >kept.jsonl &&
	jq -e ".images == [\"x.png\"]" kept.jsonl >/dev/null
'

# judged ID REPLY: a candidates record of three answers with the judge's reply.
judged() {
	jq -cn --arg id "$1" --arg r "$2" "{id: \$id, image: \"x.png\", prompt: \"What is shown?\",
		chosen: \"A cat on a mat.\", question: \"What is shown?\",
		candidates: [{n: 1, sample: 0, text: \"A cat.\"}, {n: 2, sample: 1, text: \"A dog in a car.\"},
			     {n: 3, sample: 3, text: \"A mat.\"}], judge: \$r}"
}

test_case 'pick: the judge in many forms -> OmniAlign-V and DPO pairs; the rest set aside with the reason' '
	{
		judged tag "Answer 2 invents a dog. [[2]]"
		judged json "{\"choice\": 3}"
		judged whole "Answer 2."
		judged ordinal "The second answer deviates most."
		judged line "All differ a little.
Verdict: 1"
		judged zh "第二个回答偏离最大。"
		judged none "[[none]]"
		judged none-json "{\"choice\": null}"
		judged both "Answers 1 and 2 both deviate."
		judged nothing "Hard to say."
		judged far "[[4]]"
		judged zero "[[0]]"
	} >in.jsonl &&
	smelt-pairs pick --plain --rejects rej.jsonl --stats st.json in.jsonl >pairs.jsonl &&
	smelt-pairs pick --to dpo --plain --rejects rej2.jsonl --stats st2.json in.jsonl >dpo.jsonl &&
	adds_up st.json && adds_up st2.json &&
	jq -r "[.id, .rejected] | join(\" | \")" pairs.jsonl >got &&
	cat >want <<-\EOF &&
	tag | A dog in a car.
	json | A mat.
	whole | A dog in a car.
	ordinal | A dog in a car.
	line | A cat.
	zh | A dog in a car.
	EOF
	test_cmp want got &&
	jq -e "(.pairs == 6) and .read_by == {tag: 4, json: 2, whole: 2, line: 1, mention: 1}" st.json >/dev/null &&
	jq -r "[.id, .error.kind, .error.message] | join(\" | \")" rej.jsonl >got &&
	cat >want <<-\EOF &&
	none | no_deviation | the judge finds no answer that deviates from the chosen one
	none-json | no_deviation | the judge finds no answer that deviates from the chosen one
	both | unparsed_pick | the reply names answer 1 and answer 2
	nothing | unparsed_pick | no answer number and no "none" found
	far | pick_out_of_range | the judge picks answer 4 of 3
	zero | pick_out_of_range | the judge picks answer 0 of 3
	EOF
	test_cmp want got &&
	jq -c "del(.error.file)" rej.jsonl >a && jq -c "del(.error.file)" rej2.jsonl >b && test_cmp a b &&
	validate "$S/omnialign-pair.schema.json" pairs.jsonl &&
	validate "$S/dpo.schema.json" dpo.jsonl &&
	validate "$S/reject.schema.json" rej.jsonl &&
	jq -e "keys == [\"chosen\",\"id\",\"image\",\"prompt\",\"provenance\",\"rejected\"] and .image == \"x.png\"" pairs.jsonl >/dev/null &&
	jq -e ".prompt == \"<image>\nWhat is shown?\" and .images == [\"x.png\"] and (has(\"image\") | not)" dpo.jsonl >/dev/null &&
	test "$(jq -c "[.id, .chosen, .rejected]" pairs.jsonl)" = "$(jq -c "[.id, .chosen, .rejected]" dpo.jsonl)" &&
	jq -e ".provenance[-1] == {stage: \"smelt-pairs\", version: .provenance[-1].version,
		params: {command: \"pick\", judge: \"judge\", to: \"dpo\"}}" dpo.jsonl >/dev/null
'

test_case 'pick: --judge FIELD, several images, missing judge; usage errors' '
	judged a "[[1]]" | jq -c "{id, image: [\"x.png\", \"y.png\"], prompt, chosen, candidates, verdict: {text: .judge}}" >in.jsonl &&
	judged b "[[1]]" | jq -c "del(.judge)" >>in.jsonl &&
	smelt-pairs pick --judge verdict.text --plain --rejects rej.jsonl in.jsonl >p.jsonl &&
	jq -e ".image == [\"x.png\", \"y.png\"] and .rejected == \"A cat.\"" p.jsonl >/dev/null &&
	validate "$S/omnialign-pair.schema.json" p.jsonl &&
	smelt-pairs pick --judge verdict.text --to dpo --plain in.jsonl 2>/dev/null >d.jsonl;
	jq -e ".prompt == \"<image>\n<image>\nWhat is shown?\"" d.jsonl >/dev/null &&
	jq -e ".error.kind == \"missing_field\" and (.error.message | test(\"verdict.text\"))" rej.jsonl >/dev/null &&
	test_status 2 smelt-pairs pick --to parquet in.jsonl 2>err && grep -q "omnialign or dpo" err &&
	test_status 2 smelt-pairs shuffle in.jsonl 2>/dev/null &&
	test_status 3 smelt-pairs pick --plain in.jsonl >/dev/null 2>&1
'
test_done
