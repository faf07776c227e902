/*
 * mc_run.h — smelt-mc's work: for each solution record, split it into
 * steps, roll each step's prefix out through the LLM engine as a
 * continued assistant message, check every continuation against the gold
 * answer, and write steps_with_score and labels. Which continuations are
 * asked for is mc_plan.h's business; this module turns its batches into
 * requests and answers into results.
 *
 * Input record: "question" (string), "answer" (gold: string or number),
 * optional "images", optional "options" (multiple-choice options) and
 * "answer_mode" (an answer_check mode name for this record), and either
 * "response" (a string, split into steps) or "steps" (a list of strings).
 * Output: the record plus
 *
 *	steps_with_score  [{step, score, num_mc_correct, num_mc_total}]
 *	labels            ["+", "-", null …]  (null: not labelled, first-error)
 *	num_mc_sequences  N
 *	mc                {mode, rollouts, threshold, generations, requests,
 *	                   final_correct, first_error}
 *	provenance        one more entry
 *
 * A score is written only where it is the Monte-Carlo estimate
 * correct/N: in modes full and visualprm (whose skipped steps get 0 and
 * total 0, as VisualPRM writes them). In exact-binary and first-error the
 * score is null and a step carries its label, num_mc_correct and
 * num_mc_total (the samples actually drawn): their ratio is biased up by
 * the early stop, so it must not pass for a soft label.
 *
 * Requests: the prompt is rendered once per record (images included) and
 * every rollout of the record sends those same messages plus the prefix
 * as a final assistant message, so the bytes before the prefix never vary
 * and a server's prefix cache hits. A batch of samples first..first+k-1
 * is one request with n = k and seed = seed + first, or k requests with
 * n = 1 and seeds seed + first + i, as llm_sampling.h decides. smelt-sim
 * gives the same text for sample i either way. vLLM's V1 engine also
 * seeds child i of an n = k request with seed + i, but a sample repeats
 * exactly only under batch-invariant, deterministic settings; so the
 * cheap modes' labels equal full's sample by sample only with
 * --n-mode seeds against a server that reproduces a sample from its seed
 * (smelt-sim), and otherwise have the same distribution.
 */
#ifndef SMELT_MC_RUN_H
#define SMELT_MC_RUN_H

#include <jansson.h>

#include "answer/answer_check.h"
#include "llm/llm_prompt.h"
#include "llm/llm_sampling.h"
#include "prm/mc_plan.h"
#include "prm/step_split.h"
#include "stage/llm_loop.h"
#include "stage/stage.h"

/* How the prefix is marked as something to continue. */
enum mc_continuation {
	MC_CONT_VLLM = 0, /* continue_final_message: true, add_generation_prompt: false */
	MC_CONT_PLAIN,    /* a trailing assistant message, no extra fields */
};

struct mc_run {
	/* set by the stage before mc_run_prepare */
	struct mc_config cfg;
	struct llm_setup llm;              /* prompt, params, images; engine NULL for --dry-run */
	struct answer_opts check;          /* per-record options and question added */
	size_t max_steps;                  /* 0: no merging */
	enum step_merge merge;
	struct llm_sampling sampling;      /* .mode set by the stage */
	enum mc_continuation continuation;

	/* set by mc_run_prepare */
	json_t *provenance;
	json_t *extra;                     /* params.extra with the continuation fields */
	struct llm_params req_params;      /* params with `extra` (borrowed fields) */
	/* figures, updated atomically */
	uint64_t solutions, steps, generations, requests, plus, minus, unlabelled;
	uint64_t final_correct;
	uint64_t no_answer, cut_by_length; /* continuations judged wrong for these reasons */
	/* --dry-run totals (main thread) */
	struct mc_bounds dry;
	uint64_t dry_full;
};

/* Build the provenance entry and request parameters; call once before running. */
void mc_run_prepare(struct mc_run *r);
void mc_run_release(struct mc_run *r);

/* The llm_loop callbacks; ctx is the struct mc_run. */
extern const struct llm_loop_ops mc_run_ops;

/*
 * --dry-run: stage_run callbacks that read and split every record and
 * add up the mc_plan_bounds of each (no output records). ctx is the
 * struct mc_run; call mc_run_dry_summary after the run.
 */
extern const struct stage_ops mc_dry_ops;
/* The plan as {mode, rollouts, solutions, steps, requests: {min, max},
 * generations: {min, max}, full_generations} (new reference). */
json_t *mc_run_dry_summary(const struct mc_run *r);

/* Add the "mc" figures to st->figures. */
void mc_run_figures(struct mc_run *r, struct stage *st);

/* Why a continuation was judged as it was. */
enum mc_why {
	MC_WHY_CHECKED = 0, /* its answer was compared with the gold */
	MC_WHY_NO_ANSWER,   /* the extraction method found no answer in it */
	MC_WHY_LENGTH,      /* finish_reason "length": cut by max_tokens, wrong whatever it says */
};

/*
 * Whether prefix + continuation `text` reaches `gold` under `opts` (its
 * `extract` method alone: EXTRACT_FINAL_ANSWER or EXTRACT_BOXED never
 * fall back to a last number or the whole reply). `finish_reason` may be
 * NULL. Returns 1 or 0 and sets *why.
 */
int mc_continuation_correct(const char *text, const char *finish_reason, const char *gold,
			    const struct answer_opts *opts, enum mc_why *why);

/* "vllm" / "plain" -> enum; -1 if unknown. */
int mc_continuation_parse(const char *s);

#endif
