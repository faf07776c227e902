/*
 * tree_grow.h — grow a World Knowledge Tree with a model, as Condor did:
 * for every leaf above the target depth, ask for sub-topics of its path
 * as a list literal (prompts/condor/LANG/grow.prompt), keep the new names
 * that are not already there, and go on level by level.
 *
 * A level is asked all at once (the engine keeps --concurrency requests
 * in flight) and merged only when every answer is in, in tree order, so
 * the grown tree depends on the answers and not on their arrival order.
 * With --cache the same tree and options give the same requests, so a
 * killed run resumes from the cache and a rerun asks nothing.
 *
 * What is dropped from a proposal, and why:
 *  - names kt_node_add_child refuses (empty, too long, equal to one of
 *    the new siblings after case folding);
 *  - names equal to the node's own name, an ancestor's, or one of the
 *    node's siblings' (a sub-topic of "Cats" called "Dogs" is a sibling,
 *    not a child);
 *  - names past --max-children.
 * A leaf whose reply does not parse after --reparse re-samples stays a
 * leaf and goes to --rejects (kind parse_error) with the raw reply.
 *
 * Used by smelt-tree:
 *
 *	static const struct stage_option opts[] = { ..., TREE_GROW_OPTIONS, { NULL } };
 *	table = tree_grow_options_table(opts);     // adds the LLM options
 *	... the option callback ends with: return tree_grow_option(st, &g, id, arg);
 *	tree_grow(&st, tree, &g, lang);
 */
#ifndef SMELT_TREE_GROW_H
#define SMELT_TREE_GROW_H

#include "condor/knowledge_tree.h"
#include "stage/llm_options.h"
#include "stage/stage.h"

enum {
	TREE_GROW_OPT_DEPTH = 1500,
	TREE_GROW_OPT_MAX_CHILDREN,
	TREE_GROW_OPT_BREADTH,
	TREE_GROW_OPT_PROMPT,
	TREE_GROW_OPT_REPARSE,
};

#define TREE_GROW_OPTIONS \
	{ "depth", 0, 1, TREE_GROW_OPT_DEPTH, "D", \
	  "grow: grow leaves until they are D levels deep (default: one level more)" }, \
	{ "max-children", 0, 1, TREE_GROW_OPT_MAX_CHILDREN, "K", \
	  "grow: children per node at most (default 10)" }, \
	{ "breadth", 0, 1, TREE_GROW_OPT_BREADTH, "B", \
	  "grow: sub-topics to ask for per node (default: --max-children)" }, \
	{ "prompt", 0, 1, TREE_GROW_OPT_PROMPT, "FILE", \
	  "grow: prompt file (default prompts/condor/LANG/grow.prompt)" }, \
	{ "reparse", 0, 1, TREE_GROW_OPT_REPARSE, "N", \
	  "grow: re-sample a reply that is not a list up to N times (default 2)" }

struct tree_grow_opts {
	struct llm_options lo;  /* endpoints, model, cache, ... */
	long depth;             /* 0: one level below the deepest leaf */
	long max_children;
	long breadth;           /* 0: max_children */
	long reparse;
	const char *prompt;     /* NULL: the shipped one for the language */
};

void tree_grow_opts_init(struct tree_grow_opts *o);
void tree_grow_opts_release(struct tree_grow_opts *o);

/*
 * A new option table: `own` followed by the LLM options whose long or
 * short names `own` does not already use (so a stage's own --seed or -n
 * wins). Free it with free().
 */
struct stage_option *tree_grow_options_table(const struct stage_option *own);

/* Parse a grow or LLM option: 0 if parsed, -1 after a usage message
 * (also for an id that is neither). */
int tree_grow_option(struct stage *st, struct tree_grow_opts *o, int id, const char *arg);

/* After parsing, for the grow command only: endpoints and defaults.
 * 0, or -1 after a usage message. */
int tree_grow_finish(struct stage *st, struct tree_grow_opts *o);

/*
 * Grow `t` in place. `lang` (may be NULL: the tree's, else "en") picks the
 * prompt and the names written into it. Opens st's --rejects sink itself
 * (the tree goes to -o as one document, not through st->out). Adds the
 * figures "grow": {asked, proposed, added, dropped, parse_errors,
 * failed, levels} and "llm" to st. Returns 0, or -1 after error() when
 * the prompt, the model or the endpoint cannot be used.
 */
int tree_grow(struct stage *st, struct kt_tree *t, struct tree_grow_opts *o, const char *lang) MUST_CHECK;

#endif
