/*
 * html.h — the one writer of smelt's HTML pages (smelt-stats, smelt-filter
 * --report, smelt-condor report): the page skeleton with its single
 * stylesheet, escaping, and numbers written for people.
 *
 * Every page is one self-contained file: inline CSS, inline SVG
 * (svg_chart.h), no scripts, no fonts, nothing fetched from the network.
 * Pages add to an sbuf; the caller writes it out.
 *
 * Class names the stylesheet knows: .sub (a line under a heading), .note
 * (small print), th/td .l (left-aligned) and td.k (a key in monospace),
 * .grid of figure cards with a figcaption, section.group, the sample
 * .cards of smelt-filter (.sample, .meta, .turn, .role, .thumbs,
 * img.thumb, .imgnote), and the chart classes of svg_chart.h.
 */
#ifndef SMELT_HTML_H
#define SMELT_HTML_H

#include <jansson.h>
#include <stddef.h>

#include "core/sbuf.h"

/*
 * Open a page: doctype, head with `title` (plain text, escaped here) and
 * the stylesheet, and the <body> tag followed by a newline — after which
 * a page may be spliced (condor_report.h puts its section there).
 */
void html_page_open(struct sbuf *out, const char *title);

/* Close what html_page_open opened. */
void html_page_close(struct sbuf *out);

/* Append s[0..len), escaped for HTML text and attribute values alike. */
void html_escape(struct sbuf *out, const char *s, size_t len);

/* html_escape of a C string; nothing for NULL. */
void html_escape_str(struct sbuf *out, const char *s);

/*
 * At most `max` bytes of s[0..len), cut back to a UTF-8 character
 * boundary, escaped, and "…" when something was cut.
 */
void html_escape_clipped(struct sbuf *out, const char *s, size_t len, size_t max);

/* A number for people: whole numbers whole, others with 4 significant
 * digits, "–" for NaN and infinities. */
void html_num(struct sbuf *out, double x);

/* A table cell holding html_num(x). */
void html_td_num(struct sbuf *out, double x);

/*
 * A left-aligned table cell listing an object of numbers (borrowed) in its
 * order: key, `between`, number, then `sep` before the next key — e.g.
 * ": " and "<br>" for one "kind: n" a line. Keys are escaped; `between`
 * and `sep` are HTML.
 */
void html_td_numbers(struct sbuf *out, const json_t *obj, const char *between, const char *sep);

#endif
