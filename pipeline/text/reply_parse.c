/*
 * reply_parse.c — the reply parsers: text, json, markers, list, regex.
 *
 * Markers: one PCRE2 pattern, built from the marker templates, finds
 * every marker in the reply in one left-to-right pass — configured block
 * starts and ends, labels, and "generic" start/end markers of any other
 * name (so that an enclosing `[Critique End]` can end a block whose own
 * end marker is missing). The token list is then read in order; a block
 * runs to its own end marker if one comes before the block starts again,
 * else to the next configured start or label marker, an unbalanced end
 * marker, or the end of the reply.
 *
 * Patterns are compiled once; match data is allocated per call, which is
 * what makes applying a parser thread-safe.
 */
#include "text/reply_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/utf8.h"

enum mode { M_TEXT, M_JSON, M_MARKERS, M_LIST, M_REGEX };
static const char *const mode_names[] = { "text", "json", "markers", "list",
					  "regex" };

/* What a capture group of the markers pattern stands for. */
enum tok_kind { T_INNER, T_START, T_END, T_LABEL, T_GSTART, T_GEND };

struct tok {
	enum tok_kind kind;
	size_t idx;		/* block or label index */
	size_t start, end;	/* the marker in the reply */
	size_t nstart, nend;	/* generic markers: the name inside */
};

struct named_group {
	char *name;
	int group;
};

struct reply_parser {
	enum mode mode;
	pcre2_code *re;
	/* markers */
	char **blocks, **labels;
	size_t nr_blocks, nr_labels;
	unsigned char *req_blocks, *req_labels;
	struct group {
		enum tok_kind kind;
		size_t idx;	/* block or label index */
	} *groups;		/* groups[k]: what capture group k found */
	size_t nr_groups, alloc_groups;
	char *first_start;	/* the first block's start marker, for messages */
	/* regex */
	struct named_group *named;
	size_t nr_named;
};

static void *say(struct sbuf *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void *say(struct sbuf *err, const char *fmt, ...)
{
	struct sbuf msg = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(err ? err : &msg, fmt, ap);
	va_end(ap);
	if (!err)
		error("%s", msg.buf);
	sbuf_release(&msg);
	return NULL;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void reply_parser_free(struct reply_parser *p)
{
	if (!p)
		return;
	pcre2_code_free(p->re);
	free_strings(p->blocks, p->nr_blocks);
	free_strings(p->labels, p->nr_labels);
	free(p->req_blocks);
	free(p->req_labels);
	free(p->groups);
	free(p->first_start);
	for (size_t i = 0; i < p->nr_named; i++)
		free(p->named[i].name);
	free(p->named);
	free(p);
}

const char *reply_parser_mode(const struct reply_parser *p)
{
	return mode_names[p->mode];
}

/* ---- building ---- */

/* Options must be an object (or absent) holding only `allowed` keys. */
static int check_options(const char *mode, const json_t *opts,
			 const char *const *allowed, struct sbuf *err)
{
	const char *key;
	json_t *v;

	if (!opts)
		return 0;
	if (!json_is_object(opts)) {
		say(err, "options of parse mode '%s' must be an object", mode);
		return -1;
	}
	json_object_foreach((json_t *)opts, key, v) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i]) {
			say(err, "unknown option '%s' of parse mode '%s'", key, mode);
			return -1;
		}
	}
	return 0;
}

static int string_list(const json_t *opts, const char *key, int need,
		       char ***out, size_t *nr, struct sbuf *err)
{
	const json_t *v = json_object_get(opts, key), *item;
	size_t i;

	*out = NULL;
	*nr = 0;
	if (!v && !need)
		return 0;
	if (!json_is_array(v) || !json_array_size(v)) {
		say(err, "markers option '%s' must be a non-empty list of names", key);
		return -1;
	}
	*out = xcalloc(json_array_size(v), sizeof(**out));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || !json_string_length(item)) {
			say(err, "markers option '%s' must be a non-empty list of names", key);
			return -1;
		}
		(*out)[(*nr)++] = xstrdup(json_string_value(item));
	}
	return 0;
}

