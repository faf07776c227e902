/*
 * pref_pick.c — reading a judge's pick (see pref_pick.h).
 *
 * One scanner finds the mentions of answers and of "none" in a span of
 * text; the rules differ only in which span they give it and whether a
 * bare number or ordinal counts (it does when the span is nothing but a
 * choice: "3", "the third one"; in prose "Answer 3 has 2 errors" the 2 is
 * not a pick).
 */
#include "pref/pref_pick.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define MAX_MENTIONS 64

/* What a span names. */
struct mentions {
	long idx[MAX_MENTIONS]; /* answers named with a label or an ordinal + label */
	size_t nidx;
	long bare[MAX_MENTIONS]; /* bare numbers and ordinals */
	size_t nbare;
	size_t none;             /* "none" forms */
};

/* What separates a word from the one before it. */
enum {
	GAP_SPACES = 1, /* spaces only (or nothing): "third answer", not "first, answer" */
	GAP_NUMBER = 2, /* only " #.:(": "Answer #3", "Answer No. 3", "answer (3)" */
};

struct token {
	char text[16]; /* lower-case ASCII word, cut at 15 bytes */
	size_t len;
	unsigned gap;  /* GAP_ flags */
};

static const char *const labels[] = { "answer", "candidate", "response", "reply", "option",
				       "choice", "sample", NULL };
static const char *const plural_labels[] = { "answers", "candidates", "responses", "replies",
					      "options", "choices", "samples", NULL };
static const char *const number_words[] = { "zero", "one", "two", "three", "four", "five", "six",
					     "seven", "eight", "nine", "ten", NULL };
static const char *const ordinals[] = { "zeroth", "first", "second", "third", "fourth", "fifth",
					"sixth", "seventh", "eighth", "ninth", "tenth", NULL };
/* Words that say "none" alone; "no" needs a noun after it. */
static const char *const none_words[] = { "none", "neither", "nothing", NULL };
static const char *const no_nouns[] = { "deviation", "deviations", "answer", "difference",
					"differences", "significant", "meaningful", "clear", "one", NULL };
/* Words that may sit in a reply that is nothing but a choice. */
static const char *const filler[] = { "the", "is", "it", "one", "number", "no", "num", "nr",
				      "deviates", "most", "of", "them", "all", "a", "n", "null",
				      "deviation", "answers", "s", NULL };

/* zh: the numerals one to ten, and the labels of an answer. */
static const char *const zh_numerals[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十" };
static const char *const zh_labels[] = { "回答", "答案", "候选", "选项", NULL };
static const char *const zh_none[] = { "无偏离", "没有偏离", "未偏离", "没有明显偏离", "都不偏离",
				       "均无明显偏离", "均无偏离", NULL };

static int in_list(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(w, list[i]))
			return (int)i;
	return -1;
}

/* A token's number: digits (up to 6), a number word, or -1. */
static long token_number(const struct token *t)
{
	int w;

	if (t->len && t->len <= 6 && strspn(t->text, "0123456789") == t->len)
		return strtol(t->text, NULL, 10);
	w = in_list(t->text, number_words);
	return w;
}

/* An ordinal token: "third", "3rd", "10th"; else -1. */
static long token_ordinal(const struct token *t)
{
	size_t d = strspn(t->text, "0123456789");
	int w = in_list(t->text, ordinals);

	if (w >= 0)
		return w;
	if (d && d <= 6 && d + 2 == t->len &&
	    (!strcmp(t->text + d, "st") || !strcmp(t->text + d, "nd") || !strcmp(t->text + d, "rd") ||
	     !strcmp(t->text + d, "th")))
		return strtol(t->text, NULL, 10);
	return -1;
}

static void add(long *v, size_t *n, long x)
{
	if (*n < MAX_MENTIONS)
		v[(*n)++] = x;
}

