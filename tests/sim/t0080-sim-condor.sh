#!/bin/sh
# Condor behaviours in English and Chinese: marked questions at three
# levels, critiques (some with no weakness), refinements, tree growth as a
# Python list, and deliberately malformed replies on request.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start
good=$SIM_URL
sim_start --condor-malformed 1
bad=$SIM_URL
SIM_URL=$good

# choices PROMPT N: the N replies (JSON array of strings) to a prompt.
choices() {
	sim_post /v1/chat/completions "$(chat_body "$1" "{\"n\":$2}")" | jq -c "[.choices[].message.content]"
}

# strict.py KIND LANG < replies.json: exit 0 iff every reply is well formed.
cat >"$test_root/strict.py" <<'PY'
import json, re, sys
kind, lang = sys.argv[1], sys.argv[2]
M = {
    "en": dict(lv=["Easy", "Medium", "Hard"], qs="Question Start", qe="Question End",
               c=("Critique Start", "Critique End"), parts=[("Strength Start", "Strength End"),
               ("Weakness Start", "Weakness End"), ("Suggestion Start", "Suggestion End")],
               ia=("Improved Answer Start", "Improved Answer End")),
    "zh": dict(lv=["简单", "中等", "困难"], qs="问题开始", qe="问题结束",
               c=("评价开始", "评价结束"), parts=[("优点开始", "优点结束"), ("缺点开始", "缺点结束"),
               ("建议开始", "建议结束")], ia=("改进回答开始", "改进回答结束")),
}[lang]
b = lambda s: re.escape("[" + s + "]")
if kind == "questions":
    pat = r"\n\n".join(b(l) + b(M["qs"]) + r"[^\[\]]+" + b(M["qe"]) for l in M["lv"])
elif kind == "critique":
    pat = b(M["c"][0]) + r"\n" + r"\n".join(b(s) + r"[^\[\]]+" + b(e) for s, e in M["parts"]) + r"\n" + b(M["c"][1])
else:
    pat = b(M["ia"][0]) + r"[^\[\]]+" + b(M["ia"][1])
ok = [re.fullmatch(pat, r) is not None for r in json.load(sys.stdin)]
print(json.dumps(ok))
sys.exit(0 if all(ok) else 1)
PY
strict() { python3 "$test_root/strict.py" "$@"; }

qprompt_en="Write three questions, one per difficulty, in the form [Easy][Question Start]...[Question End].
Theme: Coral reefs
Task: Daily Chat"
qprompt_zh="请写三个问题，格式为 [简单][问题开始]…[问题结束]。
主题：珊瑚礁
任务：日常对话"

test_case 'en questions: three marked levels built from Theme and Task' '
	choices "$qprompt_en" 4 >r &&
	strict questions en <r &&
	jq -e "all(.[]; contains(\"Coral reefs\") and contains(\"Daily Chat\"))" r &&
	choices "$qprompt_en" 4 >r2 && test_cmp r r2
'

test_case 'zh questions: Chinese markers and words' '
	choices "$qprompt_zh" 4 >r &&
	strict questions zh <r &&
	jq -e "all(.[]; contains(\"珊瑚礁\") and contains(\"日常对话\"))" r
'

crit_en="Critique the answer. [Question Start]Why do coral reefs bleach when the ocean warms?[Question End]
[Answer Start]Because of heat.[Answer End]
Reply as [Critique Start][Strength Start]...[Strength End][Weakness Start]...[Weakness End][Suggestion Start]...[Suggestion End][Critique End]"
crit_zh="请评价。[问题开始]海水变暖时珊瑚为什么会白化？[问题结束][回答开始]因为热。[回答结束] 格式：[评价开始]…[评价结束]"

test_case 'en critique: strength, weakness, suggestion; about 30% have no weakness' '
	choices "$crit_en" 40 >r &&
	strict critique en <r &&
	jq "[.[] | select(contains(\"[Weakness Start]None[Weakness End]\"))] | length" r >none &&
	test "$(cat none)" -ge 4 && test "$(cat none)" -le 24 &&
	jq -e "all(.[]; contains(\"coral\"))" r
'

test_case 'zh critique: Chinese markers; no weakness is written 无' '
	choices "$crit_zh" 40 >r &&
	strict critique zh <r &&
	jq -e "any(.[]; contains(\"[缺点开始]无[缺点结束]\")) and any(.[]; contains(\"[缺点开始]无[缺点结束]\") | not)" r
