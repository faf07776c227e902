/*
 * mustache.c — compile Mustache source into a tree of nodes, then walk the
 * tree against a context stack of jansson values.
 *
 * Compiling does all the spec's whitespace work: a standalone tag's line
 * is cut out of the text nodes, and each node remembers whether it starts
 * a source line. Partials are resolved through the caller's callback and
 * compiled into the same object (one "part" per distinct partial id), so
 * rendering reads only immutable data and is safe from many threads.
 *
 * A partial whose tag stands alone on its line is indented by that line's
 * leading whitespace. Instead of re-indenting and recompiling its source
 * for every indentation (unbounded for recursive partials), the renderer
 * carries the indentation and writes it wherever a source line of the
 * partial begins: before a node flagged `bol`, and after each newline
 * inside a text node that is not the node's last byte (the line after
 * such a newline starts at the next node, which is flagged itself).
 */
#include "text/mustache.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sections may nest this deep in one source; partials add to it at render. */
#define MAX_SECTION_NESTING 100
#define MAX_DELIMITER 32

enum node_type { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

/* One step of a name: an object key, or an array index. */
struct seg {
	char *key;	/* NULL for an index */
	long index;	/* negative counts from the end */
};

struct name {
	char *text;	/* as written, for messages */
	struct seg *segs;
	size_t nr;	/* 0 means "." (the top of the stack) */
};

struct node {
	enum node_type type;
	int bol;		/* starts a source line */
	const char *text;	/* N_TEXT: a slice of the part's source */
	size_t len;
	struct name name;	/* variables and sections */
	struct node *kids;	/* sections */
	size_t nr_kids, alloc_kids;
	long part;		/* N_PARTIAL: index into parts, -1 if absent */
	char *indent;		/* N_PARTIAL: standalone indentation, or NULL */
	size_t indent_len;
};

struct part {
	char *id;		/* NULL for the top template */
	char *src;
	size_t len;
	struct node root;	/* a section-like holder of the top nodes */
};

struct mustache {
	unsigned flags;
	mustache_partial_fn *partial;	/* only used while compiling */
	void *data;
	struct part *parts;
	size_t nr_parts, alloc_parts;
};

static void add_message(struct sbuf *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void add_message(struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err) {
		sbuf_vaddf(err, fmt, ap);
	} else {
		struct sbuf msg = SBUF_INIT;
		sbuf_vaddf(&msg, fmt, ap);
		error("%s", msg.buf);
		sbuf_release(&msg);
	}
	va_end(ap);
}

/* ---- names ---- */

static void name_release(struct name *n)
{
	for (size_t i = 0; i < n->nr; i++)
		free(n->segs[i].key);
	free(n->segs);
	free(n->text);
}

static void name_push(struct name *n, size_t *alloc, char *key, long index)
{
	ALLOC_GROW(n->segs, n->nr + 1, *alloc);
	n->segs[n->nr].key = key;
	n->segs[n->nr].index = index;
	n->nr++;
}

/*
 * Parse `a.b[2].c`: keys separated by dots, each optionally followed by
 * bracketed (possibly negative) indexes. The name `.` has no steps.
 */
static int name_parse(struct name *n, const char *s, size_t len)
{
	size_t alloc = 0, i = 0;

	memset(n, 0, sizeof(*n));
	n->text = xstrndup(s, len);
	if (len == 1 && s[0] == '.')
		return 0;
	for (;;) {
		size_t k = i;
		while (k < len && s[k] != '.' && s[k] != '[' && s[k] != ']')
			k++;
		if (k > i)
			name_push(n, &alloc, xstrndup(s + i, k - i), 0);
		else if (k >= len || s[k] != '[' || i != 0)
			return -1;	/* empty key, except a leading index */
		i = k;
		while (i < len && s[i] == '[') {
			size_t close = i + 1;
			char num[24];
			long idx;
			while (close < len && s[close] != ']')
				close++;
			if (close >= len || close - i - 1 >= sizeof(num) ||
			    close == i + 1)
				return -1;
			memcpy(num, s + i + 1, close - i - 1);
			num[close - i - 1] = '\0';
			if (parse_long(num, -1000000000L, 1000000000L, &idx))
				return -1;
			name_push(n, &alloc, NULL, idx);
			i = close + 1;
		}
		if (i >= len)
			return 0;
		if (s[i] != '.' || i + 1 >= len)
			return -1;
		i++;
	}
}

static const json_t *step_index(const json_t *v, long index)
{
	size_t size;

	if (!json_is_array(v))
		return NULL;
	size = json_array_size(v);
	if (index < 0)
		index += (long)size;
	if (index < 0 || (size_t)index >= size)
		return NULL;
	return json_array_get(v, (size_t)index);
}

/* A key step; an all-digit key also indexes an array (`items.0`). */
static const json_t *step(const json_t *v, const struct seg *seg)
{
	long index;

	if (!seg->key)
		return step_index(v, seg->index);
	if (json_is_object(v))
		return json_object_get(v, seg->key);
	if (json_is_array(v) && seg->key[0] >= '0' && seg->key[0] <= '9' &&
	    !parse_long(seg->key, 0, 1000000000L, &index))
		return step_index(v, index);
	return NULL;
}

/* ---- nodes and parts ---- */

static void node_release(struct node *nd)
{
	for (size_t i = 0; i < nd->nr_kids; i++)
		node_release(&nd->kids[i]);
	free(nd->kids);
	name_release(&nd->name);
	free(nd->indent);
}

static struct node *node_add(struct node *parent, enum node_type type, int bol)
{
	struct node *nd;