/* Lower-case ASCII words of s[0..len); everything else separates them. */
static size_t tokenize(const char *s, size_t len, struct token *t, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		size_t k = 0;

		t[n].gap = GAP_SPACES | GAP_NUMBER;
		while (i < len && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
				    (s[i] >= '0' && s[i] <= '9'))) {
			if (s[i] != ' ')
				t[n].gap &= ~(unsigned)GAP_SPACES;
			if (!strchr(" #.:(", s[i]))
				t[n].gap &= ~(unsigned)GAP_NUMBER;
			i++;
		}
		if (i >= len)
			break;
		while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
				   (s[i] >= '0' && s[i] <= '9'))) {
			if (k < sizeof(t[n].text) - 1)
				t[n].text[k++] = (char)(s[i] | ((s[i] >= 'A' && s[i] <= 'Z') ? 0x20 : 0));
			i++;
		}
		t[n].text[k] = 0;
		t[n].len = k;
		n++;
	}
	return n;
}

/* A zh numeral or ASCII digits at s (bytes left: len): its value and length, or -1. */
static long zh_number(const char *s, size_t len, size_t *used)
{
	size_t d = 0;

	while (d < len && d < 6 && s[d] >= '0' && s[d] <= '9')
		d++;
	if (d) {
		*used = d;
		return strtol(s, NULL, 10);
	}
	for (size_t i = 0; i < ARRAY_SIZE(zh_numerals); i++) {
		size_t l = strlen(zh_numerals[i]);

		if (len >= l && !memcmp(s, zh_numerals[i], l)) {
			*used = l;
			return (long)i + 1;
		}
	}
	return -1;
}

/* zh mentions: 第3个, 第三个回答, 回答2, 答案 二; and the "none" phrases. */
static void scan_zh(const char *s, size_t len, struct mentions *m)
{
	for (size_t i = 0; i < len; i++) {
		size_t used, l;
		long v;

		if ((unsigned char)s[i] < 0x80)
			continue;
		if (len - i >= 3 && !memcmp(s + i, "第", 3)) {
			v = zh_number(s + i + 3, len - i - 3, &used);
			if (v >= 0) {
				add(m->idx, &m->nidx, v);
				i += 3 + used - 1;
				continue;
			}
		}
		for (size_t k = 0; zh_labels[k]; k++) {
			l = strlen(zh_labels[k]);
			if (len - i < l || memcmp(s + i, zh_labels[k], l))
				continue;
			size_t j = i + l;
			while (j < len && (s[j] == ' ' || s[j] == '#'))
				j++;
			v = zh_number(s + j, len - j, &used);
			if (v >= 0) {
				add(m->idx, &m->nidx, v);
				i = j + used - 1;
			}
			break;
		}
		for (size_t k = 0; zh_none[k]; k++) {
			l = strlen(zh_none[k]);
			if (len - i >= l && !memcmp(s + i, zh_none[k], l)) {
				m->none++;
				i += l - 1;
				break;
			}
		}
	}
}

/* Is s[0..len), spaces and punctuation aside, exactly one of `words`? */
static int is_only(const char *s, size_t len, const char *const *words)
{
	static const char strip[] = " \t\r\n*_`\"'.,;:!?()[]{}<>";
	static const char *const zh_punct[] = { "。", "，", "：", "！", "“", "”", "「", "」", "【", "】",
						"（", "）", NULL };
	int changed = 1;

	while (changed && len) {
		changed = 0;
		if (strchr(strip, s[0])) {
			s++, len--, changed = 1;
			continue;
		}
		if (strchr(strip, s[len - 1])) {
			len--, changed = 1;
			continue;
		}
		for (size_t k = 0; zh_punct[k]; k++) {
			size_t l = strlen(zh_punct[k]);

			if (len >= l && !memcmp(s, zh_punct[k], l)) {
				s += l, len -= l, changed = 1;
				break;
			}
			if (len >= l && !memcmp(s + len - l, zh_punct[k], l)) {
				len -= l, changed = 1;
				break;
			}
		}
	}
	for (size_t k = 0; words[k]; k++)
		if (strlen(words[k]) == len && !memcmp(s, words[k], len))
			return 1;
	return 0;
}

