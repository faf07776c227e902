/*
 * sim_condor.c — Condor behaviours. Marker words are per-language data
 * (struct condor_lang), not code: the English and Chinese replies are
 * built by the same functions. Text pulled from the prompt (theme, task,
 * question, answer, tree path) goes into fixed sentence templates chosen
 * by the choice's random stream.
 */
#include "sim/sim_condor.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim_text.h"
#include "core/util.h"

struct condor_lang {
	const char *level[3];
	const char *q_start, *q_end;
	const char *a_start, *a_end;
	const char *critique[2], *strength[2], *weakness[2], *suggestion[2];
	const char *suggestion_alt[2];	/* used instead when the prompt names it */
	const char *improved[2];
	const char *theme_label[2], *task_label[2], *path_label[3];
	const char *path_quote[2];	/* a quoted path: opening text, closing quote */
	const char *default_theme, *default_task, *default_topic;
	const char *none;
	const char *questions[3][3];	/* [level][variant], %s = theme, task */
	const char *strengths[2], *weaknesses[2], *suggestions[2];	/* %s = topic */
	const char *improvement;	/* %s = topic, topic */
	const char *tree_intro;		/* %s = leaf */
	const char *tree_root_intro;	/* when the prompt names no path */
	const char *tree_roots[10];
	const char *subtopics[12];	/* %s = leaf */
	const char *prose_before, *prose_after;
};

static const struct condor_lang en = {
	.level = { "[Easy]", "[Medium]", "[Hard]" },
	.q_start = "[Question Start]", .q_end = "[Question End]",
	.a_start = "[Answer Start]", .a_end = "[Answer End]",
	.critique = { "[Critique Start]", "[Critique End]" },
	.strength = { "[Strength Start]", "[Strength End]" },
	.weakness = { "[Weakness Start]", "[Weakness End]" },
	.suggestion = { "[Suggestion Start]", "[Suggestion End]" },
	.improved = { "[Improved Answer Start]", "[Improved Answer End]" },
	.theme_label = { "Theme:", "theme:" },
	.task_label = { "Task:", "task:" },
	.path_label = { "Path:", "Topic:", "path:" },
	.path_quote = { "topic \"", "\"" },
	.default_theme = "everyday life", .default_task = "Domain Knowledge QA",
	.default_topic = "the topic",
	.none = "None",
	.questions = {
		{ "What is %s, and why does it matter in everyday life? (%s)",
		  "Can you explain the basic idea of %s in simple terms, with one example? (%s)",
		  "What is one common activity that involves %s, and how does it work? (%s)" },
		{ "A friend is starting a small project that involves %s. Describe the three most important steps and one common mistake to avoid. (%s)",
		  "Compare two different approaches to %s and explain when each one is the better choice. (%s)",
		  "A student read a short article about %s but found it confusing. Explain its main points clearly and give two examples. (%s)" },
		{ "A city council must decide on a policy related to %s. Considering costs, benefits and long-term effects, write a reasoned recommendation and address the strongest objection to it. (%s)",
		  "Experts disagree about the future of %s. Present the two strongest opposing views, weigh the evidence for each, and say which you find more convincing and why. (%s)",
		  "Design a one-week learning plan for an adult with no background in %s who must use it at work; justify the order of topics and explain how to check progress. (%s)" },
	},
	.strengths = { "The answer addresses %s directly and is easy to follow.",
		       "It is well organised and covers the main points about %s." },
	.weaknesses = { "It does not give a concrete example about %s.",
			"It is rather brief and leaves out why %s matters." },
	.suggestions = { "Add a concrete example about %s and a one-sentence summary at the end.",
			 "Explain the reasoning behind each point about %s more fully." },
	.improvement = "To make this concrete, consider an example: %s shows up in many everyday situations, and looking closely at one of them shows how the ideas above apply in practice. In short, the points above about %s fit together into one consistent picture.",
	.tree_intro = "Here are some sub-topics of %s:\n",
	.tree_root_intro = "Here are some top-level domains:\n",
	.tree_roots = { "Science", "History", "Arts", "Technology", "Health", "Sports",
			"Economics", "Philosophy", "Cooking", "Travel" },
	.subtopics = { "History of %s", "Key concepts in %s", "%s in everyday life",
		       "Applications of %s", "Famous figures in %s", "Tools and methods of %s",
		       "Ethics of %s", "The future of %s", "%s for beginners",
		       "Common myths about %s", "%s around the world", "Careers in %s" },
	.prose_before = "Sure! Here is what you asked for:\n\n",
	.prose_after = "\n\nI hope this helps.",
};