static pcre2_code *compile_re(const char *pattern, size_t len, uint32_t opts,
			      const char *what, struct sbuf *err)
{
	int code;
	PCRE2_SIZE at;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len,
				       opts | PCRE2_UTF | PCRE2_UCP |
				       PCRE2_MATCH_INVALID_UTF |
				       PCRE2_NEVER_BACKSLASH_C,
				       &code, &at, NULL);
	PCRE2_UCHAR msg[256];

	if (!re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return say(err, "bad %s at offset %zu: %s", what, (size_t)at,
			   (const char *)msg);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* a speed-up, if available */
	return re;
}

/* Appends to a pattern, never writing `\s*` twice in a row. */
struct pat {
	struct sbuf sb;
	int gap;	/* the pattern ends with \s* */
};

static void pat_gap(struct pat *pt)
{
	if (!pt->gap)
		sbuf_addstr(&pt->sb, "\\s*");
	pt->gap = 1;
}

static void pat_raw(struct pat *pt, const char *s)
{
	sbuf_addstr(&pt->sb, s);
	pt->gap = 0;
}

/* Literal text; whitespace in it matches any whitespace, or none. */
static void pat_literal(struct pat *pt, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c)) {
			pat_gap(pt);
			continue;
		}
		if (c < 0x80 && !isalnum(c))
			sbuf_addch(&pt->sb, '\\');
		sbuf_addch(&pt->sb, c);
		pt->gap = 0;
	}
}

/* Length of the UTF-8 character starting at s (1 for a stray byte). */
static size_t utf8_len(const char *s, size_t avail)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	return n <= avail ? n : 1;
}

struct marker_tpl {
	const char *pre, *post;	/* around the "{}" */
	size_t pre_len, post_len;
};

static int marker_tpl(const json_t *opts, const char *key, const char *def,
		      struct marker_tpl *t, struct sbuf *err)
{
	const json_t *v = json_object_get(opts, key);
	const char *s = def, *hole;

	if (v && !json_is_string(v)) {
		say(err, "markers option '%s' must be a string like \"%s\"", key, def);
		return -1;
	}
	if (v)
		s = json_string_value(v);
	hole = strstr(s, "{}");
	if (!hole || strstr(hole + 2, "{}")) {
		say(err, "markers option '%s' needs exactly one '{}': '%s'", key, s);
		return -1;
	}
	t->pre = s;
	t->pre_len = (size_t)(hole - s);
	t->post = hole + 2;
	t->post_len = strlen(t->post);
	while (t->pre_len && isspace((unsigned char)t->pre[0]))
		t->pre++, t->pre_len--;
	while (t->post_len && isspace((unsigned char)t->post[t->post_len - 1]))
		t->post_len--;
	if (!t->pre_len || !t->post_len) {
		say(err, "markers option '%s' needs text on both sides of '{}': '%s'",
		    key, s);
		return -1;
	}
	return 0;
}

/*
 * One alternative of the markers pattern: the template around `name`, or
 * around any name (captured) when `name` is NULL. Blanks are allowed just
 * inside the marker's first and last characters (its brackets).
 */
static void pat_marker(struct pat *pt, const struct marker_tpl *t,
		       const char *name)
{
	size_t first = utf8_len(t->pre, t->pre_len);
	size_t last = t->post_len - 1;

	while (last > 0 && ((unsigned char)t->post[last] & 0xc0) == 0x80)
		last--;
	pat_raw(pt, "(");
	pat_literal(pt, t->pre, first);
	pat_gap(pt);
	pat_literal(pt, t->pre + first, t->pre_len - first);
	pat_gap(pt);
	if (name) {
		pat_literal(pt, name, strlen(name));
	} else {
		/* a name never holds the marker's brackets nor a line break */
		pat_raw(pt, "((?:(?!");
		pat_literal(pt, t->pre, first);
		pat_raw(pt, "|");
		pat_literal(pt, t->post + last, t->post_len - last);
		pat_raw(pt, ")[^\\r\\n]){1,60}?)");
	}
	pat_gap(pt);
	pat_literal(pt, t->post, last);
	pat_gap(pt);
	pat_literal(pt, t->post + last, t->post_len - last);
	pat_raw(pt, ")");
}

