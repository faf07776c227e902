/*
 * tree_grow.c — growing a knowledge tree level by level with a model
 * (see tree_grow.h).
 *
 * One level is a round: a slot per leaf to expand, every request
 * submitted at once, and the main thread waiting on a condition variable
 * until each slot has a list or a failure. Each slot has at most one
 * request in flight, so only the pending count needs the lock. A
 * re-sample is submitted from the callback; a cached answer calls back on
 * the submitting thread, so no lock is held while submitting.
 */
#include "condor/tree_grow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llm/llm_engine.h"
#include "stage/llm_loop.h"
#include "llm/llm_request.h"
#include "llm/llm_prompt.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"
#include "text/text_norm.h"

#define GROW_DEFAULT_MAX_CHILDREN 10
#define GROW_WAIT_TICK 0.25

void tree_grow_opts_init(struct tree_grow_opts *o)
{
	memset(o, 0, sizeof(*o));
	llm_options_init(&o->lo);
	o->max_children = GROW_DEFAULT_MAX_CHILDREN;
	o->reparse = 2;
}

void tree_grow_opts_release(struct tree_grow_opts *o)
{
	llm_options_release(&o->lo);
}

static int option_taken(const struct stage_option *own, const struct stage_option *o)
{
	for (; own && own->name; own++)
		if (!strcmp(own->name, o->name) || (o->short_name && own->short_name == o->short_name))
			return 1;
	return 0;
}

struct stage_option *tree_grow_options_table(const struct stage_option *own)
{
	struct stage_option *all = llm_options_table(own);
	size_t nown = 0, w;

	while (own && own[nown].name)
		nown++;
	w = nown;
	for (size_t r = nown; all[r].name; r++)
		if (!option_taken(own, &all[r]))
			all[w++] = all[r];
	all[w] = (struct stage_option){ NULL, 0, 0, 0, NULL, NULL };
	return all;
}

int tree_grow_option(struct stage *st, struct tree_grow_opts *o, int id, const char *arg)
{
	int r = llm_options_parse(st, &o->lo, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case TREE_GROW_OPT_DEPTH:
		if (parse_long(arg, 1, 64, &o->depth))
			return error("--depth wants 1..64, not '%s'", arg);
		return 0;
	case TREE_GROW_OPT_MAX_CHILDREN:
		if (parse_long(arg, 1, 10000, &o->max_children))
			return error("--max-children wants 1..10000, not '%s'", arg);
		return 0;
	case TREE_GROW_OPT_BREADTH:
		if (parse_long(arg, 1, 10000, &o->breadth))
			return error("--breadth wants 1..10000, not '%s'", arg);
		return 0;
	case TREE_GROW_OPT_PROMPT:
		o->prompt = arg;
		return 0;
	case TREE_GROW_OPT_REPARSE:
		if (parse_long(arg, 0, 1000, &o->reparse))
			return error("--reparse wants 0..1000, not '%s'", arg);
		return 0;
	}
	return -1;
}

int tree_grow_finish(struct stage *st, struct tree_grow_opts *o)
{
	return llm_options_finish(st, &o->lo);
}

/* ---- one round ---------------------------------------------------------- */

struct grow_run;

struct grow_slot {
	struct grow_run *run;
	struct kt_node *node;
	json_t *rec;       /* the grow record the prompt renders */
	json_t *messages;
	json_t *names;     /* the parsed list, or NULL */
	long attempt;
	struct llm_failure fail;
};

struct grow_run {
	const struct tree_grow_opts *o;
	struct llm_params params; /* CLI over the prompt's defaults (borrowed from the llm_prompt) */
	const struct reply_parser *parser;
	struct llm_engine *engine;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t pending;
	uint64_t reparses;
};

static void slot_release(struct grow_slot *s)
{
	json_decref(s->rec);
	json_decref(s->messages);
	json_decref(s->names);
	llm_failure_release(&s->fail);
}

static void on_reply(void *data, const struct llm_result *res);

static void slot_submit(struct grow_slot *s)
{
	struct grow_run *run = s->run;
	struct sbuf body = SBUF_INIT;
	struct llm_call call = { 0 }; /* unset fields: the defaults (chat completions) */
	long long seed = run->params.has_seed ? run->params.seed : 0;
	int has_seed = run->params.has_seed;

	if (s->attempt > 0) {
		/* a re-sample must differ from the answer that did not parse */
		seed += s->attempt;
		has_seed = 1;
	}
	llm_request_body(&body, &run->params, s->messages, 1, has_seed, seed);
	call.len = body.len;
	call.body = sbuf_detach(&body, NULL);
	call.sample = (unsigned)s->attempt;
	call.max_tokens = run->params.max_tokens;
	call.done = on_reply;
	call.data = s;
	llm_engine_submit(run->engine, &call);
}

static void slot_fail(struct grow_slot *s, const char *kind, const char *msg, const char *raw)
{
	llm_failure_set(&s->fail, kind, msg, raw);
}