static const struct condor_lang zh = {
	.level = { "[简单]", "[中等]", "[困难]" },
	.q_start = "[问题开始]", .q_end = "[问题结束]",
	.a_start = "[回答开始]", .a_end = "[回答结束]",
	.critique = { "[评价开始]", "[评价结束]" },
	.strength = { "[优点开始]", "[优点结束]" },
	.weakness = { "[缺点开始]", "[缺点结束]" },
	.suggestion = { "[建议开始]", "[建议结束]" },
	.suggestion_alt = { "[改进意见开始]", "[改进意见结束]" },
	.improved = { "[改进回答开始]", "[改进回答结束]" },
	.theme_label = { "主题：", "主题:" },
	.task_label = { "任务：", "任务:" },
	.path_label = { "路径：", "路径:", "话题：" },
	.path_quote = { "话题“", "”" },
	.default_theme = "日常生活", .default_task = "领域知识问答",
	.default_topic = "这个话题",
	.none = "无",
	.questions = {
		{ "什么是%s？它在日常生活中为什么重要？（%s）",
		  "请用简单的语言解释%s的基本概念，并举一个例子。（%s）",
		  "日常生活中有哪些常见活动与%s有关？请说明其原理。（%s）" },
		{ "一位朋友正准备开展一个与%s有关的小项目。请说明最重要的三个步骤，以及需要避免的一个常见错误。（%s）",
		  "请比较%s的两种不同做法，并说明各自更适合的情况。（%s）",
		  "一名学生读了一篇关于%s的短文，但觉得难以理解。请清楚地解释其要点，并举两个例子。（%s）" },
		{ "某市议会需要制定一项与%s相关的政策。请综合考虑成本、收益和长期影响，给出有理有据的建议，并回应最有力的反对意见。（%s）",
		  "专家们对%s的未来看法不一。请介绍两种最有力的对立观点，评估各自的依据，并说明你更认同哪一种及其原因。（%s）",
		  "请为一位没有%s基础、但工作中必须用到它的成年人设计一周学习计划，说明主题安排的理由以及检验进度的方法。（%s）" },
	},
	.strengths = { "回答直接回应了关于%s的问题，条理清晰。",
		       "回答结构合理，涵盖了%s的主要方面。" },
	.weaknesses = { "缺少与%s相关的具体例子。",
			"回答较为简略，没有说明%s的重要性。" },
	.suggestions = { "补充一个关于%s的具体例子，并在结尾加以总结。",
			 "更充分地解释关于%s的每个观点背后的理由。" },
	.improvement = "举例来说，%s在日常生活中很常见，仔细观察其中一个例子，就能看到上述观点在实践中的应用。总之，以上关于%s的要点共同构成了一个完整的认识。",
	.tree_intro = "以下是%s的子主题：\n",
	.tree_root_intro = "以下是一些顶层领域：\n",
	.tree_roots = { "科学", "历史", "艺术", "技术", "健康", "体育", "经济", "哲学",
			"烹饪", "旅行" },
	.subtopics = { "%s的历史", "%s的基本概念", "日常生活中的%s", "%s的应用",
		       "%s领域的著名人物", "%s的工具与方法", "%s的伦理问题", "%s的未来",
		       "%s入门", "关于%s的常见误区", "世界各地的%s", "%s相关职业" },
	.prose_before = "好的，以下是你需要的内容：\n\n",
	.prose_after = "\n\n希望对你有帮助。",
};

/* The first of a language's labels found in the prompt, or the default. */
static char *labelled(const char *prompt, const char *const *labels, size_t n, const char *dflt)
{
	for (size_t i = 0; i < n; i++) {
		char *v = labels[i] ? sim_text_after_label(prompt, labels[i]) : NULL;

		if (v)
			return v;
	}
	return dflt ? xstrdup(dflt) : NULL;
}