static void add_group(struct reply_parser *p, enum tok_kind kind, size_t idx)
{
	ALLOC_GROW(p->groups, p->nr_groups + 3, p->alloc_groups);
	if (!p->nr_groups)	/* group 0 is the whole match */
		p->groups[p->nr_groups++] = (struct group){ T_INNER, 0 };
	p->groups[p->nr_groups++] = (struct group){ kind, idx };
	if (kind == T_GSTART || kind == T_GEND)	/* the captured name */
		p->groups[p->nr_groups++] = (struct group){ T_INNER, 0 };
}

static int find_name(char **names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static int markers_required(struct reply_parser *p, const json_t *req,
			    struct sbuf *err)
{
	const json_t *item;
	size_t i;

	p->req_blocks = xcalloc(p->nr_blocks, 1);
	p->req_labels = xcalloc(p->nr_labels ? p->nr_labels : 1, 1);
	if (!req || json_is_false(req))
		return 0;
	if (json_is_true(req)) {
		memset(p->req_blocks, 1, p->nr_blocks);
		memset(p->req_labels, 1, p->nr_labels);
		return 0;
	}
	if (!json_is_array(req)) {
		say(err, "markers option 'required' must be true or a list of names");
		return -1;
	}
	json_array_foreach(req, i, item) {
		const char *s = json_string_value(item);
		int b = s ? find_name(p->blocks, p->nr_blocks, s) : -1;
		int l = s ? find_name(p->labels, p->nr_labels, s) : -1;
		if (b < 0 && l < 0) {
			say(err, "markers option 'required' names '%s', which is neither a block nor a label",
			    s ? s : "?");
			return -1;
		}
		if (b >= 0)
			p->req_blocks[b] = 1;
		if (l >= 0)
			p->req_labels[l] = 1;
	}
	return 0;
}

static int build_markers(struct reply_parser *p, const json_t *opts,
			 struct sbuf *err)
{
	/* `none` (the word a block holds when it has nothing to say) is for
	 * the stages reading the parsed blocks; the parser only checks it */
	static const char *const allowed[] = { "blocks", "labels", "start", "end",
					       "label", "required", "none", NULL };
	const json_t *none = json_object_get(opts, "none");
	struct marker_tpl start, end, label;
	struct pat pt = { SBUF_INIT, 0 };

	if (!opts)
		return say(err, "parse mode 'markers' needs a 'markers' object with 'blocks'"),
		       -1;
	if (check_options("markers", opts, allowed, err) ||
	    string_list(opts, "blocks", 1, &p->blocks, &p->nr_blocks, err) ||
	    string_list(opts, "labels", 0, &p->labels, &p->nr_labels, err) ||
	    marker_tpl(opts, "start", "[{} Start]", &start, err) ||
	    marker_tpl(opts, "end", "[{} End]", &end, err) ||
	    marker_tpl(opts, "label", "[{}]", &label, err) ||
	    markers_required(p, json_object_get(opts, "required"), err))
		return -1;
	if (none && !json_is_string(none))
		return say(err, "markers option 'none' must be a string"), -1;

	for (size_t i = 0; i < p->nr_blocks; i++) {
		pat_raw(&pt, i ? "|" : "");
		pat_marker(&pt, &start, p->blocks[i]);
		add_group(p, T_START, i);
		pat_raw(&pt, "|");
		pat_marker(&pt, &end, p->blocks[i]);
		add_group(p, T_END, i);
	}
	for (size_t i = 0; i < p->nr_labels; i++) {
		pat_raw(&pt, "|");
		pat_marker(&pt, &label, p->labels[i]);
		add_group(p, T_LABEL, i);
	}
	pat_raw(&pt, "|");
	pat_marker(&pt, &start, NULL);
	add_group(p, T_GSTART, 0);
	pat_raw(&pt, "|");
	pat_marker(&pt, &end, NULL);
	add_group(p, T_GEND, 0);

	p->first_start = xasprintf("%.*s%s%.*s", (int)start.pre_len, start.pre,
				   p->blocks[0], (int)start.post_len, start.post);
	p->re = compile_re(pt.sb.buf, pt.sb.len, PCRE2_CASELESS, "marker pattern",
			   err);
	sbuf_release(&pt.sb);
	return p->re ? 0 : -1;
}

static int build_regex(struct reply_parser *p, const json_t *opts,
		       struct sbuf *err)
{
	static const char *const allowed[] = { "pattern", "flags", NULL };
	const json_t *pattern = json_is_string(opts) ? opts
				: json_object_get(opts, "pattern");
	const json_t *flags = json_object_get(opts, "flags");
	uint32_t options = 0, count = 0, entry = 0;
	PCRE2_SPTR table;

	if (!json_is_string(opts) && check_options("regex", opts, allowed, err))
		return -1;
	if (!json_is_string(pattern))
		return say(err, "parse mode 'regex' needs a 'pattern' string"), -1;
	if (flags && !json_is_string(flags))
		return say(err, "regex option 'flags' must be a string such as \"is\""), -1;
	for (const char *f = flags ? json_string_value(flags) : ""; *f; f++) {
		switch (*f) {
		case 'i': options |= PCRE2_CASELESS; break;
		case 's': options |= PCRE2_DOTALL; break;
		case 'm': options |= PCRE2_MULTILINE; break;
		case 'x': options |= PCRE2_EXTENDED; break;
		default:
			return say(err, "unknown regex flag '%c' (i, s, m or x)", *f), -1;
		}
	}
	p->re = compile_re(json_string_value(pattern), json_string_length(pattern),
			   options, "regex pattern", err);
	if (!p->re)
		return -1;
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMETABLE, &table);
	if (!count)
		return say(err, "regex pattern has no named group such as (?<answer>...)"), -1;
	p->named = xcalloc(count, sizeof(*p->named));
	for (uint32_t i = 0; i < count; i++) {
		PCRE2_SPTR e = table + (size_t)i * entry;
		p->named[i].group = (e[0] << 8) | e[1];
		p->named[i].name = xstrdup((const char *)e + 2);
	}
	p->nr_named = count;
	return 0;
}