	ALLOC_GROW(parent->kids, parent->nr_kids + 1, parent->alloc_kids);
	nd = &parent->kids[parent->nr_kids++];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->bol = bol;
	nd->part = -1;
	return nd;
}

static long part_add(struct mustache *tpl, char *id, char *src, size_t len)
{
	struct part *p;

	ALLOC_GROW(tpl->parts, tpl->nr_parts + 1, tpl->alloc_parts);
	p = &tpl->parts[tpl->nr_parts];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->src = src;
	p->len = len;
	return (long)tpl->nr_parts++;
}

void mustache_free(struct mustache *tpl)
{
	if (!tpl)
		return;
	for (size_t i = 0; i < tpl->nr_parts; i++) {
		node_release(&tpl->parts[i].root);
		free(tpl->parts[i].id);
		free(tpl->parts[i].src);
	}
	free(tpl->parts);
	free(tpl);
}

/* ---- the parser ---- */

struct parser {
	struct mustache *tpl;
	long part;
	const char *src;	/* the part's source, stable while compiling */
	size_t len;
	size_t pos;		/* where unconsumed text starts */
	char otag[MAX_DELIMITER + 1], ctag[MAX_DELIMITER + 1];
	size_t olen, clen;
	size_t line_begin;	/* offset of the current line's first byte */
	int line_has_tag;	/* a kept tag already sits on this line */
	struct node *open[MAX_SECTION_NESTING + 1]; /* open[0]: the root */
	size_t open_line[MAX_SECTION_NESTING + 1];
	size_t depth;
	struct sbuf *err;
};

static size_t line_of(const struct parser *ps, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off && i < ps->len; i++)
		line += ps->src[i] == '\n';
	return line;
}

