/*
 * sim_judge_pick.c — the stand-in OmniAlign-V judge (see sim_judge_pick.h).
 */
#include "sim/sim_judge_pick.h"

#include <stdio.h>
#include <string.h>

#include "sim/sim_text.h"

struct judge_lang {
	const char *reference, *verdict_hint, *answer_head; /* triggers; "[Answer %s]" */
	const char *reason, *bare, *ordinal, *line, *both, *none_prose;
	const char *const *ordinals; /* 1..10 */
	const char *none_tag;
};

static const char *const en_ordinals[] = { "", "first", "second", "third", "fourth", "fifth", "sixth",
					   "seventh", "eighth", "ninth", "tenth" };
static const char *const zh_ordinals[] = { "", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十" };

static const struct judge_lang en = {
	"[Reference Answer]", "[[none]]", "[Answer %s]",
	"Answer %s departs furthest from the reference answer: it describes the image differently and "
	"leaves out what the reference stresses. The other answers stay close to it.\n\n[[%s]]",
	"Answer %s",
	"The %s answer deviates most from the reference.",
	"Compared with the reference, the answers differ in detail and emphasis.\nVerdict: %s",
	"Answers 1 and 2 both deviate from the reference in different ways.",
	"All answers agree with the reference in substance.\n\n[[none]]",
	en_ordinals, "None.",
};

static const struct judge_lang zh = {
	"[参考回答]", "[[无]]", "[回答%s]",
	"回答%s与参考回答的差异最大：它对图像的描述不同，也遗漏了参考回答强调的内容。其他回答与参考回答接近。\n\n[[%s]]",
	"回答%s",
	"第%s个回答偏离参考回答最多。",
	"与参考回答相比，各回答在细节和侧重点上有所不同。\n结论：回答%s",
	"回答1和回答2都以不同方式偏离了参考回答。",
	"各回答与参考回答在实质上一致。\n\n[[无]]",
	zh_ordinals, "无",
};

/* The number of answers: the highest k with its heading in the prompt (at most 99). */
static int count_answers(const char *prompt, const struct judge_lang *L)
{
	struct sbuf head = SBUF_INIT;
	char num[16];
	const char *args[1] = { num };
	int n = 0;

	for (int k = 1; k <= 99; k++) {
		snprintf(num, sizeof(num), "%d", k);
		sbuf_reset(&head);
		sim_text_fill(&head, L->answer_head, args);
		if (strstr(prompt, head.buf))
			n = k;
	}
	sbuf_release(&head);
	return n;
}

int sim_judge_pick_reply(const char *prompt, struct sim_rng *rng, struct sbuf *out)
{
	const struct judge_lang *L = strstr(prompt, zh.reference) ? &zh : strstr(prompt, en.reference) ? &en : NULL;
	char num[16], over[16];
	const char *args[2] = { num, num };
	int n, k;
	double u;

	if (!L || !strstr(prompt, L->verdict_hint) || !(n = count_answers(prompt, L)))
		return 0;
	u = sim_rng_unit(rng);
	k = 1 + (int)sim_rng_below(rng, (size_t)n);
	snprintf(num, sizeof(num), "%d", k);
	snprintf(over, sizeof(over), "%d", n + 1);
	if (u < 0.15) {
		/* no answer deviates: the tag, or a bare word, or JSON */
		double f = sim_rng_unit(rng);

		if (f < 0.6)
			sbuf_addstr(out, L->none_prose);
		else if (f < 0.8)
			sbuf_addstr(out, L->none_tag);
		else
			sbuf_addstr(out, "{\"choice\": null}");
		return 1;
	}
	if (u < 0.21) {
		/* cannot be read: two answers named (one answer alone: nothing named) */
		sbuf_addstr(out, n > 1 ? L->both : L == &zh ? "无法判断。" : "I cannot tell.");
		return 1;
	}
	if (u < 0.25) {
		/* an answer that is not there */
		sbuf_addf(out, "[[%s]]", over);
		return 1;
	}
	u = sim_rng_unit(rng);
	if (u < 0.45) {
		sim_text_fill(out, L->reason, args);
	} else if (u < 0.57) {
		sbuf_addf(out, "{\"choice\": %s}", num);
	} else if (u < 0.69) {
		sim_text_fill(out, L->bare, args);
	} else if (u < 0.81 && k <= 10) {
		args[0] = L->ordinals[k];
		sim_text_fill(out, L->ordinal, args);
	} else {
		sim_text_fill(out, L->line, args);
	}
	return 1;
}