struct reply_parser *reply_parser_new(const json_t *spec, struct sbuf *err)
{
	static const char *const none[] = { NULL };
	const json_t *mode = json_object_get(spec, "parse"), *opts;
	struct reply_parser *p;
	size_t m;
	int ret = 0;

	if (mode && !json_is_string(mode))
		return say(err, "'parse' must be a string");
	for (m = 0; m < ARRAY_SIZE(mode_names); m++)
		if (!mode || !strcmp(json_string_value(mode), mode_names[m]))
			break;
	if (m == ARRAY_SIZE(mode_names))
		return say(err, "unknown parse mode '%s' (text, json, markers, list or regex)",
			   json_string_value(mode));
	p = xcalloc(1, sizeof(*p));
	p->mode = (enum mode)m;
	opts = json_object_get(spec, mode_names[m]);
	if (p->mode == M_MARKERS)
		ret = build_markers(p, opts, err);
	else if (p->mode == M_REGEX)
		ret = build_regex(p, opts, err);
	else
		ret = check_options(mode_names[m], opts, none, err);
	if (ret) {
		reply_parser_free(p);
		return NULL;
	}
	return p;
}

/* ---- text ---- */

static void trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && isspace((unsigned char)s[*a]))
		(*a)++;
	while (*b > *a && isspace((unsigned char)s[*b - 1]))
		(*b)--;
}

static json_t *trimmed_string(const char *s, size_t a, size_t b)
{
	trim(s, &a, &b);
	return json_stringn(s + a, b - a);
}

