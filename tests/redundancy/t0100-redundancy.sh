#!/bin/sh
# smelt-redundancy on a table with a planted structure (make_table.py):
# it must find the redundant dimension pair (alpha/perception and
# alpha/recognition measure one ability) and the benchmark whose items are
# near-identical (beta: 5% of its items rank the models as all do), and its
# --prune 30 subset must keep SRCC >= 0.95 with every benchmark's full
# ranking. JSONL and both CSV shapes give the same document; bad rows are
# rejected with their kind; the same seed gives the same figures.
. "$(dirname "$0")/../lib.sh"

R=$test_root
MAKE=$SMELT_TOP/tests/redundancy/make_table.py
if ! command -v python3 >/dev/null 2>&1; then
	test_skip 'smelt-redundancy' 'python3 is needed to make the fixture'
	test_done
	exit 0
fi
python3 "$MAKE" 1 jsonl >"$R/table.jsonl" &&
python3 "$MAKE" 1 csv-long >"$R/long.csv" &&
python3 "$MAKE" 1 csv-wide >"$R/wide.csv" || exit 1
# A quicker run for the cases that do not look at the curves' fine detail.
FAST="--draws 30 --sizes 5..95:5"

test_case 'finds the redundant dimension pair and the near-identical benchmark' '
	smelt-redundancy $R/table.jsonl -q --stats st.json >doc.json &&
	jq -e ".models == 40 and .items == 1000 and (.dimensions.names | length) == 4 and
		(.benchmarks.names == [\"alpha\", \"beta\", \"gamma\"])" doc.json &&
	jq -e ".dimensions.redundant_pairs | length == 1 and .[0].a == \"alpha/perception\" and
		.[0].b == \"alpha/recognition\" and .[0].srcc >= 0.95" doc.json &&
	jq -e "[.dimensions.srcc | to_entries[] | .key as \$i | .value | to_entries[] |
		select(.key != \$i and ([\$i, .key] | sort) != [0, 1]) | .value | fabs < 0.5] | all" doc.json &&
	jq -e "[.instances[] | {key: .benchmark, value: .min_k_srcc}] | from_entries |
		.beta == 5 and .alpha >= 10 and .gamma >= 20" doc.json &&
	jq -e "([.instances[].curve | length == 19] | all) and
		(.instances[1].curve[0] | .size == 10 and .srcc >= 0.99)" doc.json &&
	jq -e ".redundancy == {models: 40, items: 1000, benchmarks: 3, dimensions: 4} and .records_in == 40000" st.json
'

test_case '--prune 30 keeps every ranking at SRCC >= 0.95 and writes the items' '
	smelt-redundancy $R/table.jsonl -q $FAST --prune 30 --subset kept.jsonl >doc.json &&
	jq -e ".prune.k == 30 and .prune.kept == 300 and ([.prune.benchmarks[] | .srcc >= 0.95] | all) and
		([.prune.benchmarks[].kept] == [180, 60, 60])" doc.json &&
	test "$(wc -l <kept.jsonl)" -eq 300 &&
	test "$(jq -r "[.benchmark, .item] | join(\"/\")" kept.jsonl | sort -u | wc -l)" -eq 300 &&
	jq -r "[.benchmark, .item] | join(\"/\")" $R/table.jsonl | sort -u >all-items &&
	jq -r "[.benchmark, .item] | join(\"/\")" kept.jsonl | sort >kept-items &&
	test "$(comm -23 kept-items all-items | wc -l)" -eq 0 &&
	validate $SMELT_TOP/schemas/redundancy.schema.json doc.json
'

test_case 'JSONL, CSV long and CSV wide give the same document' '
	smelt-redundancy $R/table.jsonl -q $FAST >a.json &&
	smelt-redundancy $R/long.csv -q $FAST >b.json &&
	smelt-redundancy $R/wide.csv -q $FAST --format csv >c.json &&
	test_cmp a.json b.json &&
	test_cmp a.json c.json
'

test_case 'the same seed gives the same figures, another seed other draws' '
	smelt-redundancy $R/table.jsonl -q --draws 10 --sizes 10,50 --seed 4 >a.json &&
	smelt-redundancy $R/table.jsonl -q --draws 10 --sizes 10,50 --seed 4 >b.json &&
	smelt-redundancy $R/table.jsonl -q --draws 10 --sizes 10,50 --seed 5 >c.json &&
	test_cmp a.json b.json &&
	! cmp -s a.json c.json &&
	jq -e ".sizes == [10, 50] and .dimensions == $(jq -c .dimensions c.json)" a.json
'

test_case 'HTML report: heatmaps, a curve per benchmark, no script' '
	smelt-redundancy $R/table.jsonl -q $FAST --report r.html >doc.json &&
	test "$(grep -c "<svg" r.html)" -eq 3 &&
	test "$(grep -c "<polyline" r.html)" -eq 3 &&
	grep -q "alpha/perception × alpha/recognition: srcc 0.9" r.html &&
	! grep -qi "<script" r.html
'

test_case 'bad rows are rejected with their kind; nothing else is lost' '
	cat >bad.jsonl <<-\END &&
	{"model":"m1","item":"i1","benchmark":"b","score":1}
	{"model":"m1","item":"i1","benchmark":"b","score":0}
	{"item":"i2","benchmark":"b","score":1}
	{"model":"m1","item":"i3","benchmark":"b","score":"high"}
	{"model":"m1","item":"i4","benchmark":"b","dimension":"x","score":1}
	{"model":"m2","item":"i4","benchmark":"b","dimension":"y","score":1}
	{"model":"m2","item":7,"benchmark":"b","score":true}
	{"model":"m2","item":["i5"],"benchmark":"b","score":1}
	END
	test_status 0 smelt-redundancy bad.jsonl -q --rejects rej.jsonl >doc.json 2>err &&
	jq -r "[.error.line, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "2 duplicate_cell" "3 missing_field" "4 bad_score" "6 conflicting_item" "8 bad_field_type" >want &&
	test_cmp want got &&
	jq -e ".items == 3" doc.json &&
	printf "model,item,score\nm1,a,1\nm1,b\nm2,a,x\nm2,b,0.5\n" >bad.csv &&
	test_status 3 smelt-redundancy bad.csv -q >doc.json 2>err &&
	grep -q "bad.csv:3: bad_row" err &&
	grep -q "bad.csv:4: bad_score" err
'

test_case 'usage errors' '
	test_status 2 smelt-redundancy --prune 30 $R/table.jsonl &&
	test_status 2 smelt-redundancy --subset x.jsonl $R/table.jsonl &&
	test_status 2 smelt-redundancy --sizes 50..10:5 $R/table.jsonl &&
	test_status 2 smelt-redundancy --sizes 10,5 $R/table.jsonl &&
	test_status 2 smelt-redundancy --format xml $R/table.jsonl
'
test_done