/*
 * The mentions in s[0..len). `whole`: the span is nothing but a choice,
 * so a bare number or ordinal is one.
 */
static void scan(const char *s, size_t len, int whole, struct mentions *m)
{
	static const char *const zh_whole_none[] = { "无", "没有", "都没有", "均无", NULL };
	/* a word takes at least one byte and one separator */
	size_t max = len / 2 + 1;
	struct token *t = xmalloc(max * sizeof(*t));
	size_t n = tokenize(s, len, t, max);

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		long v;

		if (in_list(t[i].text, labels) >= 0) {
			size_t j = i + 1;

			if (j + 1 < n && (!strcmp(t[j].text, "no") || !strcmp(t[j].text, "number") ||
					  !strcmp(t[j].text, "num") || !strcmp(t[j].text, "nr")) &&
			    (t[j].gap & GAP_NUMBER) && token_number(&t[j + 1]) >= 0)
				j++;
			if (j < n && (t[j].gap & GAP_NUMBER) && (v = token_number(&t[j])) >= 0) {
				add(m->idx, &m->nidx, v);
				i = j;
			}
			continue;
		}
		if (in_list(t[i].text, plural_labels) >= 0) {
			/* "answers 1 and 2", "answers 1, 3 or 4": each one is named */
			size_t j = i + 1;

			while (j < n && ((v = token_number(&t[j])) >= 0 || !strcmp(t[j].text, "and") ||
					 !strcmp(t[j].text, "or"))) {
				if (v >= 0)
					add(m->idx, &m->nidx, v);
				j++;
			}
			i = j - 1;
			continue;
		}
		if ((v = token_ordinal(&t[i])) >= 0) {
			if (i + 1 < n && (t[i + 1].gap & GAP_SPACES) &&
			    (in_list(t[i + 1].text, labels) >= 0 || !strcmp(t[i + 1].text, "one"))) {
				add(m->idx, &m->nidx, v);
				i++;
			} else if (whole) {
				add(m->bare, &m->nbare, v);
			}
			continue;
		}
		if (in_list(t[i].text, none_words) >= 0) {
			/* "none of the others" is prose about the answers not picked */
			int others = i + 3 < n && !strcmp(t[i + 1].text, "of") && !strcmp(t[i + 2].text, "the") &&
				     (!strcmp(t[i + 3].text, "other") || !strcmp(t[i + 3].text, "others"));

			if (!others)
				m->none++;
			continue;
		}
		if (!strcmp(t[i].text, "no") && i + 1 < n && in_list(t[i + 1].text, no_nouns) >= 0) {
			m->none++;
			i++;
			continue;
		}
		if (whole && (v = token_number(&t[i])) >= 0) {
			add(m->bare, &m->nbare, v);
			continue;
		}
		if (whole && (!strcmp(t[i].text, "null") || !strcmp(t[i].text, "no") ||
			      (!strcmp(t[i].text, "n") && i + 1 < n && !strcmp(t[i + 1].text, "a")))) {
			m->none++;
			continue;
		}
	}
	if (whole && !n && is_only(s, len, zh_whole_none))
		m->none++;
	free(t);
	scan_zh(s, len, m);
}

/* Does the span hold any ASCII word that no choice is made of ("3 apples")? */
static int has_other_words(const char *s, size_t len)
{
	struct token t[64];
	size_t n = tokenize(s, len, t, ARRAY_SIZE(t));

	if (n >= ARRAY_SIZE(t))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (token_number(&t[i]) < 0 && token_ordinal(&t[i]) < 0 && in_list(t[i].text, labels) < 0 &&
		    in_list(t[i].text, none_words) < 0 && in_list(t[i].text, filler) < 0 &&
		    in_list(t[i].text, no_nouns) < 0)
			return 1;
	return 0;
}