static json_t *parse_text(const char *s, size_t len, struct sbuf *err)
{
	json_t *v = trimmed_string(s, 0, len);

	if (!json_string_length(v)) {
		json_decref(v);
		return say(err, "empty reply");
	}
	return v;
}

/* ---- json ---- */

/*
 * The first object or array starting in [a, b). Every '{' or '[' is a
 * candidate; a failed candidate costs what the decoder read, and the
 * total is bounded so that a long reply full of brackets stays linear.
 */
static json_t *first_json(const char *s, size_t a, size_t b, size_t *budget)
{
	for (size_t i = a; i < b && *budget; i++) {
		json_error_t jerr;
		json_t *v;
		if (s[i] != '{' && s[i] != '[')
			continue;
		v = json_loadb(s + i, b - i, JSON_DISABLE_EOF_CHECK, &jerr);
		if (v)
			return v;
		size_t read = jerr.position > 0 ? (size_t)jerr.position : 0;
		*budget -= read < *budget ? read : *budget;
	}
	return NULL;
}

static json_t *parse_json(const char *s, size_t len, struct sbuf *err)
{
	size_t budget = 64 * len + 65536, pos = 0;
	const char *f;
	json_t *v;

	/* fenced blocks first: prose before them may hold stray brackets */
	while ((f = memmem(s + pos, len - pos, "```", 3))) {
		size_t open = (size_t)(f - s) + 3, body, close;
		const char *nl = memchr(s + open, '\n', len - open), *c;
		if (!nl)
			break;
		body = (size_t)(nl - s) + 1;
		c = memmem(s + body, len - body, "```", 3);
		close = c ? (size_t)(c - s) : len;
		if ((v = first_json(s, body, close, &budget)))
			return v;
		if (!c)
			break;
		pos = close + 3;
	}
	if ((v = first_json(s, 0, len, &budget)))
		return v;
	return say(err, "no JSON object or array in the reply");
}

/* ---- list ---- */

