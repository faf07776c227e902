/*
 * smelt-prm-score — per-step P("+") from a process reward model behind an
 * OpenAI-compatible server: VisualPRM's chat formulation read from
 * logprobs, or vLLM's step-reward pooling. Writes step_scores, which
 * smelt-prm-eval and smelt-bon read. See stages/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "prm/prm_score.h"
#include "prm/prm_score_run.h"
#include "prm/step_split.h"
#include "stage/llm_stage.h"

static const char score_help[] =
	"Input records: question, and the steps at --steps, else steps (a list), else\n"
	"response.steps (VisualProcessBench), else response (split on blank lines as\n"
	"smelt-mc splits it); optional images / image. Output: the record plus\n"
	"step_scores (P(\"+\") per step; null when the answer holds neither label) and a\n"
	"provenance entry.\n\n"
	"chat (default): VisualPRM's conversation — its system prompt, the question and\n"
	"step 0 in the first user turn (\"### Question:\\n…\\n\\n### Solution Process:\\n…\"),\n"
	"one step per later user turn, earlier assistant turns \"+\" — and a one-token\n"
	"completion per step (max_tokens 1, temperature 0, logprobs, top_logprobs);\n"
	"P(\"+\") = p(+) / (p(+) + p(-)) over the first token's candidates.\n"
	"pooling: one POST /pooling per solution with Math-Shepherd's tagged input\n"
	"(\"<question> <step 0> ки\\n<step 1> ки…\") for a model served with vLLM's STEP\n"
	"pooler; each tag's row [p(+), p(-)] gives P(\"+\"). Text only.\n\n";

STAGE_OPTIONS(ps_options,
	"backend=HOW       chat (default) or pooling\n"
	"question=PATH     the question (default question)\n"
	"steps=PATH        the steps, a list of strings (default: see above)\n"
	"into=PATH         where the scores go (default step_scores)\n"
	"max-steps=N       merge a response string of more pieces down (default 12; 0: never)\n"
	"merge=HOW         chunk (VisualPRM's, default) or even\n"
	"system-prompt=TEXT  chat: the system turn (default VisualPRM's)\n"
	"first-turn=TEXT   chat: the first user turn, {question} and {step} replaced\n"
	"                  (default VisualPRM's wrapping)\n"
	"keep-suffixes     chat: keep short-answer instructions at the end of questions\n"
	"plus=TOKEN        the \"correct\" label (default +)\n"
	"minus=TOKEN       the \"incorrect\" label (default -; also U+2212)\n"
	"top-logprobs=K    chat: candidates asked for (default 20)\n"
	"tag=TAG           pooling: the step tag (default ки, Math-Shepherd's)\n"
	"plus-col=I        pooling: column of p(+) in a tag's row (default 0)\n"
	"minus-col=I       pooling: column of p(-) (default 1; -1: the row's value is P(+))\n",
	OPT_BACKEND, OPT_QUESTION, OPT_STEPS, OPT_INTO, OPT_MAX_STEPS, OPT_MERGE, OPT_SYSTEM_PROMPT,
	OPT_FIRST_TURN, OPT_KEEP_SUFFIXES, OPT_PLUS, OPT_MINUS, OPT_TOP_LOGPROBS, OPT_TAG, OPT_PLUS_COL,
	OPT_MINUS_COL);

static const char *const no_suffixes[] = { NULL };

static int ps_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct prm_score_run *r = ctx;

	switch (id) {
	case OPT_BACKEND:
		if (prm_backend_parse(arg, &r->opts.backend) < 0)
			stage_usage_error(st, "--backend wants chat or pooling, not '%s'", arg);
		return 0;
	case OPT_QUESTION: r->question = stage_arg_field(st, "--question", arg); return 0;
	case OPT_STEPS: r->steps = stage_arg_field(st, "--steps", arg); return 0;
	case OPT_INTO: r->into = stage_arg_field(st, "--into", arg); return 0;
	case OPT_MAX_STEPS: r->max_steps = (size_t)stage_arg_long(st, "--max-steps", arg, 0, 1000000); return 0;
	case OPT_MERGE:
		if (step_merge_parse(arg, &r->merge) < 0)
			stage_usage_error(st, "--merge wants chunk or even, not '%s'", arg);
		return 0;
	case OPT_SYSTEM_PROMPT: r->opts.conv.system_prompt = arg; return 0;
	case OPT_FIRST_TURN: r->opts.conv.first_turn = arg; return 0;
	case OPT_KEEP_SUFFIXES: r->opts.conv.suffixes = no_suffixes; return 0;
	case OPT_PLUS:
	case OPT_MINUS:
		if (!*arg)
			stage_usage_error(st, "--%s wants a token, not an empty string", id == OPT_PLUS ? "plus" : "minus");
		*(id == OPT_PLUS ? &r->opts.plus : &r->opts.minus) = arg;
		return 0;
	case OPT_TOP_LOGPROBS: r->opts.top_logprobs = stage_arg_long(st, "--top-logprobs", arg, 2, 100); return 0;
	case OPT_TAG:
		if (!*arg)
			stage_usage_error(st, "--tag wants a step tag, not an empty string");
		r->opts.conv.tag = arg;
		return 0;
	case OPT_PLUS_COL: r->opts.plus_col = stage_arg_long(st, "--plus-col", arg, 0, 1000000); return 0;
	case OPT_MINUS_COL: r->opts.minus_col = stage_arg_long(st, "--minus-col", arg, -1, 1000000); return 0;
	}
	return -1;
}

static const struct llm_stage_def ps_stage = {
	.name = "smelt-prm-score", .help = score_help, .options = &ps_options, .option = ps_option,
	.summary = "Score solution steps with a process reward model: P(\"+\") per step.",
	.example = "smelt-prm-score --endpoint http://localhost:8000/v1 --model OpenGVLab/VisualPRM-8B \\\n"
		   "      visualprocessbench.jsonl -o scored.jsonl && smelt-prm-eval scored.jsonl",
};

int main(int argc, char **argv)
{
	struct prm_score_run r = { .question = "question", .into = "step_scores",
				   .max_steps = STEP_MAX_DEFAULT, .merge = STEP_MERGE_CHUNK };
	struct llm_stage ls;

	prm_score_opts_init(&r.opts);
	llm_stage_init(&ls, &ps_stage, &r);
	llm_stage_parse(&ls, argc, argv);
	if (ls.lo.params.n)
		stage_usage_error(&ls.st, "--n is not used here: a PRM is asked once per step");
	llm_stage_options_finish(&ls);
	if (llm_stage_prompt(&ls, NULL) < 0) {
		ls.st.failed = 1;
		return llm_stage_finish(&ls);
	}
	llm_stage_setup(&ls, &ls.prompt, &r.llm);
	prm_score_run_prepare(&r);
	if ((r.llm.engine = llm_stage_engine(&ls))) {
		llm_stage_run(&ls, &prm_score_run_ops, &r);
		prm_score_run_figures(&r, &ls.st);
	}
	prm_score_run_release(&r);
	return llm_stage_finish(&ls);
}