/* A short phrase naming what a question is about. */
static char *topic_of(const char *question, const struct condor_lang *L)
{
	char *kw[1];

	if (L == &zh) {
		char *s = sim_text_first_sentence(question);

		if (*s)
			return s;
		free(s);
	} else if (sim_text_keywords(question, kw, 1)) {
		return kw[0];
	}
	return xstrdup(L->default_topic);
}

static void add_marked(struct sbuf *out, const char *const marks[2], const char *text, int end)
{
	sbuf_addstr(out, marks[0]);
	sbuf_addstr(out, text);
	if (end)
		sbuf_addstr(out, marks[1]);
}

static void questions(const char *prompt, const struct condor_lang *L, struct sim_rng *rng,
		      int bad, double drop_level, struct sbuf *out)
{
	/* drawn only when asked for, so other replies keep their streams */
	int drop = drop_level > 0 && sim_rng_unit(rng) < drop_level ? (int)sim_rng_below(rng, 3) : -1;
	int first = 1;
	char *theme = labelled(prompt, L->theme_label, 2, L->default_theme);
	char *task = labelled(prompt, L->task_label, 2, L->default_task);
	const char *args[2] = { theme, task };
	const char *qmarks[2] = { L->q_start, L->q_end };

	for (int lv = 0; lv < 3; lv++) {
		struct sbuf q = SBUF_INIT;

		sim_text_fill(&q, L->questions[lv][sim_rng_below(rng, 3)], args);
		if ((bad == 2 && lv == 1) || lv == drop) {	/* a missing level */
			sbuf_release(&q);
			continue;
		}
		if (!first)
			sbuf_addstr(out, "\n\n");
		first = 0;
		sbuf_addstr(out, L->level[lv]);
		add_marked(out, qmarks, q.buf, !(bad == 0 && lv == 2));
		sbuf_release(&q);
	}
	free(theme);
	free(task);
}

static void critique(const char *prompt, const char *last_user, const struct condor_lang *L,
		     struct sim_rng *rng, int bad, struct sbuf *out)
{
	char *question = sim_text_between(prompt, L->q_start, L->q_end);
	char *topic = topic_of(question ? question : last_user, L);
	const char *args[1] = { topic };
	struct sbuf part = SBUF_INIT;
	const char *const *suggestion = L->suggestion_alt[0] && strstr(prompt, L->suggestion_alt[0]) ?
		L->suggestion_alt : L->suggestion;

	sbuf_addstr(out, L->critique[0]);
	sbuf_addch(out, '\n');
	sim_text_fill(&part, L->strengths[sim_rng_below(rng, 2)], args);
	add_marked(out, L->strength, part.buf, 1);
	sbuf_addch(out, '\n');
	sbuf_reset(&part);
	if (sim_rng_unit(rng) < 0.3)
		sbuf_addstr(&part, L->none);
	else
		sim_text_fill(&part, L->weaknesses[sim_rng_below(rng, 2)], args);
	add_marked(out, L->weakness, part.buf, 1);
	sbuf_reset(&part);
	sim_text_fill(&part, L->suggestions[sim_rng_below(rng, 2)], args);
	if (bad != 2) {		/* 2: the suggestion block is missing */
		sbuf_addch(out, '\n');
		add_marked(out, suggestion, part.buf, 1);
	}
	if (bad != 0) {
		sbuf_addch(out, '\n');
		sbuf_addstr(out, L->critique[1]);
	}
	sbuf_release(&part);
	free(topic);
	free(question);
}

static void refine(const char *prompt, const char *last_user, const struct condor_lang *L,
		   int bad, struct sbuf *out)
{
	char *question = sim_text_between(prompt, L->q_start, L->q_end);
	char *answer = sim_text_between(prompt, L->a_start, L->a_end);
	char *topic = topic_of(question ? question : last_user, L);
	const char *args[2] = { topic, topic };
	struct sbuf text = SBUF_INIT;

	if (answer && *answer) {
		sbuf_addstr(&text, answer);
		sbuf_addstr(&text, "\n\n");
	}
	sim_text_fill(&text, L->improvement, args);
	add_marked(out, L->improved, text.buf, bad != 0);
	sbuf_release(&text);
	free(topic);
	free(answer);
	free(question);
}