static int hex_value(const char *s, size_t n, uint32_t *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* A backslash escape at s[*i] (the backslash); appends what it means. */
static void list_escape(const char *s, size_t len, size_t *i, struct sbuf *sb)
{
	static const char from[] = "nrtbf", to[] = "\n\r\t\b\f";
	char c = *i + 1 < len ? s[*i + 1] : '\\';
	const char *m = c ? strchr(from, c) : NULL;
	size_t digits = c == 'u' ? 4 : c == 'x' ? 2 : c == 'U' ? 8 : 0;
	uint32_t cp, lo;

	if (m) {
		sbuf_addch(sb, to[m - from]);
		*i += 2;
		return;
	}
	if (digits && *i + 2 + digits <= len &&
	    !hex_value(s + *i + 2, digits, &cp) && cp <= UTF8_MAX) {
		*i += 2 + digits;
		/* a UTF-16 surrogate pair written as two \u escapes */
		if (cp >= 0xd800 && cp < 0xdc00 && *i + 6 <= len &&
		    s[*i] == '\\' && s[*i + 1] == 'u' &&
		    !hex_value(s + *i + 2, 4, &lo) && lo >= 0xdc00 && lo < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*i += 6;
		}
		utf8_add(sb, cp); /* a lone surrogate becomes U+FFFD */
		return;
	}
	if (c == '\\' || c == '\'' || c == '"' || c == '/') {
		sbuf_addch(sb, c);
		*i += 2;
		return;
	}
	sbuf_addch(sb, '\\');	/* unknown escape: kept, as Python does */
	*i += 1;
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * A quoted string at s[*i]. A quote of the opening kind ends it only when
 * followed by ',' or ']' (after blanks), so the apostrophe in 'Don't' is
 * text. Returns 0 and advances *i past the closing quote, or -1 with *i
 * where reading stopped.
 */
static int list_string(const char *s, size_t len, size_t *i, struct sbuf *sb)
{
	char q = s[*i];
	size_t j = *i + 1;

	sbuf_reset(sb);
	while (j < len) {
		char c = s[j];
		if (c == '\n')
			break;
		if (c == '\\') {
			list_escape(s, len, &j, sb);
			continue;
		}
		if (c == q) {
			size_t k = skip_space(s, len, j + 1);
			if (k < len && (s[k] == ',' || s[k] == ']')) {
				*i = j + 1;
				return 0;
			}
		}
		sbuf_addch(sb, c);
		j++;
	}
	*i = j;
	return -1;
}

/*
 * A list of quoted strings starting at the '[' at s[i], or NULL; *stop is
 * where reading ended.
 */
static json_t *list_at(const char *s, size_t len, size_t i, size_t *stop)
{
	json_t *arr = json_array();
	struct sbuf item = SBUF_INIT;

	i = skip_space(s, len, i + 1);
	while (i < len && s[i] != ']') {
		json_t *str;
		if ((s[i] != '\'' && s[i] != '"') || list_string(s, len, &i, &item))
			goto fail;
		if (!(str = json_stringn(item.buf, item.len)))
			goto fail;
		json_array_append_new(arr, str);
		i = skip_space(s, len, i);
		if (i < len && s[i] == ',')
			i = skip_space(s, len, i + 1);
		else if (i >= len || s[i] != ']')
			goto fail;
	}
	if (i >= len)
		goto fail;
	sbuf_release(&item);
	return arr;
fail:
	*stop = i;
	sbuf_release(&item);
	json_decref(arr);
	return NULL;
}

static json_t *parse_list(const char *s, size_t len, struct sbuf *err)
{
	json_t *empty = NULL;
	size_t budget = 64 * len + 65536;	/* as in first_json */

	for (size_t i = 0; i < len && budget; i++) {
		size_t stop = i;
		json_t *v;
		if (s[i] != '[')
			continue;
		if (!(v = list_at(s, len, i, &stop))) {
			budget -= stop - i < budget ? stop - i : budget;
			continue;
		}
		if (json_array_size(v)) {
			json_decref(empty);
			return v;
		}
		if (empty)
			json_decref(v);
		else
			empty = v;	/* "[]": kept in case nothing better follows */
	}
	return empty ? empty : say(err, "no list of quoted strings in the reply");
}

/* ---- regex ---- */

static json_t *parse_regex(const struct reply_parser *p, const char *s,
			   size_t len, struct sbuf *err)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
	int rc = pcre2_match(p->re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	json_t *out = NULL;

	if (rc == PCRE2_ERROR_NOMATCH) {
		say(err, "the reply does not match the pattern");
	} else if (rc < 0) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		say(err, "matching the pattern failed: %s", (const char *)msg);
	} else {
		out = json_object();
		for (size_t i = 0; i < p->nr_named; i++) {
			int g = p->named[i].group;
			json_t *v;
			/* with (?J), the first group of a name that matched wins */
			if (g >= rc || ov[2 * g] == PCRE2_UNSET ||
			    json_object_get(out, p->named[i].name))
				continue;
			v = json_stringn(s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
			if (v)
				json_object_set_new(out, p->named[i].name, v);
		}
	}
	pcre2_match_data_free(md);
	return out;
}

/* ---- markers ---- */

static int scan_markers(const struct reply_parser *p, const char *s,
			size_t len, struct tok **toks, size_t *nr,
			struct sbuf *err)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	size_t off = 0, alloc = 0;
	int rc = 0;

	*toks = NULL;
	*nr = 0;
	while (off <= len &&
	       (rc = pcre2_match(p->re, (PCRE2_SPTR)s, len, off, 0, md, NULL)) > 0) {
		struct tok *t;
		int g;
		for (g = 1; g < rc; g++)
			if (p->groups[g].kind != T_INNER && ov[2 * g] != PCRE2_UNSET)
				break;
		ALLOC_GROW(*toks, *nr + 1, alloc);
		t = &(*toks)[(*nr)++];
		t->kind = p->groups[g].kind;
		t->idx = p->groups[g].idx;
		t->start = ov[0];
		t->end = ov[1];
		t->nstart = t->nend = 0;
		if (t->kind == T_GSTART || t->kind == T_GEND) {
			t->nstart = ov[2 * (g + 1)];
			t->nend = ov[2 * (g + 1) + 1];
		}
		off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	pcre2_match_data_free(md);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		say(err, "scanning for markers failed: %s", (const char *)msg);
		return -1;
	}
	return 0;
}

/* Names are equal ignoring ASCII case and whitespace. */
static int same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && isspace((unsigned char)a[i]))
			i++;
		while (j < blen && isspace((unsigned char)b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[j]))
			return 0;
		i++, j++;
	}
}

