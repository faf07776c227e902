/*
 * sim_arith.c — generating, recognising and solving smelt-sim's
 * arithmetic problems. The grammar is fixed (see sim_arith.h) so that a
 * problem can be found inside any prompt template and a partial solution
 * can be resumed from its last complete step.
 */
#include "sim/sim_arith.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_image.h"
#include "sim/sim_rng.h"
#include "core/util.h"

enum { OP_ADD, OP_SUB, OP_MUL };

static const struct phrase {
	const char *text;	/* '#' is the operand */
	int op;
	long factor;		/* for OP_MUL */
} phrases[] = {
	{ "buys # more", OP_ADD, 0 },
	{ "finds # more", OP_ADD, 0 },
	{ "receives # more", OP_ADD, 0 },
	{ "wins # more", OP_ADD, 0 },
	{ "gives away #", OP_SUB, 0 },
	{ "loses #", OP_SUB, 0 },
	{ "sells #", OP_SUB, 0 },
	{ "trades away #", OP_SUB, 0 },
	{ "doubles them", OP_MUL, 2 },
	{ "triples them", OP_MUL, 3 },
};

static const struct {
	const char *name;
	int she;
} people[] = {
	{ "Mia", 1 }, { "Leo", 0 }, { "Ava", 1 }, { "Noah", 0 }, { "Zoe", 1 },
	{ "Omar", 0 }, { "Lina", 1 }, { "Ravi", 0 }, { "Emma", 1 }, { "Kenji", 0 },
	{ "Sara", 1 }, { "Tom", 0 },
};

static const char *const items[] = {
	"marbles", "stickers", "apples", "coins", "books", "pencils", "shells",
	"cards", "cookies", "stamps",
};

static long apply(int phrase, long a, long b)
{
	switch (phrases[phrase].op) {
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	default: return a * b;
	}
}

static char op_char(int phrase)
{
	return "+-*"[phrases[phrase].op];
}

/* Pick a phrase index whose operation keeps the true value positive and small. */
static int pick_phrase(struct sim_rng *rng, long v)
{
	for (;;) {
		int k = (int)sim_rng_below(rng, ARRAY_SIZE(phrases));

		if (phrases[k].op == OP_SUB && v < 2)
			continue;
		if (phrases[k].op == OP_MUL && v > 200)
			continue;
		return k;
	}
}

void sim_arith_make(uint64_t seed, long i, struct sim_problem *p)
{
	struct sim_rng rng;
	size_t who;
	long v;

	memset(p, 0, sizeof(*p));
	sim_rng_init(&rng, seed, (uint64_t)i);
	who = sim_rng_below(&rng, ARRAY_SIZE(people));
	snprintf(p->name, sizeof(p->name), "%s", people[who].name);
	p->she = people[who].she;
	snprintf(p->item, sizeof(p->item), "%s", items[sim_rng_below(&rng, ARRAY_SIZE(items))]);
	v = p->start = sim_rng_range(&rng, 5, 30);
	p->nops = (size_t)sim_rng_range(&rng, 3, SIM_ARITH_MAX_OPS);
	for (size_t k = 0; k < p->nops; k++) {
		int ph = pick_phrase(&rng, v);
		long b;

		if (phrases[ph].op == OP_ADD)
			b = sim_rng_range(&rng, 1, 20);
		else if (phrases[ph].op == OP_SUB)
			b = sim_rng_range(&rng, 1, v - 1 < 20 ? v - 1 : 20);
		else
			b = phrases[ph].factor;
		p->ops[k].phrase = ph;
		p->ops[k].operand = b;
		v = apply(ph, v, b);
	}
}

/* Append phrase k's text with its operand. */
static void add_phrase(struct sbuf *out, int k, long operand)
{
	const char *t = phrases[k].text, *hash = strchr(t, '#');

	if (!hash) {
		sbuf_addstr(out, t);
		return;
	}
	sbuf_add(out, t, (size_t)(hash - t));
	sbuf_addf(out, "%ld%s", operand, hash + 1);
}

void sim_arith_text(const struct sim_problem *p, struct sbuf *out)
{
	sbuf_addf(out, "%s has %ld %s.", p->name, p->start, p->item);
	for (size_t k = 0; k < p->nops; k++) {
		sbuf_addstr(out, p->she ? " She " : " He ");
		add_phrase(out, p->ops[k].phrase, p->ops[k].operand);
		sbuf_addch(out, '.');
	}
	sbuf_addf(out, " How many %s does %s have now?", p->item, p->she ? "she" : "he");
}