static int parse_fail(struct parser *ps, size_t off, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static int parse_fail(struct parser *ps, size_t off, const char *fmt, ...)
{
	struct sbuf msg = SBUF_INIT;
	const char *id = ps->tpl->parts[ps->part].id;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (id)
		add_message(ps->err, "partial '%s': line %zu: %s", id,
			    line_of(ps, off), msg.buf);
	else
		add_message(ps->err, "line %zu: %s", line_of(ps, off), msg.buf);
	sbuf_release(&msg);
	return -1;
}

static int at_line_start(const struct parser *ps, size_t off)
{
	return off == 0 || ps->src[off - 1] == '\n';
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Follow the lines of the text [from, to) (which has no tag). */
static void track_lines(struct parser *ps, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (ps->src[i] == '\n') {
			ps->line_begin = i + 1;
			ps->line_has_tag = 0;
		}
	}
}

static void emit_text(struct parser *ps, size_t from, size_t to)
{
	struct node *nd;

	if (from >= to)
		return;
	nd = node_add(ps->open[ps->depth], N_TEXT, at_line_start(ps, from));
	nd->text = ps->src + from;
	nd->len = to - from;
}

static int delimiter_ok(const char *s, size_t len)
{
	if (!len || len > MAX_DELIMITER || memchr(s, '=', len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * `{{=<% %>=}}`: `s` is the trimmed inside, two delimiters separated by
 * whitespace, neither holding '=' or whitespace.
 */
static int set_delimiters(struct parser *ps, const char *s, size_t len,
			  size_t off)
{
	size_t alen = 0, b;

	while (alen < len && !isspace((unsigned char)s[alen]))
		alen++;
	for (b = alen; b < len && isspace((unsigned char)s[b]); b++)
		;
	if (!delimiter_ok(s, alen) || !delimiter_ok(s + b, len - b))
		return parse_fail(ps, off, "bad delimiters '%.*s'", (int)len, s);
	memcpy(ps->otag, s, alen);
	ps->otag[alen] = '\0';
	ps->olen = alen;
	memcpy(ps->ctag, s + b, len - b);
	ps->ctag[len - b] = '\0';
	ps->clen = len - b;
	return 0;
}

static int resolve_partial(struct parser *ps, struct node *nd, size_t off)
{
	struct mustache *tpl = ps->tpl;
	struct sbuf id = SBUF_INIT, text = SBUF_INIT;
	int ret;

	if (!tpl->partial)
		return 0;
	ret = tpl->partial(tpl->data, tpl->parts[ps->part].id, nd->name.text,
			   &id, &text);
	if (ret < 0) {
		ret = parse_fail(ps, off, "partial '%s': %s", nd->name.text,
				 text.buf);
		goto out;
	}
	if (ret == 1) {
		ret = 0;	/* no such partial: renders as nothing */
		goto out;
	}
	for (size_t i = 0; i < tpl->nr_parts; i++) {
		if (tpl->parts[i].id && !strcmp(tpl->parts[i].id, id.buf)) {
			nd->part = (long)i;
			goto out;
		}
	}
	{
		size_t len = text.len;
		char *src = sbuf_detach(&text, NULL);
		nd->part = part_add(tpl, sbuf_detach(&id, NULL), src, len);
	}
out:
	sbuf_release(&id);
	sbuf_release(&text);
	return ret;
}

/*
 * A standalone tag is alone on its line but for blanks; the line,
 * including its newline, leaves the output. Returns the offset just past
 * the line, or 0 if the tag does not stand alone.
 */
static size_t standalone_end(const struct parser *ps, size_t tag_start,
			     size_t tag_end)
{
	size_t i;

	if (ps->line_has_tag)
		return 0;
	for (i = ps->line_begin; i < tag_start; i++)
		if (!is_blank(ps->src[i]))
			return 0;
	for (i = tag_end; i < ps->len && is_blank(ps->src[i]); i++)
		;
	if (i == ps->len)
		return i;
	if (ps->src[i] == '\n')
		return i + 1;
	if (ps->src[i] == '\r' && i + 1 < ps->len && ps->src[i + 1] == '\n')
		return i + 2;
	return 0;
}

static int parse_tag(struct parser *ps, size_t tag_start)
{
	const char *src = ps->src;
	size_t q = tag_start + ps->olen, close_at, tag_end, line_end;
	char sigil = q < ps->len ? src[q] : '\0', closer[MAX_DELIMITER + 2];
	size_t closer_len = ps->clen;
	const char *close, *c;
	size_t clen;
	int bol = at_line_start(ps, tag_start), keep_bol;
	struct node *nd, *cur = ps->open[ps->depth];

	if (sigil && strchr("{&#^/!>=", sigil))
		q++;
	else
		sigil = '\0';
	memcpy(closer + (sigil == '{' || sigil == '='), ps->ctag, ps->clen);
	if (sigil == '{' || sigil == '=') {
		closer[0] = sigil == '{' ? '}' : '=';
		closer_len++;
	}
	close = memmem(src + q, ps->len - q, closer, closer_len);
	if (!close)
		return parse_fail(ps, tag_start, "unclosed tag (no '%.*s')",
				  (int)closer_len, closer);
	close_at = (size_t)(close - src);
	tag_end = close_at + closer_len;

	c = src + q;
	clen = close_at - q;
	while (clen && isspace((unsigned char)c[0]))
		c++, clen--;
	while (clen && isspace((unsigned char)c[clen - 1]))
		clen--;

	track_lines(ps, ps->pos, tag_start);
	line_end = 0;
	if (sigil && sigil != '{' && sigil != '&')
		line_end = standalone_end(ps, tag_start, tag_end);
	if (line_end) {
		emit_text(ps, ps->pos, ps->line_begin);
		bol = 0;
	} else {
		emit_text(ps, ps->pos, tag_start);
	}
	/*
	 * A kept tag that renders nothing itself still holds the place where
	 * a partial's indentation goes when it begins a line.
	 */
	keep_bol = bol && !line_end;

	if (sigil == '!' || sigil == '=' || sigil == '/') {
		if (sigil == '=' &&
		    set_delimiters(ps, c, clen, tag_start))
			return -1;
		if (keep_bol)
			node_add(cur, N_TEXT, 1);
		if (sigil == '/') {
			struct node *open = ps->open[ps->depth];
			if (!ps->depth)
				return parse_fail(ps, tag_start,
						  "closing tag '%.*s' without a section",
						  (int)clen, c);
			if (strlen(open->name.text) != clen ||
			    memcmp(open->name.text, c, clen))
				return parse_fail(ps, tag_start,
						  "closing tag '%.*s' does not match section '%s' opened at line %zu",
						  (int)clen, c, open->name.text,
						  line_of(ps, ps->open_line[ps->depth]));
			ps->depth--;
		}
	} else {
		enum node_type type;
		switch (sigil) {
		case '#': type = N_SECTION; break;
		case '^': type = N_INVERTED; break;
		case '>': type = N_PARTIAL; break;
		case '{': case '&': type = N_RAW; break;
		default:
			type = (ps->tpl->flags & MUSTACHE_HTML_ESCAPE) ? N_VAR : N_RAW;
		}
		if (!clen)
			return parse_fail(ps, tag_start, "empty tag");
		nd = node_add(cur, type, bol);
		if (type == N_PARTIAL) {
			nd->name.text = xstrndup(c, clen);
			if (line_end) {
				nd->indent_len = tag_start - ps->line_begin;
				nd->indent = xstrndup(src + ps->line_begin,
						      nd->indent_len);
			}
			if (resolve_partial(ps, nd, tag_start))
				return -1;
		} else if (name_parse(&nd->name, c, clen)) {
			return parse_fail(ps, tag_start, "bad name '%.*s'",
					  (int)clen, c);
		}
		if (type == N_SECTION || type == N_INVERTED) {
			if (ps->depth == MAX_SECTION_NESTING)
				return parse_fail(ps, tag_start,
						  "sections nested too deeply");
			ps->open[++ps->depth] = nd;
			ps->open_line[ps->depth] = tag_start;
		}
	}

	if (line_end) {
		ps->pos = line_end;
		ps->line_begin = line_end;
		ps->line_has_tag = 0;
	} else {
		ps->pos = tag_end;
		ps->line_has_tag = 1;
		for (size_t i = tag_start; i < tag_end; i++)
			if (src[i] == '\n')
				ps->line_begin = i + 1;
	}
	return 0;
}

static int compile_part(struct mustache *tpl, long part, struct sbuf *err)
{
	struct parser ps;
	struct node root;
	int ret = 0;

	memset(&ps, 0, sizeof(ps));
	memset(&root, 0, sizeof(root));
	ps.tpl = tpl;
	ps.part = part;
	ps.src = tpl->parts[part].src;
	ps.len = tpl->parts[part].len;
	ps.err = err;
	memcpy(ps.otag, "{{", 3);
	memcpy(ps.ctag, "}}", 3);
	ps.olen = ps.clen = 2;
	ps.open[0] = &root;

	/* parts may grow (and move) while this one compiles: build aside */
	while (ps.pos < ps.len) {
		const char *t = memmem(ps.src + ps.pos, ps.len - ps.pos, ps.otag,
				     ps.olen);
		if (!t) {
			emit_text(&ps, ps.pos, ps.len);
			ps.pos = ps.len;
			break;
		}
		if (parse_tag(&ps, (size_t)(t - ps.src))) {
			ret = -1;
			break;
		}
	}
	if (!ret && ps.depth)
		ret = parse_fail(&ps, ps.open_line[ps.depth],
				 "unclosed section '%s'",
				 ps.open[ps.depth]->name.text);
	tpl->parts[part].root = root;
	return ret;
}

struct mustache *mustache_compile(const char *src, size_t len, unsigned flags,
				  mustache_partial_fn *partial, void *data,
				  struct sbuf *err)
{
	struct mustache *tpl = xcalloc(1, sizeof(*tpl));
	char *copy = xmalloc(len + 1);	/* not xstrndup: NULs are text too */

	memcpy(copy, src, len);
	copy[len] = '\0';
	tpl->flags = flags;
	tpl->partial = partial;
	tpl->data = data;
	part_add(tpl, NULL, copy, len);
	/* partials found while compiling are appended: one pass covers all */
	for (size_t i = 0; i < tpl->nr_parts; i++) {
		if (compile_part(tpl, (long)i, err)) {
			mustache_free(tpl);
			return NULL;
		}
	}
	tpl->partial = NULL;
	tpl->data = NULL;
	return tpl;
}

/* ---- rendering ---- */

struct render {
	const struct mustache *tpl;
	const json_t **stack;
	size_t nr, alloc;
	size_t depth;
	unsigned long work;	/* nodes visited, against runaway nesting */
	struct sbuf *out;
	struct sbuf *err;
};

static void push(struct render *r, const json_t *v)
{
	ALLOC_GROW(r->stack, r->nr + 1, r->alloc);
	r->stack[r->nr++] = v;
}

static const json_t *lookup(const struct render *r, const struct name *n)
{
	const json_t *v = NULL;
	size_t i = 1;

	if (!r->nr)
		return NULL;
	if (!n->nr)
		return r->stack[r->nr - 1];
	if (!n->segs[0].key) {
		v = step_index(r->stack[r->nr - 1], n->segs[0].index);
	} else {
		for (size_t k = r->nr; k-- > 0;) {
			if (json_is_object(r->stack[k]) &&
			    (v = json_object_get(r->stack[k], n->segs[0].key)))
				break;
		}
	}
	for (; v && i < n->nr; i++)
		v = step(v, &n->segs[i]);
	return v;
}

static int falsy(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_string(v) && !json_string_length(v));
}

/* Shortest decimal that reads back as the same double, like JSON writers. */
static void add_real(struct sbuf *out, double d)
{
	char buf[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	sbuf_addstr(out, buf);
	if (!strpbrk(buf, ".eEni"))
		sbuf_addstr(out, ".0");
}

static void add_escaped(struct sbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': sbuf_addstr(out, "&amp;"); break;
		case '"': sbuf_addstr(out, "&quot;"); break;
		case '<': sbuf_addstr(out, "&lt;"); break;
		case '>': sbuf_addstr(out, "&gt;"); break;
		default: sbuf_addch(out, s[i]);
		}
	}
}

static void interpolate(struct render *r, const json_t *v, int escape)
{
	struct sbuf tmp = SBUF_INIT;
	const char *s = NULL;
	size_t len = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		sbuf_addf(&tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		add_real(&tmp, json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_addstr(&tmp, "true");
		break;
	case JSON_FALSE:
		sbuf_addstr(&tmp, "false");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY: {
		char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (dump) {
			sbuf_addstr(&tmp, dump);
			free(dump);
		}
		break;
	}
	case JSON_NULL:
		break;
	}
	if (!s) {
		s = tmp.buf;
		len = tmp.len;
	}
	if (escape)
		add_escaped(r->out, s, len);
	else
		sbuf_add(r->out, s, len);
	sbuf_release(&tmp);
}

static void add_text(struct render *r, const struct node *nd,
		     const char *indent, size_t ilen)
{
	const char *s = nd->text, *end, *nl;

	if (!nd->len)
		return; /* text may be NULL then: no pointer arithmetic on it */
	end = nd->text + nd->len;
	if (!ilen) {
		sbuf_add(r->out, s, nd->len);
		return;
	}
	while ((nl = memchr(s, '\n', (size_t)(end - s))) && nl + 1 < end) {
		sbuf_add(r->out, s, (size_t)(nl + 1 - s));
		sbuf_add(r->out, indent, ilen);
		s = nl + 1;
	}
	sbuf_add(r->out, s, (size_t)(end - s));
}

static int render_nodes(struct render *r, const struct node *parent,
			const char *indent, size_t ilen);

static int render_partial(struct render *r, const struct node *nd,
			  const char *indent, size_t ilen)
{
	char *deeper = NULL;
	int ret;

	if (nd->part < 0)
		return 0;
	if (nd->indent) {
		/* indentation accumulates through nested standalone partials */
		deeper = xmalloc(ilen + nd->indent_len + 1);
		memcpy(deeper, indent, ilen);
		memcpy(deeper + ilen, nd->indent, nd->indent_len);
		ilen += nd->indent_len;
		indent = deeper;
	} else {
		ilen = 0;
	}
	ret = render_nodes(r, &r->tpl->parts[nd->part].root, indent, ilen);
	free(deeper);
	return ret;
}

static int render_section(struct render *r, const struct node *nd,
			  const char *indent, size_t ilen)
{
	const json_t *v = lookup(r, &nd->name);
	int ret = 0;

	if (nd->type == N_INVERTED)
		return falsy(v) ? render_nodes(r, nd, indent, ilen) : 0;
	if (falsy(v))
		return 0;
	if (json_is_array(v)) {
		for (size_t i = 0; !ret && i < json_array_size(v); i++) {
			push(r, json_array_get(v, i));
			ret = render_nodes(r, nd, indent, ilen);
			r->nr--;
		}
		return ret;
	}
	push(r, v);
	ret = render_nodes(r, nd, indent, ilen);
	r->nr--;
	return ret;
}

static int render_nodes(struct render *r, const struct node *parent,
			const char *indent, size_t ilen)
{
	int ret = 0;

	if (++r->depth > MUSTACHE_MAX_DEPTH) {
		add_message(r->err, "templates nested deeper than %d (recursive partial?)",
			    MUSTACHE_MAX_DEPTH);
		return -1;
	}
	for (size_t i = 0; !ret && i < parent->nr_kids; i++) {
		const struct node *nd = &parent->kids[i];
		if (++r->work > MUSTACHE_MAX_WORK) {
			add_message(r->err, "template rendering takes more than %lu steps",
				    (unsigned long)MUSTACHE_MAX_WORK);
			ret = -1;
			break;
		}
		if (nd->bol)
			sbuf_add(r->out, indent, ilen);
		switch (nd->type) {
		case N_TEXT:
			add_text(r, nd, indent, ilen);
			break;
		case N_VAR:
		case N_RAW: {
			const json_t *v = lookup(r, &nd->name);
			if (v)
				interpolate(r, v, nd->type == N_VAR);
			break;
		}
		case N_SECTION:
		case N_INVERTED:
			ret = render_section(r, nd, indent, ilen);
			break;
		case N_PARTIAL:
			ret = render_partial(r, nd, indent, ilen);
			break;
		}
	}
	r->depth--;
	return ret;
}

int mustache_render(const struct mustache *tpl, const json_t *ctx,
		    struct sbuf *out, struct sbuf *err)
{
	struct render r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.tpl = tpl;
	r.out = out;
	r.err = err;
	if (ctx)
		push(&r, ctx);
	ret = render_nodes(&r, &tpl->parts[0].root, "", 0);
	free(r.stack);
	return ret;
}