'

refine_en="[Question Start]Why do coral reefs bleach?[Question End]
[Answer Start]Warm water stresses the coral, which expels its algae.[Answer End]
[Feedback Start][Critique Start][Suggestion Start]Add an example.[Suggestion End][Critique End][Feedback End]
Write the improved answer as [Improved Answer Start]...[Improved Answer End]"

test_case 'en refinement: the improved answer extends the original' '
	choices "$refine_en" 2 >r &&
	strict refine en <r &&
	jq -e "all(.[]; contains(\"Warm water stresses the coral, which expels its algae.\") and (length > 120))" r
'

test_case 'zh refinement' '
	choices "[问题开始]珊瑚为什么会白化？[问题结束][回答开始]海水变暖使珊瑚排出藻类。[回答结束] 请输出[改进回答开始]…[改进回答结束]" 2 >r &&
	strict refine zh <r &&
	jq -e "all(.[]; contains(\"海水变暖使珊瑚排出藻类。\"))" r
'

# pylist.py < replies.json: the Python list literal of each reply, parsed.
cat >"$test_root/pylist.py" <<'PY'
import ast, json, re, sys
out = []
for r in json.load(sys.stdin):
    lst = ast.literal_eval(re.search(r"\[.*\]", r, re.S).group(0))
    assert isinstance(lst, list) and all(isinstance(x, str) for x in lst), r
    out.append({"items": lst, "quote": r[r.index("[") + 1]})
print(json.dumps(out))
PY

test_case 'tree growth: a Python list of 3-6 distinct sub-topics of the path' '
	choices "List sub-topics of the path below as a Python list.
Path: Science - Marine Biology" 12 >r &&
	python3 "$test_root/pylist.py" <r >lists &&
	jq -e "all(.[]; (.items | length) >= 3 and (.items | length) <= 6
		and (.items | unique | length) == (.items | length)
		and all(.items[]; contains(\"Marine Biology\")))" lists &&
	jq -e "[.[].quote] | unique | length == 2" lists
'

test_case 'tree growth in Chinese, and root topics when no path is given' '
	choices "请用 Python 列表列出下面路径的子主题。
路径：科学 - 海洋生物学" 3 >r &&
	python3 "$test_root/pylist.py" <r >lists &&
	jq -e "all(.[]; all(.items[]; contains(\"海洋生物学\")))" lists &&
	choices "Give the top-level domains of human knowledge as a Python list." 3 >r &&
	python3 "$test_root/pylist.py" <r >lists &&
	jq -e "all(.[]; (.items | length) >= 3)" lists
'

test_case 'tree growth: a path quoted after "topic" (zh 话题“…”) is read too' '
	choices "List 10 sub-topics of the topic \"Health - Sleep Science\" (levels separated by \" - \"). Answer with a Python list of strings, for example: [\"first topic\", \"second topic\"]" 3 >r &&
	python3 "$test_root/pylist.py" <r >lists &&
	jq -e "all(.[]; all(.items[]; contains(\"Sleep Science\")))" lists &&
	choices "请列出话题“健康 - 睡眠科学”下的 10 个子话题。请只用一个 Python 列表回答，例如：[\"第一个话题\", \"第二个话题\"]" 3 >r &&
	python3 "$test_root/pylist.py" <r >lists &&
	jq -e "all(.[]; all(.items[]; contains(\"睡眠科学\")))" lists
'

test_case '--condor-malformed 1: every Condor reply is malformed' '
	SIM_URL=$bad &&
	choices "$qprompt_en" 12 >q &&
	choices "$crit_en" 12 >c &&
	choices "$refine_en" 12 >f &&
	{ strict questions en <q || true; } >ok1 &&
	{ strict critique en <c || true; } >ok2 &&
	{ strict refine en <f || true; } >ok3 &&
	jq -s -e "add | length == 36 and all(. == false)" ok1 ok2 ok3 &&
	jq -e "any(.[]; contains(\"[Medium]\") | not)" q &&
	jq -e "any(.[]; startswith(\"[Easy]\") | not)" q
'

test_case 'prompts without Condor markers get a plain answer' '
	choices "What is the tallest mountain in Africa?" 1 >r &&
	jq -e "all(.[]; contains(\"[\") | not)" r
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
