/*
 * filter_control.h — the control variable of smelt-filter --control: what
 * a score is compared with before it is cut, so that a score low only
 * because of it (a short answer under a reward model with a length bias)
 * is not taken for a defect.
 *
 *	length   the characters (Unicode code points) of every assistant turn's
 *	         text: what the score is about. Messages records as they are,
 *	         ShareGPT, LLaVA and Alpaca records through io/conv_format;
 *	         image parts count nothing; a record with no assistant turn
 *	         has length 0.
 *	FIELD    the number at a JSON path, e.g. stats.answer_tokens.
 *
 * The fit's x is log(1 + value) by default (FILTER_CONTROL_LOG: lengths
 * act on reward scores multiplicatively, and under the log characters and
 * tokens differ by a near constant factor, so which is counted moves the
 * intercept, not the slope; the 1 keeps an empty answer at 0), or the value
 * itself (FILTER_CONTROL_LINEAR).
 */
#ifndef SMELT_FILTER_CONTROL_H
#define SMELT_FILTER_CONTROL_H

#include <jansson.h>

#include "core/sbuf.h"

enum filter_control_kind { FILTER_CONTROL_NONE, FILTER_CONTROL_LENGTH, FILTER_CONTROL_FIELD };
enum filter_control_scale { FILTER_CONTROL_LOG, FILTER_CONTROL_LINEAR };

struct filter_control {
	enum filter_control_kind kind;
	const char *field;               /* FILTER_CONTROL_FIELD: its path (borrowed) */
	enum filter_control_scale scale;
};

/* "length" or the field path (borrowed); "none" when off. */
const char *filter_control_name(const struct filter_control *c);
/* "log" or "linear". */
const char *filter_control_scale_name(enum filter_control_scale s);

/*
 * The control value of `rec` into *value and the fit's x into *x. Returns
 * 0, or -1 with the reason in `why` (no field, not a number, negative under
 * the log scale).
 */
int filter_control_value(const struct filter_control *c, const json_t *rec, double *value, double *x,
			 struct sbuf *why);

/* Characters (code points) of the text of rec's assistant turns. */
double filter_response_length(const json_t *rec);

#endif