/* The distinct values of v[0..n) into u; returns how many. */
static size_t distinct(const long *v, size_t n, long *u)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && u[j] != v[i])
			j++;
		if (j == k)
			u[k++] = v[i];
	}
	return k;
}

/*
 * Decide from the mentions: 1 with out set, 0 when nothing is named,
 * -1 when the span is ambiguous (why says so).
 */
static int decide(const struct mentions *m, int whole, struct pref_pick *out, struct sbuf *why)
{
	long u[2 * MAX_MENTIONS], all[2 * MAX_MENTIONS];
	size_t n = 0, k;

	for (size_t i = 0; i < m->nidx; i++)
		all[n++] = m->idx[i];
	if (whole && !m->nidx)
		for (size_t i = 0; i < m->nbare; i++)
			all[n++] = m->bare[i];
	k = distinct(all, n, u);
	if (k == 1 && !m->none) {
		out->verdict = PREF_PICK;
		out->index = u[0];
		return 1;
	}
	if (!k && m->none) {
		out->verdict = PREF_NONE;
		return 1;
	}
	if (!k)
		return 0;
	sbuf_addstr(why, "the reply names ");
	for (size_t i = 0; i < k && i < 4; i++)
		sbuf_addf(why, "%sanswer %ld", i ? (i + 1 == k ? " and " : ", ") : "", u[i]);
	if (k > 4)
		sbuf_addf(why, " and %zu more", k - 4);
	if (m->none)
		sbuf_addstr(why, k > 1 ? " and none" : " but also none");
	return -1;
}

/* A span that must be nothing but one choice (a tag, a JSON string, a verdict line). */
static int whole_choice(const char *s, size_t len, struct pref_pick *out, struct sbuf *why)
{
	struct mentions m;

	scan(s, len, 1, &m);
	return decide(&m, 1, out, why);
}

/* The last [[...]] of the reply: 1, 0 (none there), -1 (it names no single answer). */
static int rule_tag(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	const char *open = NULL, *p = reply, *close;
	int r;

	while ((p = strstr(p, "[["))) {
		open = p;
		p += 2;
	}
	if (!open || !(close = strstr(open + 2, "]]")))
		return 0;
	/* "[[[3]]]" and the like: the innermost brackets count */
	while (open[2] == '[')
		open++;
	r = whole_choice(open + 2, (size_t)(close - open - 2), out, why);
	if (r == 0) {
		sbuf_addf(why, "the verdict [[%.*s]] names no answer", (int)(close - open - 2 > 40 ? 40 : close - open - 2),
			  open + 2);
		return -1;
	}
	return r;
}

static const char *const json_keys[] = { "choice", "pick", "answer", "index", "selected", "selection",
					 "verdict", "rejected", NULL };

/* A JSON object with a choice key, anywhere in the reply. */
static int rule_json(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	for (const char *p = strchr(reply, '{'); p; p = strchr(p + 1, '{')) {
		json_t *doc = json_loads(p, JSON_DISABLE_EOF_CHECK, NULL), *v;
		const char *key;
		int r = 0;

		if (!json_is_object(doc)) {
			json_decref(doc);
			continue;
		}
		json_object_foreach(doc, key, v) {
			int known = 0;

			for (size_t k = 0; json_keys[k]; k++)
				known |= !strcasecmp(key, json_keys[k]);
			if (!known)
				continue;
			if (json_is_integer(v)) {
				out->verdict = PREF_PICK;
				out->index = (long)json_integer_value(v);
				r = 1;
			} else if (json_is_null(v) || json_is_false(v)) {
				out->verdict = PREF_NONE;
				r = 1;
			} else if (json_is_string(v)) {
				r = whole_choice(json_string_value(v), json_string_length(v), out, why);
				if (!r) {
					sbuf_addf(why, "\"%s\": \"%.40s\" names no answer", key, json_string_value(v));
					r = -1;
				}
			}
			break;
		}
		json_decref(doc);
		if (r)
			return r;
	}
	return 0;
}