/* The last segment of a tree path "A - B - C" (also "->", ">", "/", "-"). */
static char *path_leaf(const char *path)
{
	static const char *const seps[] = { " - ", "->", " > ", ">", "/", "-" };

	for (size_t i = 0; i < ARRAY_SIZE(seps); i++) {
		const char *p = strstr(path, seps[i]), *last = NULL;

		for (; p; p = strstr(p + 1, seps[i]))
			last = p;
		if (last)
			return sim_text_trim(last + strlen(seps[i]), strlen(last + strlen(seps[i])));
	}
	return xstrdup(path);
}

static void tree(const char *prompt, const struct condor_lang *L, struct sim_rng *rng,
		 int bad, struct sbuf *out)
{
	char *path = labelled(prompt, L->path_label, 3, NULL);
	char *leaf;
	char quote = sim_rng_below(rng, 2) ? '\'' : '"';
	size_t n = (size_t)sim_rng_range(rng, 3, 6), idx[6];
	const char *args[1];

	if (!path)
		path = sim_text_between(prompt, L->path_quote[0], L->path_quote[1]);
	leaf = path ? path_leaf(path) : NULL;
	args[0] = leaf;
	if (leaf && !*leaf) {
		free(leaf);
		leaf = NULL;
	}
	if (leaf) {
		sim_text_fill(out, L->tree_intro, args);
		sim_rng_pick_distinct(rng, ARRAY_SIZE(L->subtopics), n, idx);
	} else {
		sbuf_addstr(out, L->tree_root_intro);
		sim_rng_pick_distinct(rng, ARRAY_SIZE(L->tree_roots), n, idx);
	}
	sbuf_addch(out, '[');
	for (size_t i = 0; i < n; i++) {
		struct sbuf item = SBUF_INIT;
		char q;

		if (leaf)
			sim_text_fill(&item, L->subtopics[idx[i]], args);
		else
			sbuf_addstr(&item, L->tree_roots[idx[i]]);
		/* Python repr's rule: switch quotes when the text holds one. */
		q = strchr(item.buf, quote) ? (quote == '"' ? '\'' : '"') : quote;
		sbuf_addf(out, "%s%c%s%c", i ? ", " : "", q, item.buf, q);
		sbuf_release(&item);
	}
	if (bad != 0 && bad != 2)	/* those two leave the list unclosed */
		sbuf_addch(out, ']');
	free(leaf);
	free(path);
}

int sim_condor_reply(const char *prompt, const char *last_user, struct sim_rng *rng,
		     double malformed, double drop_level, struct sbuf *out)
{
	const struct condor_lang *langs[2] = { &en, &zh }, *L;
	/* bad: -1 well-formed; else which malformation (0 end marker, 1 prose, 2 missing part) */
	int bad = sim_rng_unit(rng) < malformed ? (int)sim_rng_below(rng, 3) : -1;
	size_t start = out->len;

	for (int i = 0; i < 2; i++) {
		L = langs[i];
		if (strstr(prompt, L->improved[0])) {
			refine(prompt, last_user, L, bad == 2 ? 0 : bad, out);
			goto done;
		}
	}
	for (int i = 0; i < 2; i++) {
		L = langs[i];
		if (strstr(prompt, L->critique[0])) {
			critique(prompt, last_user, L, rng, bad, out);
			goto done;
		}
	}
	for (int i = 0; i < 2; i++) {
		L = langs[i];
		if (strstr(prompt, L->q_start) && strstr(prompt, L->level[0])) {
			questions(prompt, L, rng, bad, drop_level, out);
			goto done;
		}
	}
	if (strstr(prompt, "Python 列表") || strstr(prompt, "Python列表")) {
		L = &zh;
		tree(prompt, L, rng, bad, out);
		goto done;
	}
	if (strstr(prompt, "Python list")) {
		L = &en;
		tree(prompt, L, rng, bad, out);
		goto done;
	}
	return 0;
done:
	if (bad == 1) {
		/* Prose around the reply (a well-formed tree list stays parseable). */
		char *body = xstrndup(out->buf + start, out->len - start);

		sbuf_setlen(out, start);
		sbuf_addstr(out, L->prose_before);
		sbuf_addstr(out, body);
		sbuf_addstr(out, L->prose_after);
		free(body);
	}
	return 1;
}
