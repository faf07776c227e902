/*
 * prm_check.c — answer checking over records (see prm_check.h).
 */
#include "prm/prm_check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "json/json_write.h"
#include "io/provenance.h"

char *prm_gold_string(const json_t *v)
{
	struct sbuf sb = SBUF_INIT;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		sbuf_addf(&sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		json_write_real(&sb, json_real_value(v));
	else
		return NULL;
	return sbuf_detach(&sb, NULL);
}

int prm_fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	*kind = k;
	va_start(ap, fmt);
	sbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

void prm_check_result_release(struct prm_check_result *res)
{
	for (size_t i = 0; i < res->nr; i++)
		free(res->items[i].extracted);
	free(res->items);
	free(res->gold);
	memset(res, 0, sizeof(*res));
}

int prm_check_run(const struct prm_check *c, const json_t *rec, struct prm_check_result *res,
		  const char **kind, struct sbuf *err)
{
	const json_t *gold = jpath_get(rec, c->gold), *pred = jpath_get(rec, c->pred);
	const json_t *mode = json_object_get(rec, "answer_mode"), *options = json_object_get(rec, "options");
	struct answer_opts opts = c->opts;
	struct sbuf ex = SBUF_INIT;
	size_t n = 1;

	memset(res, 0, sizeof(*res));
	if (!gold)
		return prm_fail(kind, "missing_field", err, "record has no gold answer at '%s'", c->gold);
	if (!pred)
		return prm_fail(kind, "missing_field", err, "record has no reply at '%s'", c->pred);
	if (!(res->gold = prm_gold_string(gold)))
		return prm_fail(kind, "bad_field_type", err, "the gold answer at '%s' must be a string or a number",
			    c->gold);
	if (json_is_array(pred)) {
		size_t i;
		const json_t *v;

		json_array_foreach(pred, i, v)
			if (!json_is_string(v)) {
				prm_check_result_release(res);
				return prm_fail(kind, "bad_field_type", err, "the replies at '%s' must all be strings",
					    c->pred);
			}
		res->list = 1;
		n = json_array_size(pred);
	} else if (!json_is_string(pred)) {
		prm_check_result_release(res);
		return prm_fail(kind, "bad_field_type", err, "the reply at '%s' must be a string or a list of strings",
			    c->pred);
	}
	if (mode && (!json_is_string(mode) || answer_mode_parse(json_string_value(mode), &opts.mode) < 0)) {
		prm_check_result_release(res);
		return prm_fail(kind, "bad_field_type", err, "\"answer_mode\" is not an answer mode name");
	}
	if (json_is_array(options))
		opts.options_json = options;
	res->question = json_string_value(json_object_get(rec, "question"));
	opts.question = res->question;
	res->nr = n;
	res->items = xcalloc(n ? n : 1, sizeof(*res->items));
	for (size_t i = 0; i < n; i++) {
		struct prm_check_item *it = &res->items[i];

		it->reply = json_string_value(res->list ? json_array_get(pred, i) : pred);
		it->judged = -1;
		if (answer_check(it->reply, res->gold, &opts, &it->v, &ex) < 0)
			abort(); /* only NULL arguments fail */
		if (it->v.extracted != EXTRACT_NONE)
			it->extracted = xstrndup(ex.buf, ex.len);
		if (it->v.too_deep) {
			sbuf_release(&ex);
			prm_check_result_release(res);
			if (json_is_array(pred))
				return prm_fail(kind, PRM_TOO_DEEP, err, "reply %zu at '%s' " PRM_TOO_DEEP_WHY, i,
						c->pred);
			return prm_fail(kind, PRM_TOO_DEEP, err, "the reply at '%s' " PRM_TOO_DEEP_WHY, c->pred);
		}
	}
	sbuf_release(&ex);
	return 0;
}

int prm_check_undecided(const struct prm_check_item *it)
{
	if (it->v.correct)
		return 0;
	return it->v.method == ANSWER_NONE || it->v.method == ANSWER_EXACT || it->v.method == ANSWER_VQA;
}

static json_t *item_field(const struct prm_check_item *it, int field)
{
	switch (field) {
	case 0:
		return it->extracted ? json_string(it->extracted) : json_null();
	case 1:
		return json_boolean(it->judged >= 0 ? it->judged : it->v.correct);
	case 2:
		return json_string(it->judged >= 0 ? "judge" : answer_mode_name(it->v.method));
	case 3:
		return it->v.extracted != EXTRACT_NONE ? json_string(extract_method_name(it->v.extracted))
						       : json_null();
	default:
		return json_real(it->v.score);
	}
}

int prm_check_write(const struct prm_check *c, const struct prm_check_result *res, json_t *rec)
{
	static const char *const names[] = { "extracted", "correct", "method", "extracted_by", "score" };
	json_t *dst = rec;
	int fields = 4;

	for (size_t i = 0; i < res->nr; i++)
		if (res->items[i].v.method == ANSWER_ANLS)
			fields = 5;
	if (c->into) {
		dst = json_object();
		if (jpath_set(rec, c->into, dst) < 0)
			return -1;
	}
	for (int f = 0; f < fields; f++) {
		json_t *v;

		if (res->list) {
			v = json_array();
			for (size_t i = 0; i < res->nr; i++)
				json_array_append_new(v, item_field(&res->items[i], f));
		} else {
			v = item_field(&res->items[0], f);
		}
		json_object_set_new(dst, names[f], v);
	}
	return 0;
}

int prm_judge_verdict(const char *word)
{
	static const char *const yes[] = { "correct", "equivalent", "yes", "true", "正确", "对" };
	static const char *const no[] = { "incorrect", "not equivalent", "no", "false", "不正确", "错误", "错" };
	struct sbuf w = SBUF_INIT;
	const char *s = word;
	size_t len;
	int r = -1;

	if (!s)
		return -1;
	while (*s && (isspace((unsigned char)*s) || ispunct((unsigned char)*s)))
		s++;
	len = strlen(s);
	for (;;) {
		if (len && (isspace((unsigned char)s[len - 1]) || ispunct((unsigned char)s[len - 1])))
			len--;
		else if (len >= 3 && (!memcmp(s + len - 3, "\u3002", 3) || !memcmp(s + len - 3, "\uff01", 3)))
			len -= 3; /* 。！ */
		else
			break;
	}
	for (size_t i = 0; i < len; i++)
		sbuf_addch(&w, (unsigned char)s[i] < 0x80 ? tolower((unsigned char)s[i]) : s[i]);
	for (size_t i = 0; i < ARRAY_SIZE(yes) && r < 0; i++)
		if (!strcmp(w.buf, yes[i]))
			r = 1;
	for (size_t i = 0; i < ARRAY_SIZE(no) && r < 0; i++)
		if (!strcmp(w.buf, no[i]))
			r = 0;
	sbuf_release(&w);
	return r;
}

void prm_check_count(struct prm_check *c, const struct prm_check_result *res)
{
	uint64_t ok = 0, open = 0, judged = 0;

	for (size_t i = 0; i < res->nr; i++) {
		const struct prm_check_item *it = &res->items[i];

		ok += it->judged >= 0 ? (uint64_t)it->judged : it->v.correct;
		open += prm_check_undecided(it);
		judged += it->judged >= 0;
	}
	__atomic_fetch_add(&c->replies, res->nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->correct, ok, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->undecided, open, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->judged, judged, __ATOMIC_RELAXED);
}

int prm_check_apply(struct prm_check *c, json_t *rec, const char **kind, struct sbuf *err)
{
	struct prm_check_result res;
	int r = 0;

	if (prm_check_run(c, rec, &res, kind, err) < 0)
		return -1;
	if (prm_check_write(c, &res, rec) < 0) {
		r = prm_fail(kind, "bad_field_type", err, "cannot set '%s' in this record", c->into);
	} else if (c->provenance && provenance_append(rec, c->provenance) < 0) {
		r = prm_fail(kind, "bad_field_type", err, "\"provenance\" is not a list");
	} else {
		prm_check_count(c, &res);
	}
	prm_check_result_release(&res);
	return r;
}

json_t *prm_check_figures(const struct prm_check *c)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "replies", (json_int_t)c->replies,
			 "correct", (json_int_t)c->correct, "undecided", (json_int_t)c->undecided,
			 "judged", (json_int_t)c->judged);
}