static void tok_name(const struct reply_parser *p, const char *s,
		     const struct tok *t, const char **name, size_t *len)
{
	if (t->kind == T_GSTART || t->kind == T_GEND) {
		*name = s + t->nstart;
		*len = t->nend - t->nstart;
	} else {
		*name = p->blocks[t->idx];
		*len = strlen(*name);
	}
}

/*
 * Where the block opened by toks[ti] ends: sets *text_end and returns the
 * index of the first token after the block (to continue from when what is
 * inside a block is not to be looked at).
 */
static size_t block_end(const struct reply_parser *p, const char *s, size_t len,
			const struct tok *toks, size_t nr, size_t ti,
			size_t *text_end)
{
	size_t b = toks[ti].idx, *open = NULL, nr_open = 0, alloc = 0, k;

	for (k = ti + 1; k < nr; k++) {
		if (toks[k].kind == T_START && toks[k].idx == b)
			break;
		if (toks[k].kind == T_END && toks[k].idx == b) {
			*text_end = toks[k].start;
			return k + 1;
		}
	}
	/* no end marker: stop at the next marker that cannot be inside */
	for (k = ti + 1; k < nr; k++) {
		const struct tok *t = &toks[k];
		const char *name, *oname;
		size_t nlen, olen, o;
		if (t->kind == T_START || t->kind == T_LABEL)
			break;
		if (t->kind == T_GSTART) {
			ALLOC_GROW(open, nr_open + 1, alloc);
			open[nr_open++] = k;
			continue;
		}
		tok_name(p, s, t, &name, &nlen);
		for (o = nr_open; o-- > 0;) {
			tok_name(p, s, &toks[open[o]], &oname, &olen);
			if (same_name(name, nlen, oname, olen))
				break;
		}
		if (o == (size_t)-1)
			break;	/* closes something opened before the block */
		nr_open = o;
	}
	free(open);
	*text_end = k < nr ? toks[k].start : len;
	return k;
}

struct marker_counts {
	size_t *blocks, *labels;	/* non-empty texts found */
	size_t any;			/* blocks found, empty or not */
};

static void labelled_block(const struct reply_parser *p, json_t *list,
			   json_t **entry, long label, size_t b, json_t *text,
			   struct marker_counts *c)
{
	int multi = p->nr_blocks > 1;

	if (!*entry || json_object_get(*entry, multi ? p->blocks[b] : "text")) {
		*entry = json_object();
		json_object_set_new(*entry, "label", label < 0 ? json_null()
					: json_string(p->labels[label]));
		json_array_append_new(list, *entry);
	}
	if (!json_object_get(*entry, "text"))
		json_object_set(*entry, "text", text);
	if (multi)
		json_object_set(*entry, p->blocks[b], text);
	if (json_string_length(text) && label >= 0)
		c->labels[label]++;
}

static void plain_block(const struct reply_parser *p, json_t *obj, size_t b,
			json_t *text)
{
	json_t *old = json_object_get(obj, p->blocks[b]);

	if (!old) {
		json_object_set(obj, p->blocks[b], text);
	} else if (json_is_string(old)) {
		json_t *both = json_pack("[O,O]", old, text);
		json_object_set_new(obj, p->blocks[b], both);
	} else {
		json_array_append(old, text);
	}
}

