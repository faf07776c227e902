#!/bin/sh
# smelt-tree: validate, stats, flatten and reproducible, proportional sampling.
. "$(dirname "$0")/../lib.sh"
KT="$SMELT_TOP/knowledge_tree"
S="$SMELT_TOP/schemas"

test_case 'the bundled trees validate; stats count 40x5x3 at least' '
	smelt-tree validate "$KT/en.json" 2>err && smelt-tree validate "$KT/zh.json" 2>>err &&
	for l in en zh; do
		smelt-tree stats "$KT/$l.json" >s.json &&
		jq -e ".levels[0] >= 40 and .levels[1] >= 200 and .levels[2] >= 600" s.json >/dev/null || exit 1
	done
'

test_case 'validate names the path of each problem and exits 1' '
	echo "{\"Health\": {\"Sleep\": [\"naps\", \"Naps\", \"\"], \"Diet\": []}, \"health\": {\"X\": [\"y\"]}}" >bad.json &&
	test_status 1 smelt-tree validate bad.json 2>err &&
	grep -q "Health > Sleep" err && grep -q "Diet" err && grep -qi "duplicate" err
'

test_case 'flatten writes one record per leaf' '
	smelt-tree flatten --plain "$KT/en.json" >paths.jsonl &&
	test "$(wc -l <paths.jsonl)" -eq "$(smelt-tree stats "$KT/en.json" | jq .leaves)" &&
	jq -e "(.path | length) == 3" paths.jsonl >/dev/null
'

test_case 'sample: same seed gives byte-identical output, another seed does not' '
	smelt-tree sample "$KT/en.json" -n 500 --seed 7 -o a.jsonl.zst &&
	smelt-tree sample "$KT/en.json" -n 500 --seed 7 -o b.jsonl.zst &&
	cmp a.jsonl.zst b.jsonl.zst &&
	smelt-tree sample "$KT/en.json" -n 500 --seed 8 -o c.jsonl.zst &&
	! cmp -s a.jsonl.zst c.jsonl.zst &&
	validate "$S/tree-sample.schema.json" a.jsonl.zst
'

# share FILE FIELD N TOLERANCE: every value of FIELD within +-TOL of N/K.
within() {
	jq -r "$2" "$1" | sort | uniq -c | awk -v tol="$3" "
		{ c[\$2] = \$1; n += \$1; k++ }
		END { want = n / k; bad = 0
		      for (v in c) if (c[v] < want * (1 - tol) || c[v] > want * (1 + tol)) { print \"off: \" v \" \" c[v] \" vs \" want; bad = 1 }
		      exit bad }"
}

test_case 'stratified N = 10x leaves: every domain and task type within 20% of proportional' '
	leaves=$(smelt-tree stats "$KT/en.json" | jq .leaves) &&
	smelt-tree sample "$KT/en.json" -n $((leaves * 10)) --seed 3 --stratify --plain >s.jsonl &&
	test "$(wc -l <s.jsonl)" -eq $((leaves * 10)) &&
	within s.jsonl .task 0.2 &&
	within s.jsonl .domain 0.2
'

test_case 'without replacement: no (path, task) pair twice; too many is an error' '
	smelt-tree sample "$KT/en.json" -n 3000 --seed 1 --without-replacement --plain >w.jsonl &&
	test "$(jq -c "[.path, .task]" w.jsonl | sort | uniq -d | wc -l)" -eq 0 &&
	test_status 1 smelt-tree sample "$KT/en.json" -n 100000000 --without-replacement --plain >/dev/null 2>err
'

test_case 'zh tree gives zh records with zh task types' '
	smelt-tree sample "$KT/zh.json" --lang zh -n 50 --seed 2 --plain >z.jsonl &&
	jq -e ".lang == \"zh\"" z.jsonl >/dev/null &&
	jq -e "(.task | test(\"[\\\\x{4e00}-\\\\x{9fff}]\")) and (.theme | test(\"[\\\\x{4e00}-\\\\x{9fff}]\"))" z.jsonl >/dev/null
'

test_case 'usage errors exit 2' '
	test_status 2 smelt-tree 2>e1 && test_status 2 smelt-tree frobnicate "$KT/en.json" 2>e2 &&
	test_status 2 smelt-tree sample 2>e3 && grep -q "command" e1 && grep -q "unknown command" e2
'
test_done
