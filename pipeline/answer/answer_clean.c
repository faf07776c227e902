/*
 * answer_clean.c — strip the wrapping around an answer ("$\boxed{7}$.",
 * "**B**", "\text{cat}") until none is left, without copying: the result
 * is a span inside the input.
 *
 * A pair is only stripped when its inside does not hold the opening
 * delimiter again, so "$a$ and $b$" is left alone, and unwrapping stops
 * after 64 layers: a thousand nested boxes are no answer anyway.
 */
#include "answer/answer_clean.h"

#include "answer/answer_check.h"
#include "core/util.h"

/* Strip open..close around s when the inside does not hold `open` again. */
static bool strip_pair(struct span *s, const char *open, const char *close)
{
	size_t a = strlen(open), b = strlen(close);
	struct span in;

	if (s->n < a + b || memcmp(s->p, open, a) || memcmp(s->p + s->n - b, close, b))
		return false;
	in = span_make(s->p + a, s->n - a - b);
	if (span_contains(in, open) || span_contains(in, close))
		return false;
	*s = in;
	return true;
}

/* Commands whose argument is the answer when they wrap all of it. */
static const char *const wrapping_commands[] = {
	"\\boxed", "\\fbox", "\\text", "\\textbf", "\\textrm", "\\mathrm", "\\mathbf", "\\mbox",
};

static bool strip_command(struct span *s)
{
	for (size_t k = 0; k < ARRAY_SIZE(wrapping_commands); k++) {
		const char *cmd = wrapping_commands[k];
		size_t i = strlen(cmd);
		long close;

		if (!span_starts(s->p, s->n, cmd) || (i < s->n && is_alpha((unsigned char)s->p[i])))
			continue;
		while (i < s->n && s->p[i] == ' ')
			i++;
		if (i >= s->n || s->p[i] != '{')
			continue;
		close = span_brace_close(s->p, s->n, i);
		if (close != (long)s->n - 1)
			continue;
		*s = span_make(s->p + i + 1, s->n - i - 2);
		return true;
	}
	return false;
}

/* Occurrences of lit in s. */
static size_t span_count(struct span s, const char *lit)
{
	size_t k = strlen(lit), n = 0;

	for (size_t i = 0; i + k <= s.n; i++)
		if (!memcmp(s.p + i, lit, k)) {
			n++;
			i += k - 1;
		}
	return n;
}

/*
 * Strip layers until none is left. Unwrapping is capped: each layer costs
 * a scan, and a thousand nested boxes are no answer anyway.
 */
struct span answer_clean_span(struct span s)
{
	int unwraps = 0;

	for (;;) {
		s = span_trim(s);
		/* Half of a bold pair cut off by the marker: "**Answer:** 7", "7**". */
		if ((span_starts(s.p, s.n, "**") || span_ends_with(s, "**")) && span_count(s, "**") == 1) {
			if (span_starts(s.p, s.n, "**")) {
				s.p += 2;
				s.n -= 2;
				continue;
			}
			if (span_ends_with(s, "**")) {
				s.n -= 2;
				continue;
			}
		}
		if (s.n && s.p[s.n - 1] == '.') {
			s.n--;
			continue;
		}
		if (span_ends_with(s, "\xe3\x80\x82")) {	/* 。 */
			s.n -= 3;
			continue;
		}
		if (unwraps++ < 64 &&
		    (strip_pair(&s, "$$", "$$") || strip_pair(&s, "$", "$") ||
		     strip_pair(&s, "\\(", "\\)") || strip_pair(&s, "\\[", "\\]") ||
		     strip_pair(&s, "**", "**") || strip_pair(&s, "*", "*") || strip_command(&s)))
			continue;
		return s;
	}
}

void answer_clean(const char *s, struct sbuf *out)
{
	struct span c = answer_clean_span(span_of(s));

	sbuf_add(out, c.p, c.n);
}