static void on_reply(void *data, const struct llm_result *res)
{
	struct grow_slot *s = data;
	struct grow_run *run = s->run;
	const json_t *content;
	struct sbuf err = SBUF_INIT;

	switch (res->status) {
	case LLM_OK:
		content = json_object_get(json_object_get(json_array_get(
				json_object_get(res->response, "choices"), 0), "message"), "content");
		if (json_is_string(content))
			s->names = reply_parser_apply(run->parser, json_string_value(content),
						      json_string_length(content), &err);
		else
			sbuf_addstr(&err, "the reply has no text content");
		if (s->names)
			break;
		if (s->attempt < run->o->reparse) {
			s->attempt++;
			__atomic_fetch_add(&run->reparses, 1, __ATOMIC_RELAXED);
			sbuf_release(&err);
			slot_submit(s); /* the slot stays pending */
			return;
		}
		slot_fail(s, "parse_error", err.buf, json_string_value(content));
		break;
	default: slot_fail(s, llm_status_reject_kind(res->status), res->message, NULL); break;
	}
	sbuf_release(&err);
	pthread_mutex_lock(&run->mu);
	if (--run->pending == 0)
		pthread_cond_signal(&run->cv);
	pthread_mutex_unlock(&run->mu);
}

/* Wait for every slot, ticking the progress line. -1 if the engine stopped. */
static int round_wait(struct stage *st, struct grow_run *run, size_t total)
{
	pthread_mutex_lock(&run->mu);
	while (run->pending) {
		struct timespec ts;
		size_t left = run->pending;

		pthread_mutex_unlock(&run->mu);
		stage_progress_tick(st, total - left, total);
		pthread_mutex_lock(&run->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(GROW_WAIT_TICK * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (run->pending)
			pthread_cond_timedwait(&run->cv, &run->mu, &ts);
	}
	pthread_mutex_unlock(&run->mu);
	return llm_engine_fatal(run->engine) ? -1 : 0;
}

/* ---- merging ------------------------------------------------------------ */

static char *name_key(const char *s)
{
	struct sbuf sb = SBUF_INIT;

	if (text_norm_append(&sb, s, strlen(s)) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

/* The node's own name, an ancestor's, or a sibling's. */
static int name_is_relative(const struct kt_node *n, const char *key)
{
	const struct kt_node *p;

	for (p = n; p && p->parent; p = p->parent)
		if (!strcmp(p->key, key))
			return 1;
	if (n->parent)
		for (size_t i = 0; i < n->parent->nr_children; i++)
			if (!strcmp(n->parent->children[i]->key, key))
				return 1;
	return 0;
}

struct grow_counts {
	uint64_t asked, proposed, added, dropped, parse_errors, failed, levels;
};

static void slot_merge(struct kt_tree *t, struct grow_slot *s, const struct tree_grow_opts *o,
		       struct grow_counts *c)
{
	json_t *keep = json_array(), *v;
	size_t i, proposed = json_array_size(s->names);
	int added;

	json_array_foreach(s->names, i, v) {
		char *key = json_is_string(v) ? name_key(json_string_value(v)) : NULL;
		if (key && *key && !name_is_relative(s->node, key))
			json_array_append(keep, v);
		free(key);
	}
	added = kt_node_merge(t, s->node, keep, (size_t)o->max_children);
	json_decref(keep);
	c->proposed += proposed;
	if (added > 0) {
		c->added += (uint64_t)added;
		c->dropped += proposed - (size_t)added;
	} else {
		c->dropped += proposed;
	}
}

/* ---- the frontier ------------------------------------------------------- */

struct frontier {
	struct kt_node **v;
	size_t nr, alloc;
	size_t depth; /* nodes at this depth or deeper are not grown */
};

static void frontier_add(struct frontier *f, struct kt_node *n)
{
	ALLOC_GROW(f->v, f->nr + 1, f->alloc);
	f->v[f->nr++] = n;
}

static int collect_leaf(struct kt_node *n, size_t depth, void *data)
{
	struct frontier *f = data;

	if (!n->nr_children && depth < f->depth)
		frontier_add(f, n);
	return 0;
}

static int find_max_depth(struct kt_node *n, size_t depth, void *data)
{
	size_t *max = data;

	if (!n->nr_children && depth > *max)
		*max = depth;
	return 0;
}

static const char *grow_lang(const struct kt_tree *t, const char *lang)
{
	return lang ? lang : t->lang ? t->lang : "en";
}

/* The prompt to use: --prompt, else the shipped one for the language (new string). */
static char *prompt_path(const struct tree_grow_opts *o, const char *lang)
{
	char *rel, *path;

	if (o->prompt)
		return xstrdup(o->prompt);
	rel = xasprintf("prompts/condor/%s/grow.prompt", lang);
	path = smelt_share_path(rel);
	free(rel);
	return path;
}

/* Render and submit the slots of one round. 0, or -1 if nothing was submitted. */
static int round_start(struct stage *st, struct grow_run *run, const struct frontier *f,
		       struct grow_slot *slots, const struct prompt_file *pf, const char *lang)
{
	const struct tree_grow_opts *o = run->o;
	struct sbuf err = SBUF_INIT;
	size_t i;

	for (i = 0; i < f->nr; i++) {
		struct grow_slot *s = &slots[i];
		s->run = run;
		s->node = f->v[i];
		s->rec = kt_grow_record(f->v[i], lang);
		json_object_set_new(s->rec, "breadth", json_integer(o->breadth ? o->breadth : o->max_children));
		s->messages = prompt_file_render(pf, s->rec, &err);
		if (!s->messages) {
			error("%s: %s", prompt_file_path(pf), err.buf);
			sbuf_release(&err);
			return -1;
		}
	}
	sbuf_release(&err);
	run->pending = f->nr;
	st->records_in += f->nr;
	for (i = 0; i < f->nr; i++)
		slot_submit(&slots[i]);
	return 0;
}

/* Merge a finished round in tree order; the new children that may grow go to `next`. */
static void round_merge(struct stage *st, struct kt_tree *t, const struct tree_grow_opts *o,
			struct grow_slot *slots, size_t nr, struct frontier *next, struct grow_counts *c)
{
	struct record_loc loc = { st->ninputs ? st->inputs[0] : "-", 0, -1 };

	for (size_t i = 0; i < nr; i++) {
		struct grow_slot *s = &slots[i];
		size_t before = s->node->nr_children;

		c->asked++;
		if (s->names) {
			slot_merge(t, s, o, c);
			if (kt_node_depth(s->node) + 1 < next->depth)
				for (size_t k = before; k < s->node->nr_children; k++)
					frontier_add(next, s->node->children[k]);
			continue;
		}
		if (!strcmp(s->fail.kind, "parse_error"))
			c->parse_errors++;
		else
			c->failed++;
		llm_failure_reject(st, &loc, s->rec, &s->fail,
				   json_string_value(json_object_get(s->rec, "path_text")));
	}
}

/*
 * Level by level: first every leaf above the target depth (the root of an
 * empty tree), then the children added in the round before. A node is
 * asked once, so a leaf whose reply failed or added nothing stays a leaf.
 */
static int grow_levels(struct stage *st, struct kt_tree *t, struct grow_run *run,
		       const struct prompt_file *pf, const char *lang, struct grow_counts *c)
{
	struct frontier cur = { NULL, 0, 0, 0 }, next = { NULL, 0, 0, 0 };
	size_t max_depth = 0;
	int r = 0;

	kt_walk(t, find_max_depth, &max_depth);
	cur.depth = next.depth = run->o->depth ? (size_t)run->o->depth : max_depth + 1;
	if (!t->root.nr_children)
		frontier_add(&cur, &t->root);
	else
		kt_walk(t, collect_leaf, &cur);
	while (cur.nr && r == 0) {
		struct grow_slot *slots = xcalloc(cur.nr, sizeof(*slots));
		struct frontier swap;

		c->levels++;
		next.nr = 0;
		if (round_start(st, run, &cur, slots, pf, lang) < 0 || round_wait(st, run, cur.nr) < 0)
			r = -1;
		else
			round_merge(st, t, run->o, slots, cur.nr, &next, c);
		for (size_t i = 0; i < cur.nr; i++)
			slot_release(&slots[i]);
		free(slots);
		swap = cur;
		cur = next;
		next = swap;
	}
	free(cur.v);
	free(next.v);
	return r;
}

int tree_grow(struct stage *st, struct kt_tree *t, struct tree_grow_opts *o, const char *lang)
{
	struct grow_run run = { .o = o };
	struct llm_prompt p = { 0 };
	struct grow_counts c = { 0 };
	char *path;
	int r = -1;

	lang = grow_lang(t, lang);
	path = prompt_path(o, lang);
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	if (llm_prompt_load(&p, path, &o->lo.params) < 0 || llm_prompt_need_model(&p) < 0 ||
	    llm_prompt_parser(&p, NULL) < 0)
		goto out;
	run.params = p.params;
	run.parser = p.parser;
	if (st->rejects_path && !st->rejects) {
		struct record_writer_opts wo = stage_writer_opts(st);
		wo.workers = 0;
		if (!(st->rejects = record_writer_open(st->rejects_path, &wo)))
			goto out;
	}
	if (!(run.engine = llm_options_engine_new(&o->lo)))
		goto out;
	r = grow_levels(st, t, &run, p.pf, lang, &c);
	if (r < 0 && llm_engine_fatal(run.engine))
		error("%s", llm_engine_fatal(run.engine));
	json_object_set_new(st->figures, "grow",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "asked", (json_int_t)c.asked, "proposed", (json_int_t)c.proposed,
				      "added", (json_int_t)c.added, "dropped", (json_int_t)c.dropped,
				      "parse_errors", (json_int_t)c.parse_errors,
				      "failed", (json_int_t)c.failed, "reparses", (json_int_t)run.reparses,
				      "levels", (json_int_t)c.levels));
	json_object_set_new(st->figures, "llm", llm_engine_stats_json(run.engine));
out:
	llm_engine_free(run.engine);
	llm_prompt_release(&p);
	free(path);
	pthread_mutex_destroy(&run.mu);
	pthread_cond_destroy(&run.cv);
	return r;
}