long sim_arith_answer(const struct sim_problem *p)
{
	long v = p->start;

	for (size_t k = 0; k < p->nops; k++)
		v = apply(p->ops[k].phrase, v, p->ops[k].operand);
	return v;
}

void sim_arith_problem_jsonl(uint64_t seed, long i, int images, struct sbuf *out)
{
	struct sim_problem p;
	struct sbuf q = SBUF_INIT;
	char id[64], answer[32];
	json_t *rec;
	char *s;

	sim_arith_make(seed, i, &p);
	if (images)
		sbuf_addstr(&q, "<image>\n");
	sim_arith_text(&p, &q);
	snprintf(id, sizeof(id), "arith-%llu-%ld", (unsigned long long)seed, i);
	snprintf(answer, sizeof(answer), "%ld", sim_arith_answer(&p));
	rec = json_pack("{s:s, s:s, s:s}", "id", id, "question", q.buf, "answer", answer);
	if (images) {
		char *uri = sim_image_png_data_uri(sim_mix2(seed, (uint64_t)i));

		json_object_set_new(rec, "images", json_pack("[s]", uri));
		free(uri);
	}
	s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sbuf_addstr(out, s);
	sbuf_addch(out, '\n');
	free(s);
	json_decref(rec);
	sbuf_release(&q);
}

/* Parsing helpers: each advances *s past what it matched, or returns 0. */
static int lit(const char **s, const char *l)
{
	size_t n = strlen(l);

	if (strncmp(*s, l, n))
		return 0;
	*s += n;
	return 1;
}

static int number(const char **s, long *v)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return 0;
	*v = strtol(*s, &end, 10);
	*s = end;
	return 1;
}

static int word(const char **s, char *buf, size_t size)
{
	size_t n = 0;

	while (isalpha((unsigned char)(*s)[n]))
		n++;
	if (!n || n >= size)
		return 0;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s += n;
	return 1;
}

static int match_phrase(const char **s, int *k, long *operand)
{
	for (int i = 0; i < (int)ARRAY_SIZE(phrases); i++) {
		const char *t = phrases[i].text, *hash = strchr(t, '#'), *q = *s;
		char head[32];

		if (!hash) {
			if (!lit(&q, t))
				continue;
			*operand = phrases[i].factor;
		} else {
			snprintf(head, sizeof(head), "%.*s", (int)(hash - t), t);
			if (!lit(&q, head) || !number(&q, operand) || !lit(&q, hash + 1))
				continue;
		}
		*k = i;
		*s = q;
		return 1;
	}
	return 0;
}

static int parse_problem(const char *s, struct sim_problem *p)
{
	char item[32];

	memset(p, 0, sizeof(*p));
	if (!isupper((unsigned char)*s) || !word(&s, p->name, sizeof(p->name)) ||
	    !lit(&s, " has ") || !number(&s, &p->start) || !lit(&s, " ") ||
	    !word(&s, p->item, sizeof(p->item)) || !lit(&s, "."))
		return 0;
	while (!lit(&s, " How many ")) {
		int she = lit(&s, " She "), k;
		long b;

		if (!she && !lit(&s, " He "))
			return 0;
		if ((p->nops && she != p->she) || p->nops == SIM_ARITH_MAX_OPS ||
		    !match_phrase(&s, &k, &b) || !lit(&s, "."))
			return 0;
		p->she = she;
		p->ops[p->nops].phrase = k;
		p->ops[p->nops++].operand = b;
	}
	return p->nops && word(&s, item, sizeof(item)) && !strcmp(item, p->item) &&
	       lit(&s, p->she ? " does she have now?" : " does he have now?");
}

int sim_arith_find(const char *text, struct sim_problem *p)
{
	for (const char *h = strstr(text, " has "); h; h = strstr(h + 1, " has ")) {
		const char *start = h;

		while (start > text && isalpha((unsigned char)start[-1]))
			start--;
		if (start < h && parse_problem(start, p))
			return 1;
	}
	return 0;
}

/* Parse one line "Step <k>: ... = <r>." (nothing after the period). */
static int parse_step_line(const char *line, size_t len, long *k, long *r)
{
	const char *s = line, *eq;
	int neg;

	if (len < 3 || !lit(&s, "Step ") || !number(&s, k) || !lit(&s, ": "))
		return 0;
	for (eq = line + len - 3; eq > s && strncmp(eq, " = ", 3); eq--)
		;
	if (eq <= s)
		return 0;
	s = eq + 3;
	neg = lit(&s, "-");
	if (!number(&s, r) || *s != '.' || s + 1 != line + len)
		return 0;
	if (neg)
		*r = -*r;
	return 1;
}