/*
 * Labels without any block marker in the whole reply: each label's text
 * runs to the next marker.
 */
static void bare_labels(const struct reply_parser *p, const char *s,
			size_t len, const struct tok *toks, size_t nr,
			json_t *list, struct marker_counts *c)
{
	for (size_t i = 0; i < nr; i++) {
		json_t *text;
		if (toks[i].kind != T_LABEL)
			continue;
		text = trimmed_string(s, toks[i].end, i + 1 < nr ? toks[i + 1].start : len);
		if (json_string_length(text)) {
			json_array_append_new(list, json_pack("{s:s,s:O}", "label",
				p->labels[toks[i].idx], "text", text));
			c->labels[toks[i].idx]++;
			c->any++;
		}
		json_decref(text);
	}
}

static json_t *check_required(const struct reply_parser *p, json_t *out,
			      const struct marker_counts *c, struct sbuf *err)
{
	struct sbuf missing = SBUF_INIT;

	if (!c->any) {
		json_decref(out);
		return say(err, "no markers in the reply (looked for '%s')",
			   p->first_start);
	}
	for (size_t i = 0; i < p->nr_blocks; i++)
		if (p->req_blocks[i] && !c->blocks[i])
			sbuf_addf(&missing, ", %s", p->blocks[i]);
	for (size_t i = 0; i < p->nr_labels; i++)
		if (p->req_labels[i] && !c->labels[i])
			sbuf_addf(&missing, ", %s", p->labels[i]);
	if (missing.len) {
		say(err, "reply lacks %s", missing.buf + 2);
		json_decref(out);
		out = NULL;
	}
	sbuf_release(&missing);
	return out;
}

static json_t *parse_markers(const struct reply_parser *p, const char *s,
			     size_t len, struct sbuf *err)
{
	struct marker_counts c = { xcalloc(p->nr_blocks, sizeof(size_t)),
				   xcalloc(p->nr_labels + 1, sizeof(size_t)), 0 };
	json_t *out = p->nr_labels ? json_array() : json_object();
	json_t *entry = NULL;
	struct tok *toks;
	size_t nr, ti = 0;
	long label = -1;

	if (scan_markers(p, s, len, &toks, &nr, err)) {
		json_decref(out);
		out = NULL;
		goto done;
	}
	while (ti < nr) {
		const struct tok *t = &toks[ti];
		size_t text_end, next;
		json_t *text;
		if (t->kind == T_LABEL) {
			label = (long)t->idx;
			entry = NULL;
		}
		if (t->kind != T_START) {
			ti++;
			continue;
		}
		next = block_end(p, s, len, toks, nr, ti, &text_end);
		text = trimmed_string(s, t->end, text_end);
		c.any++;
		if (json_string_length(text))
			c.blocks[t->idx]++;
		if (p->nr_labels) {
			labelled_block(p, out, &entry, label, t->idx, text, &c);
			ti = next;	/* a label inside a block is text */
		} else {
			plain_block(p, out, t->idx, text);
			ti++;		/* blocks may nest */
		}
		json_decref(text);
	}
	if (p->nr_labels && !c.any)
		bare_labels(p, s, len, toks, nr, out, &c);
	out = check_required(p, out, &c, err);
done:
	free(toks);
	free(c.blocks);
	free(c.labels);
	return out;
}

json_t *reply_parser_apply(const struct reply_parser *p, const char *reply,
			   size_t len, struct sbuf *err)
{
	json_t *probe = json_stringn(reply, len);

	if (!probe)
		return say(err, "reply is not valid UTF-8");
	json_decref(probe);
	switch (p->mode) {
	case M_TEXT:
		return parse_text(reply, len, err);
	case M_JSON:
		return parse_json(reply, len, err);
	case M_MARKERS:
		return parse_markers(p, reply, len, err);
	case M_LIST:
		return parse_list(reply, len, err);
	case M_REGEX:
		return parse_regex(p, reply, len, err);
	}
	return say(err, "unknown parse mode");
}
