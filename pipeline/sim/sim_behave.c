/*
 * sim_behave.c — picks the behaviour for a prompt and writes the generic
 * answer used when no behaviour's trigger is present. The generic answer
 * reuses the question's keywords, so reward scoring sees it as on-topic.
 */
#include "sim/sim_behave.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim_arith.h"
#include "sim/sim_condor.h"
#include "sim/sim_detect.h"
#include "sim/sim_judge_pick.h"
#include "sim/sim_rng.h"
#include "sim/sim_text.h"

char *sim_prompt_all_text(const struct sim_prompt *p)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < p->msgs->n; i++) {
		if (i)
			sbuf_addch(&sb, '\n');
		sbuf_addstr(&sb, p->msgs->v[i].text);
	}
	return sbuf_detach(&sb, NULL);
}

const char *sim_prompt_last_user(const struct sim_prompt *p)
{
	for (size_t i = p->msgs->n; i-- > 0;)
		if (!strcmp(p->msgs->v[i].role, "user"))
			return p->msgs->v[i].text;
	return "";
}

const char *sim_prompt_prefix(const struct sim_prompt *p)
{
	return p->continuation ? p->msgs->v[p->msgs->n - 1].text : NULL;
}

static const char *const en_middle[] = {
	"First, %s connects directly to %s, so it helps to look at both together.",
	"A useful way to think about %s is to start from a simple, concrete case and then add %s.",
	"Experts usually point out that %s changes with context, and %s is a good example of that.",
	"For example, a familiar everyday situation involving %s shows the main idea of %s clearly.",
	"It is also worth noting how %s and %s influence each other over time.",
};

static const char *const zh_middle[] = {
	"首先，%s的核心在于理解其基本概念和适用范围。",
	"其次，在实际生活中，%s常常与具体情境密切相关。",
	"举一个简单的例子，日常生活中的许多现象都与%s有关。",
	"此外，不同的人对%s可能有不同的看法，需要具体分析。",
};

static void generic_zh(const char *question, struct sim_rng *rng, int continuing, struct sbuf *out)
{
	char *topic = sim_text_first_sentence(question);
	const char *args[2] = { topic, topic };
	size_t idx[3], want = 2 + sim_rng_below(rng, 2);

	if (!*topic) {
		free(topic);
		topic = xstrdup("这个问题");
		args[0] = args[1] = topic;
	}
	if (!continuing)
		sim_text_fill(out, "关于“%s”，可以从以下几个方面来理解。", args);
	sim_rng_pick_distinct(rng, ARRAY_SIZE(zh_middle), want, idx);
	for (size_t k = 0; k < want; k++)
		sim_text_fill(out, zh_middle[idx[k]], args);
	sim_text_fill(out, "总之，理解%s需要结合理论和实践。", args);
	free(topic);
}

static void generic_en(const char *question, struct sim_rng *rng, int continuing, struct sbuf *out)
{
	char *kw[6] = { NULL };
	const char *w[6];
	size_t n = sim_text_keywords(question, kw, ARRAY_SIZE(kw)), idx[3], want;

	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		w[i] = i < n ? kw[i] : n ? kw[i % n] : "this topic";
	if (!continuing) {
		sbuf_addstr(out, n > 1 ? "This question is about " : "Here is a clear answer about ");
		for (size_t i = 0; i < (n > 1 ? n : 1); i++) {
			if (i)
				sbuf_addstr(out, i + 1 == n ? " and " : ", ");
			sbuf_addstr(out, w[i]);
		}
		sbuf_addstr(out, ". ");
	}
	want = 2 + sim_rng_below(rng, 2);
	sim_rng_pick_distinct(rng, ARRAY_SIZE(en_middle), want, idx);
	for (size_t k = 0; k < want; k++) {
		size_t first = (k + idx[k]) % (n ? n : 1);
		const char *args[2] = { w[first], w[(first + 1) % (n > 1 ? n : 1)] };

		sim_text_fill(out, en_middle[idx[k]], args);
		sbuf_addch(out, ' ');
	}
	sim_text_fill(out, "In summary, %s and %s are best understood together, and keeping both in mind gives a complete picture.", w);
	for (size_t i = 0; i < n; i++)
		free(kw[i]);
}

static void generic_answer(const struct sim_prompt *p, struct sim_rng *rng, struct sbuf *out)
{
	const char *prefix = sim_prompt_prefix(p);
	const char *question = sim_prompt_last_user(p);

	if (prefix && *prefix)
		sbuf_addch(out, ' ');
	if (sim_text_has_cjk(question))
		generic_zh(question, rng, prefix != NULL, out);
	else
		generic_en(question, rng, prefix != NULL, out);
}

/* Every message's text but the assistant prefix being continued. */
static char *context_text(const struct sim_prompt *p)
{
	struct sim_messages head = *p->msgs;
	struct sim_prompt q = *p;

	if (p->continuation)
		head.n--;
	q.msgs = &head;
	return sim_prompt_all_text(&q);
}

void sim_behave_reply(const struct sim_prompt *p, int64_t seed, struct sbuf *out)
{
	uint64_t stream = sim_mix2(p->content, (uint64_t)seed);
	char *context = context_text(p);
	struct sim_problem problem;
	struct sim_rng rng;

	sim_rng_init(&rng, stream, 0);
	if (sim_arith_find(context, &problem))
		sim_arith_solve_ex(&problem, sim_prompt_prefix(p), strstr(context, "\\boxed") != NULL,
				   p->cfg->step_error, p->cfg->sloppy_ending, stream, out);
	else if (!p->continuation && sim_detect_reply(context, &rng, out))
		; /* a detection prompt (sim_detect.h) */
	else if (p->continuation ||
		 (!sim_judge_pick_reply(context, &rng, out) &&
		  !sim_condor_reply(context, sim_prompt_last_user(p), &rng,
				    p->cfg->condor_malformed, p->cfg->condor_drop_level, out)))
		generic_answer(p, &rng, out);
	free(context);
}
