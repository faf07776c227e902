#!/bin/sh
# Arithmetic word problems: generation, a solver whose steps an independent
# checker (awk below, written from the documented grammar) can grade, step
# errors that carry through, and continuation of a partial solution.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

# check.awk QUESTION_FILE SOLUTION_FILE: prints "k +|-" per step (correct
# iff its input is the true value so far and its arithmetic is right), then
# "final X" and "truth Y".
cat >"$test_root/check.awk" <<'AWK'
FNR == NR { text = text " " $0; next }
{ sol = sol $0 "\n" }
END {
	n = split(text, sent, /[.?] /)
	ops = 0
	for (i = 1; i <= n; i++) {
		s = sent[i]
		if (match(s, /has [0-9]+ /)) { v = substr(s, RSTART + 4, RLENGTH - 5) + 0; truth[0] = v; continue }
		num = s; gsub(/[^0-9]/, "", num)
		if (s ~ /(buys|finds|receives|wins) [0-9]+ more/) v += num
		else if (s ~ /(gives away|loses|sells|trades away) [0-9]+/) v -= num
		else if (s ~ /doubles them/) v *= 2
		else if (s ~ /triples them/) v *= 3
		else continue
		truth[++ops] = v
	}
	m = split(sol, line, "\n")
	for (i = 1; i <= m; i++) {
		l = line[i]
		if (l ~ /^Step [0-9]+: .*, so -?[0-9]+ [-+*] [0-9]+ = -?[0-9]+\.$/) {
			k = l; sub(/^Step /, "", k); sub(/:.*/, "", k)
			e = l; sub(/.*, so /, "", e); sub(/\.$/, "", e)
			split(e, t, " ")
			r = t[2] == "+" ? t[1] + t[3] : t[2] == "-" ? t[1] - t[3] : t[1] * t[3]
			print k, (t[1] == truth[k - 1] && r == t[5]) ? "+" : "-"
			steps++
		} else if (l ~ /^Final answer: /) { f = l; sub(/^Final answer: /, "", f); print "final", f }
		else if (l ~ /^\\boxed\{/) { f = l; gsub(/[^-0-9]/, "", f); print "final", f }
	}
	print "truth", truth[ops]
	print "ops", ops
}
AWK
check() { awk -f "$test_root/check.awk" "$@"; }

# solve QUESTION [EXTRA_FIELDS]: the chat response to a question.
solve() {
	solve_extra='{}'
	[ $# -ge 2 ] && solve_extra=$2
	sim_post /v1/chat/completions "$(chat_body "Solve step by step, ending with Final answer. $1" "$solve_extra")"
}

sim_start --step-error 0
exact=$SIM_URL
sim_start --step-error 0.3 --seed 9
noisy=$SIM_URL
sim_start --step-error 1
wrong=$SIM_URL
smelt-sim --make-problems 12 --seed 21 >"$test_root/problems"

test_case '--make-problems prints N deterministic JSONL problems' '
	smelt-sim --make-problems 40 --seed 3 >p1 &&
	smelt-sim --make-problems 40 --seed 3 >p2 &&
	smelt-sim --make-problems 40 --seed 4 >p3 &&
	test_cmp p1 p2 &&
	! cmp -s p1 p3 &&
	test "$(wc -l <p1)" = 40 &&
	jq -e "(.id | type == \"string\") and (.question | test(\"^[A-Z][a-z]+ has [0-9]+ [a-z]+\\\\. \"))
		and (.answer | test(\"^-?[0-9]+$\"))" p1 >/dev/null &&
	test "$(jq -r .id p1 | sort -u | wc -l)" = 40
'

test_case 'problems have 3-8 operations and the stated answer is the truth' '
	smelt-sim --make-problems 40 --seed 3 >p &&
	i=0 &&
	while [ $i -lt 40 ]; do
		i=$((i + 1))
		sed -n "${i}p" p | jq -r .question >q &&
		: >empty &&
		check q empty >c &&
		ops=$(sed -n "s/^ops //p" c) &&
		test "$ops" -ge 3 && test "$ops" -le 8 &&
		test "$(sed -n "s/^truth //p" c)" = "$(sed -n "${i}p" p | jq -r .answer)" || return 1
	done
'

test_case '--images attaches a real PNG the server accepts' '
	smelt-sim --make-problems 2 --seed 5 --images >p &&
	jq -e "(.images | length == 1) and (.question | startswith(\"<image>\"))" p >/dev/null &&
	head -n1 p | jq -r ".images[0]" >uri &&
	sed "s/^data:image\/png;base64,//" uri | base64 -d >img.png &&
	python3 -c "
import struct, sys, zlib
d = open(\"img.png\", \"rb\").read()
assert d[:8] == b\"\\x89PNG\\r\\n\\x1a\\n\"
i = 8
while i < len(d):
    n, = struct.unpack(\">I\", d[i:i+4]); t = d[i+4:i+8]; body = d[i+8:i+8+n]
    assert zlib.crc32(t + body) == struct.unpack(\">I\", d[i+8+n:i+12+n])[0], t
    if t == b\"IDAT\": assert len(zlib.decompress(body)) == 8 * (1 + 8 * 3)
    i += 12 + n
" &&
	body=$(jq -c "{messages:[{role:\"user\",content:[{type:\"image_url\",image_url:{url:.images[0]}},{type:\"text\",text:.question}]}]}" <p | head -n1) &&
	SIM_URL=$exact &&
	test "$(sim_code /v1/chat/completions "$body")" = 200
'

test_case 'step error 0: every step correct, final answer right' '
	SIM_URL=$exact &&
	jq -r .question "$test_root/problems" | while read -r q; do
		echo "$q" >q &&
		solve "$q" | jq -r ".choices[0].message.content" >sol &&
		check q sol >c &&
		! grep -q " -$" c &&
		test "$(grep -c " +$" c)" = "$(sed -n "s/^ops //p" c)" &&
		test "$(sed -n "s/^final //p" c)" = "$(sed -n "s/^truth //p" c)" || return 1
	done
'

test_case 'steps are separated by blank lines, one operation each' '
	SIM_URL=$exact &&
	head -n1 "$test_root/problems" | jq -r .question >q &&
	solve "$(cat q)" | jq -r ".choices[0].message.content" >sol &&
	awk "BEGIN { RS = \"\" } { n++ } END { print n }" sol >pieces &&
	check q /dev/null >c &&
	test "$(cat pieces)" = "$(sed -n "s/^ops //p" c)"
'

test_case 'step error 1: every step wrong' '
	SIM_URL=$wrong &&
	head -n1 "$test_root/problems" | jq -r .question >q &&
	solve "$(cat q)" | jq -r ".choices[0].message.content" >sol &&
	check q sol >c &&
	! grep -q " +$" c &&
	grep -q " -$" c
'

test_case 'step error 0.3: errors occur and carry into the next step' '
	SIM_URL=$noisy &&
	jq -r .question "$test_root/problems" | while read -r q; do
		echo "$q" >q &&
		solve "$q" "{\"n\":4}" | jq -r ".choices[].message.content" >sols &&
		check q sols || return 1
	done >all &&
	grep -q " -$" all && grep -q " +$" all &&
	jq -r .question "$test_root/problems" | head -n3 | while read -r q; do
		solve "$q" "{\"n\":4}" | jq -r ".choices[].message.content"
	done | awk "
		/^Step 1:/ { prev = \"\" }
		/^Step [0-9]+:/ { e = \$0; sub(/.*, so /, \"\", e); split(e, t, \" \");
			if (prev != \"\" && t[1] != prev) bad++; prev = t[5]; sub(/\\.\$/, \"\", prev) }
		END { exit bad > 0 }"
'

test_case '\boxed in the prompt gives a boxed final line' '
	SIM_URL=$exact &&
	head -n1 "$test_root/problems" | jq -r .question >q &&
	solve "Put the answer in \\boxed{}. $(cat q)" | jq -r ".choices[0].message.content" >sol &&
	tail -n1 sol | grep -Eq "^\\\\boxed\\{-?[0-9]+\\}$" &&
	check q sol >c &&
	test "$(sed -n "s/^final //p" c)" = "$(sed -n "s/^truth //p" c)"
'

# continue_body QUESTION PREFIX [N]: a continuation request
continue_body() {
	jq -cn --arg q "$1" --arg p "$2" --argjson n "${3:-1}" \
		"{messages:[{role:\"user\",content:(\"Solve step by step. \" + \$q)},{role:\"assistant\",content:\$p}],
		  continue_final_message:true, add_generation_prompt:false, n:\$n, seed:5}"
}

test_case 'continuation resumes after the last complete step' '
	SIM_URL=$noisy &&
	sed -n 2p "$test_root/problems" | jq -r .question >q &&
	solve "$(cat q)" | jq -r ".choices[0].message.content" >sol &&
	awk "BEGIN { RS = \"\"; ORS = \"\" } NR <= 2 { if (NR > 1) print \"\\n\\n\"; print }" sol >prefix &&
	sim_post /v1/chat/completions "$(continue_body "$(cat q)" "$(cat prefix)" 4)" >out &&
	test "$(jq ".choices | length" out)" = 4 &&
	for i in 0 1 2 3; do
		jq -j ".choices[$i].message.content" out >cont &&
		test "$(head -c2 cont | od -An -c | tr -d " ")" = "\\n\\n" &&
		{ cat prefix; cat cont; echo; } >full &&
		check q full >c &&
		test "$(grep -c "^[0-9]* [-+]$" c)" = "$(sed -n "s/^ops //p" c)" &&
		grep -q "^3 " c &&
		! grep -q "^Step 1:" cont || return 1
	done &&
	jq -r ".choices[].message.content" out | sort -u | wc -l >distinct &&
	test "$(cat distinct)" -gt 1
'

test_case 'with step error 0, a continuation is right iff the prefix is' '
	SIM_URL=$exact &&
	sed -n 3p "$test_root/problems" | jq -r .question >q &&
	solve "$(cat q)" | jq -r ".choices[0].message.content" >sol &&
	awk "BEGIN { RS = \"\"; ORS = \"\" } NR == 1" sol >good &&
	sed "s/= \(-*[0-9]*\)\.\$/= 1\1./" good >bad &&
	! cmp -s good bad &&
	sim_post /v1/chat/completions "$(continue_body "$(cat q)" "$(cat good)")" | jq -j ".choices[0].message.content" >cg &&
	sim_post /v1/chat/completions "$(continue_body "$(cat q)" "$(cat bad)")" | jq -j ".choices[0].message.content" >cb &&
	{ cat good cg; echo; } >fg && { cat bad cb; echo; } >fb &&
	check q fg >c1 && check q fb >c2 &&
	test "$(sed -n "s/^final //p" c1)" = "$(sed -n "s/^truth //p" c1)" &&
	test "$(sed -n "s/^final //p" c2)" != "$(sed -n "s/^truth //p" c2)" &&
	grep -q "^1 -$" c2 && grep -q "^2 -$" c2
'

test_case 'a complete prefix gets only the final line' '
	SIM_URL=$exact &&
	sed -n 4p "$test_root/problems" | jq -r .question >q &&
	solve "$(cat q)" | jq -r ".choices[0].message.content" >sol &&
	grep -v "^Final answer" sol | awk "BEGIN { RS = \"\"; ORS = \"\" } { if (NR > 1) print \"\\n\\n\"; print }" >prefix &&
	sim_post /v1/chat/completions "$(continue_body "$(cat q)" "$(cat prefix)")" | jq -j ".choices[0].message.content" >cont &&
	printf "\nFinal answer: %s" "$(sed -n "s/^Final answer: //p" sol)" >expect &&
	test_cmp expect cont
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