/*
 * The last complete step of a partial solution: its number and result.
 * Returns 0 when there is none.
 */
static int last_step(const char *prefix, long *k, long *r)
{
	const char *line = prefix;
	int found = 0;

	while (*line) {
		size_t len = strcspn(line, "\n");
		long num, res;

		if (parse_step_line(line, len, &num, &res)) {
			*k = num;
			*r = res;
			found = 1;
		}
		line += len;
		if (*line)
			line++;
	}
	return found;
}

/*
 * The first line of `text` holding a step ("Step k: …"), read as "A c B =
 * R" after its last ", so ". Returns 0 when there is none.
 */
static int read_step(const char *text, long *a, char *c, long *b, long *r)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *so = NULL, *s, *st = strstr(line, "Step ");
		int neg;

		/* a step-tagged input puts the question before step 1 on its line */
		if (st && st < line + len)
			for (const char *h = st; (h = strstr(h, ", so ")) && h < line + len; h++)
				so = h;
		if (so) {
			s = so + 5;
			if (number(&s, a) && lit(&s, " ") && strchr("+-*", *s) && *s) {
				*c = *s++;
				if (lit(&s, " ") && number(&s, b) && lit(&s, " = ")) {
					neg = lit(&s, "-");
					if (number(&s, r) && *s == '.') {
						if (neg)
							*r = -*r;
						return 1;
					}
				}
			}
		}
		line += len;
		if (*line)
			line++;
	}
	return 0;
}

size_t sim_arith_first_wrong(const struct sim_problem *p, const char *const *steps, size_t n)
{
	long value = p->start;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		long a, b, r;
		char c;

		if (!read_step(steps[i], &a, &c, &b, &r))
			continue; /* no step line: it asserts nothing new */
		if (k >= p->nops || a != value || c != op_char(p->ops[k].phrase) ||
		    b != p->ops[k].operand || r != apply(p->ops[k].phrase, a, b))
			return i;
		value = r;
		k++;
	}
	return n;
}

void sim_arith_solve(const struct sim_problem *p, const char *prefix, int boxed,
		     double step_error, uint64_t stream, struct sbuf *out)
{
	sim_arith_solve_ex(p, prefix, boxed, step_error, 0, stream, out);
}

void sim_arith_solve_ex(const struct sim_problem *p, const char *prefix, int boxed,
			double step_error, double sloppy, uint64_t stream, struct sbuf *out)
{
	long value = p->start, done = 0;

	if (prefix) {
		if (strstr(prefix, "Final answer:") || strstr(prefix, "\\boxed{"))
			return;
		if (last_step(prefix, &done, &value) && (done < 0 || done > (long)p->nops)) {
			done = 0;
			value = p->start;
		}
		for (const char *c = prefix; *c; c++)
			if (!isspace((unsigned char)*c)) {
				sbuf_addstr(out, done == (long)p->nops ? "" : "\n\n");
				break;
			}
	}
	for (long k = done; k < (long)p->nops; k++) {
		int ph = p->ops[k].phrase;
		long b = p->ops[k].operand, r = apply(ph, value, b);

		if (sim_unit2(stream, (uint64_t)k + 1) < step_error) {
			long delta = 1 + (long)(sim_mix2(stream, (uint64_t)k + 1000) % 5);

			r += (sim_mix2(stream, (uint64_t)k + 2000) & 1) && r - delta >= 0 ? -delta : delta;
		}
		if (k > done)
			sbuf_addstr(out, "\n\n");
		sbuf_addf(out, "Step %ld: %s ", k + 1, p->she ? "She" : "He");
		add_phrase(out, ph, b);
		sbuf_addf(out, ", so %ld %c %ld = %ld.", value, op_char(ph), b, r);
		value = r;
	}
	if (sim_unit2(stream, 3000) < sloppy && p->nops) {
		/* no committed answer: a recheck whose last number is the result */
		long b = p->ops[p->nops - 1].operand;

		sbuf_addf(out, "\n... wait, let me recheck: %ld %c %ld = %ld", value,
			  op_char(p->ops[p->nops - 1].phrase) == '-' ? '+' : '-', b,
			  op_char(p->ops[p->nops - 1].phrase) == '-' ? value + b : value - b);
		sbuf_addf(out, ", so %ld", value);
	} else if (boxed) {
		sbuf_addf(out, "\n\\boxed{%ld}", value);
	} else {
		sbuf_addf(out, "\nFinal answer: %ld", value);
	}
}