/* The whole reply is one choice: few words, all of them choice words. */
static int rule_whole(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	size_t len = strlen(reply);
	struct sbuf scratch = SBUF_INIT;
	int r;

	size_t wide = 0;

	for (size_t i = 0; i < len; i++)
		wide += (unsigned char)reply[i] >= 0x80;
	/* more than four CJK characters ("第2个回答") is a sentence, not a choice */
	if (len > 80 || wide > 12 || strchr(reply, '\n') != strrchr(reply, '\n') ||
	    has_other_words(reply, len))
		return 0;
	r = whole_choice(reply, len, out, &scratch);
	if (r < 0)
		sbuf_add(why, scratch.buf, scratch.len);
	sbuf_release(&scratch);
	return r;
}

static const char *const line_labels[] = { "final verdict", "verdict", "final answer", "final choice",
					   "final pick", "choice", "pick", "selection", "selected", "decision",
					   "answer", "result", "最终选择", "最终答案", "最终结论", "结论", "选择",
					   "答案", "判断", NULL };

/* The last line "Label: rest" with a verdict label. */
static int rule_line(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	const char *best = NULL, *best_end = NULL;

	for (const char *line = reply; *line;) {
		const char *end = strchr(line, '\n'), *s = line;

		if (!end)
			end = line + strlen(line);
		while (s < end && strchr(" \t*#>-", *s))
			s++;
		for (size_t k = 0; line_labels[k]; k++) {
			size_t l = strlen(line_labels[k]);
			const char *c;

			if ((size_t)(end - s) < l || strncasecmp(s, line_labels[k], l))
				continue;
			c = s + l;
			while (c < end && strchr(" \t*", *c))
				c++;
			if (c < end && *c == ':') {
				best = c + 1;
				best_end = end;
			} else if ((size_t)(end - c) >= 3 && !memcmp(c, "：", 3)) {
				best = c + 3;
				best_end = end;
			}
			break;
		}
		line = *end ? end + 1 : end;
	}
	if (!best)
		return 0;
	return whole_choice(best, (size_t)(best_end - best), out, why);
}

static int rule_mention(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	struct mentions m;

	scan(reply, strlen(reply), 0, &m);
	return decide(&m, 0, out, why);
}

enum pref_verdict pref_pick_parse(const char *reply, struct pref_pick *out, struct sbuf *why)
{
	static int (*const rules[])(const char *, struct pref_pick *, struct sbuf *) = {
		[PREF_VIA_TAG] = rule_tag, [PREF_VIA_JSON] = rule_json, [PREF_VIA_WHOLE] = rule_whole,
		[PREF_VIA_LINE] = rule_line, [PREF_VIA_MENTION] = rule_mention,
	};

	memset(out, 0, sizeof(*out));
	out->verdict = PREF_UNPARSED;
	out->via = PREF_VIA_NOTHING;
	if (!reply[strspn(reply, " \t\r\n")]) {
		sbuf_addstr(why, "the reply is empty");
		return out->verdict;
	}
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		int r = rules[i](reply, out, why);

		if (r > 0) {
			out->via = (enum pref_via)i;
			return out->verdict;
		}
		if (r < 0) {
			out->verdict = PREF_UNPARSED;
			out->via = PREF_VIA_NOTHING;
			return out->verdict;
		}
	}
	sbuf_addstr(why, "no answer number and no \"none\" found");
	return out->verdict;
}

const char *pref_via_name(enum pref_via via)
{
	static const char *const names[] = {
		[PREF_VIA_TAG] = "tag", [PREF_VIA_JSON] = "json", [PREF_VIA_WHOLE] = "whole",
		[PREF_VIA_LINE] = "line", [PREF_VIA_MENTION] = "mention", [PREF_VIA_NOTHING] = "nothing",
	};

	return via < PREF_VIA_COUNT ? names[via] : "?";
}
