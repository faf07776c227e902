/*
 * html.c — page skeleton, stylesheet and escaping (see html.h).
 *
 * One stylesheet for every page, so the reports look alike and a section
 * of one page (condor's count table) reads the same inside another. It
 * names no external resource: the pages are checked for url(, @import,
 * src= and href= pointing anywhere.
 */
#include "report/html.h"

#include <math.h>
#include <string.h>

static const char page_css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
	"max-width:1200px;padding:0 1em;color:#1d2330;background:#fafbfc}"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;"
	"border-bottom:2px solid #d8dde6;padding-bottom:.2em}h3{font-size:1.1em;margin:1.3em 0 .4em}"
	"h4{font-size:.95em;margin:1em 0 .4em;color:#394152}"
	".sub,.note{color:#5b6475}.sub{margin:0 0 1em}.note{font-size:12px}"
	"code,td.k{font-family:ui-monospace,Menlo,Consolas,monospace}"
	"table{border-collapse:collapse;margin:.4em 0 1em;background:#fff}"
	"th,td{border:1px solid #d8dde6;padding:.25em .6em;text-align:right;vertical-align:top}"
	"th{background:#eef1f6}td.l,th.l,td.k{text-align:left}td.k{word-break:break-all}"
	"section.group{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:.2em 1em 1em;margin:1em 0}"
	".grid{display:flex;flex-wrap:wrap;gap:12px}"
	"figure{margin:.4em 0;display:inline-block;background:#fff}"
	".grid figure{margin:0;border:1px solid #d8dde6;border-radius:6px;padding:8px}"
	"figcaption{font-size:12px;color:#394152;margin-bottom:4px;max-width:360px;word-break:break-all}"
	"svg text{font:10px sans-serif;fill:#394152}"
	"rect.bar,rect.kept{fill:#4a7bd0}rect.dropped{fill:#d0504a}rect.hbar{fill:#5aa36b}"
	"g.bin:hover rect{fill:#e0803a}"
	"line.axis{stroke:#8892a6}line.cut{stroke:#1d2330;stroke-width:1.5;stroke-dasharray:5 3}"
	"circle.kept{fill:#4a7bd0;fill-opacity:.45}circle.dropped{fill:#d0504a}"
	"line.fit{stroke:#2b8a3e;stroke-width:2}line.zero{stroke:#8892a6;stroke-dasharray:2 2}"
	".cards{display:flex;flex-wrap:wrap;gap:10px}"
	".sample{width:360px;border:1px solid #d8dde6;border-left:5px solid #4a7bd0;border-radius:5px;"
	"padding:.4em .6em;background:#fcfcfd;font-size:12.5px;overflow:hidden}"
	".sample.dropped{border-left-color:#d0504a}"
	".meta{font-size:11.5px;color:#394152;margin-bottom:.3em;word-break:break-all}"
	".turn{white-space:pre-wrap;word-break:break-word;margin:.25em 0}.role{font-weight:600;color:#394152}"
	".thumbs{display:flex;flex-wrap:wrap;gap:4px;margin:.2em 0}"
	"img.thumb{width:96px;height:auto;max-height:140px;object-fit:contain;border:1px solid #d8dde6;"
	"image-rendering:pixelated}"
	".imgnote{font-size:11px;color:#8a4b16}";

void html_page_open(struct sbuf *out, const char *title)
{
	sbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			 "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	html_escape_str(out, title);
	sbuf_addstr(out, "</title><style>");
	sbuf_addstr(out, page_css);
	sbuf_addstr(out, "</style></head><body>\n");
}

void html_page_close(struct sbuf *out)
{
	sbuf_addstr(out, "</body></html>\n");
}

void html_escape(struct sbuf *out, const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sbuf_add(out, s + run, i - run);
		sbuf_addstr(out, rep);
		run = i + 1;
	}
	sbuf_add(out, s + run, len - run);
}

void html_escape_str(struct sbuf *out, const char *s)
{
	if (s)
		html_escape(out, s, strlen(s));
}

void html_escape_clipped(struct sbuf *out, const char *s, size_t len, size_t max)
{
	size_t n = len;

	if (n > max) {
		n = max;
		/* back off continuation bytes so the cut falls before a lead byte */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	html_escape(out, s, n);
	if (n < len)
		sbuf_addstr(out, "…");
}

void html_num(struct sbuf *out, double x)
{
	if (isnan(x) || isinf(x))
		sbuf_addstr(out, "–");
	else if (x == floor(x) && fabs(x) < 1e15)
		sbuf_addf(out, "%.0f", x);
	else
		sbuf_addf(out, "%.4g", x);
}

void html_td_num(struct sbuf *out, double x)
{
	sbuf_addstr(out, "<td>");
	html_num(out, x);
	sbuf_addstr(out, "</td>");
}

void html_td_numbers(struct sbuf *out, const json_t *obj, const char *between, const char *sep)
{
	const char *key;
	json_t *v;
	int first = 1;

	sbuf_addstr(out, "<td class=\"l\">");
	json_object_foreach((json_t *)obj, key, v) {
		if (!first)
			sbuf_addstr(out, sep);
		first = 0;
		html_escape_str(out, key);
		sbuf_addstr(out, between);
		html_num(out, json_number_value(v));
	}
	sbuf_addstr(out, "</td>");
}
