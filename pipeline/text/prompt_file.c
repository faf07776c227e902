/*
 * prompt_file.c — read a prompt file: front matter (`key: value` lines
 * between `---` lines, values JSON when they parse as JSON), then messages
 * introduced by `=== role ===` lines, each body compiled as a Mustache
 * template. Partials are files beside the file that includes them, and
 * their contents go into the prompt's hash so that provenance changes when
 * any included piece does.
 */
#include "text/prompt_file.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/mustache.h"

struct prompt_message {
	char role[16];
	struct mustache *tpl;
};

struct prompt_file {
	char *path;
	json_t *defaults;
	struct prompt_message *msgs;
	size_t nr_msgs, alloc_msgs;
	char hash[HASH128_HEX_LEN + 1];
};

/* What the partial callback needs while the messages compile. */
struct loader {
	char *dir;		/* directory of the prompt file */
	struct hash128_state *hash;
	char **seen;		/* partials already hashed, by real path */
	size_t nr_seen, alloc_seen;
};

static const char *const roles[] = { "system", "user", "assistant" };

static int read_whole(const char *path, struct sbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(out, buf, n);
	if (ferror(f)) {
		int saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	fclose(f);
	return 0;
}

static char *dir_of(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * `{{> name}}` reads DIR/name.mustache, else DIR/name.prompt (or DIR/name
 * when it already has one of those endings), DIR being the directory of
 * the including file. A missing partial fails the load: a prompt that
 * silently lost a piece would be worse than no prompt.
 */
static int load_partial(void *data, const char *from, const char *name,
			struct sbuf *id, struct sbuf *text)
{
	struct loader *ld = data;
	static const char *const exts[] = { "", ".mustache", ".prompt" };
	char *dir = from ? dir_of(from) : xstrdup(ld->dir);
	char real[PATH_MAX];
	char *found = NULL;
	int ret = -1;

	for (size_t i = 0; i < ARRAY_SIZE(exts) && !found; i++) {
		char *path;
		if (!i && !has_suffix(name, ".mustache") &&
		    !has_suffix(name, ".prompt"))
			continue;
		path = name[0] == '/' ? xasprintf("%s%s", name, exts[i])
				      : xasprintf("%s/%s%s", dir, name, exts[i]);
		if (realpath(path, real))
			found = path;
		else
			free(path);
	}
	if (!found) {
		sbuf_addf(text, "no file '%s/%s.mustache' or '.prompt'", dir,
			  name);
		goto out;
	}
	if (read_whole(found, text)) {
		sbuf_reset(text);
		sbuf_addf(text, "cannot read '%s': %s", found, strerror(errno));
		goto out;
	}
	sbuf_addstr(id, real);
	ret = 0;
	for (size_t i = 0; i < ld->nr_seen; i++)
		if (!strcmp(ld->seen[i], real))
			goto out;
	ALLOC_GROW(ld->seen, ld->nr_seen + 1, ld->alloc_seen);
	ld->seen[ld->nr_seen++] = xstrdup(real);
	/* the name as written, not the machine's path: hashes must travel */
	hash128_state_update(ld->hash, "\0", 1);
	hash128_state_update(ld->hash, name, strlen(name) + 1);
	hash128_state_update(ld->hash, text->buf, text->len);
out:
	free(found);
	free(dir);
	return ret;
}

/* A line: [start, end) without its line break; `next` is the next line. */
struct line {
	const char *start, *end, *next;
	size_t no;
};

static int next_line(const char **pos, const char *limit, size_t *no,
		     struct line *ln)
{
	const char *nl;

	if (*pos >= limit)
		return 0;
	ln->start = *pos;
	nl = memchr(*pos, '\n', (size_t)(limit - *pos));
	ln->next = nl ? nl + 1 : limit;
	ln->end = nl ? nl : limit;
	if (ln->end > ln->start && ln->end[-1] == '\r')
		ln->end--;
	ln->no = ++*no;
	*pos = ln->next;
	return 1;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static int line_is(const struct line *ln, const char *word)
{
	const char *s = ln->start, *e = ln->end;

	trim(&s, &e);
	return (size_t)(e - s) == strlen(word) && !memcmp(s, word, (size_t)(e - s));
}

/*
 * `=== role ===`: returns 1 and the role, 0 if the line is not a role
 * line, -1 if it looks like one but names no known role.
 */
static int role_line(const struct line *ln, const char **role)
{
	const char *s = ln->start, *e = ln->end;

	trim(&s, &e);
	if (e - s < 7 || memcmp(s, "===", 3) || memcmp(e - 3, "===", 3))
		return 0;
	s += 3;
	e -= 3;
	trim(&s, &e);
	for (const char *p = s; p < e; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		if ((size_t)(e - s) == strlen(roles[i]) &&
		    !memcmp(s, roles[i], (size_t)(e - s))) {
			*role = roles[i];
			return 1;
		}
	}
	return s < e ? -1 : 0;
}

static int parse_front_matter(struct prompt_file *pf, const char **pos,
			      const char *limit, size_t *no)
{
	struct line ln;
	const char *save = *pos;
	size_t save_no = *no;

	if (!next_line(pos, limit, no, &ln) || !line_is(&ln, "---")) {
		*pos = save;
		*no = save_no;
		return 0;
	}
	while (next_line(pos, limit, no, &ln)) {
		const char *s = ln.start, *e = ln.end, *colon, *ks, *ke;
		json_t *value;
		char *key, *text;

		const char *role;

		if (line_is(&ln, "---"))
			return 0;
		if (role_line(&ln, &role) > 0)
			return error("%s:%zu: front matter has no closing '---' line before '=== %s ==='",
				     pf->path, ln.no, role);
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		colon = memchr(s, ':', (size_t)(e - s));
		ks = s;
		ke = colon ? colon : s;
		trim(&ks, &ke);
		if (!colon || ks == ke)
			return error("%s:%zu: front matter line is not 'key: value'",
				     pf->path, ln.no);
		key = xstrndup(ks, (size_t)(ke - ks));
		s = colon + 1;
		trim(&s, &e);
		text = xstrndup(s, (size_t)(e - s));
		value = json_loads(text, JSON_DECODE_ANY, NULL);
		if (!value)
			value = json_string(text);
		if (!value) {
			free(key);
			free(text);
			return error("%s:%zu: value of '%s' is not valid UTF-8",
				     pf->path, ln.no, ks);
		}
		if (json_object_get(pf->defaults, key)) {
			json_decref(value);
			error("%s:%zu: '%s' is set twice", pf->path, ln.no, key);
			free(key);
			free(text);
			return -1;
		}
		json_object_set_new(pf->defaults, key, value);
		free(key);
		free(text);
	}
	return error("%s: front matter has no closing '---' line", pf->path);
}

/* Body [s, e) of a message starting at line `first` becomes a template. */
static int compile_message(struct prompt_file *pf, struct loader *ld,
		       const char *role, const char *s, const char *e,
		       size_t first)
{
	struct sbuf err = SBUF_INIT;
	struct prompt_message *m;
	size_t line;
	int off = 0;

	ALLOC_GROW(pf->msgs, pf->nr_msgs + 1, pf->alloc_msgs);
	m = &pf->msgs[pf->nr_msgs];
	snprintf(m->role, sizeof(m->role), "%s", role);
	m->tpl = mustache_compile(s, (size_t)(e - s), 0, load_partial, ld, &err);
	if (!m->tpl) {
		/* mustache counts lines from the body: make them the file's */
		if (sscanf(err.buf, "line %zu: %n", &line, &off) == 1 && off)
			error("%s:%zu: %s", pf->path, first + line - 1,
			      err.buf + off);
		else
			error("%s:%zu: %s", pf->path, first, err.buf);
		sbuf_release(&err);
		return -1;
	}
	pf->nr_msgs++;
	sbuf_release(&err);
	return 0;
}

static int parse_messages(struct prompt_file *pf, struct loader *ld,
			  const char *pos, const char *limit, size_t no)
{
	const char *body = pos, *role = NULL, *r;
	size_t body_line = no + 1;
	struct line ln;

	while (next_line(&pos, limit, &no, &ln)) {
		int kind = role_line(&ln, &r);
		if (kind < 0)
			return error("%s:%zu: unknown role in '%.*s' (system, user or assistant)",
				     pf->path, ln.no, (int)(ln.end - ln.start),
				     ln.start);
		if (!kind)
			continue;
		if (role) {
			if (compile_message(pf, ld, role, body, ln.start, body_line))
				return -1;
		} else {
			const char *s = body, *e = ln.start;
			trim(&s, &e);
			if (s != e)
				return error("%s:%zu: text before the first '=== role ===' line",
					     pf->path, body_line);
		}
		role = r;
		body = ln.next;
		body_line = ln.no + 1;
	}
	if (!role) {
		const char *s = body, *e = limit;
		trim(&s, &e);
		if (s == e)
			return error("%s: no message in the prompt", pf->path);
		role = "user";
	}
	return compile_message(pf, ld, role, body, limit, body_line);
}

static int utf8_check(const char *text, size_t len, const char *path)
{
	json_t *probe = json_stringn(text, len);

	if (!probe)
		return error("%s: not valid UTF-8", path);
	json_decref(probe);
	return 0;
}

struct prompt_file *prompt_file_parse(const char *text, size_t len,
				      const char *path)
{
	struct prompt_file *pf = xcalloc(1, sizeof(*pf));
	struct loader ld;
	const char *pos = text, *limit = text + len;
	size_t no = 0;
	int ret;

	memset(&ld, 0, sizeof(ld));
	pf->path = xstrdup(path ? path : "<prompt>");
	pf->defaults = json_object();
	ld.dir = path ? dir_of(path) : xstrdup(".");
	ld.hash = hash128_state_new();
	hash128_state_update(ld.hash, text, len);

	if (len >= 3 && !memcmp(pos, "\xef\xbb\xbf", 3))
		pos += 3;
	ret = utf8_check(text, len, pf->path);
	if (!ret)
		ret = parse_front_matter(pf, &pos, limit, &no);
	if (!ret)
		ret = parse_messages(pf, &ld, pos, limit, no);
	if (!ret)
		hash128_hex(hash128_state_digest(ld.hash), pf->hash);

	for (size_t i = 0; i < ld.nr_seen; i++)
		free(ld.seen[i]);
	free(ld.seen);
	free(ld.dir);
	hash128_state_free(ld.hash);
	if (ret) {
		prompt_file_free(pf);
		return NULL;
	}
	return pf;
}

struct prompt_file *prompt_file_load(const char *path)
{
	struct sbuf text = SBUF_INIT;
	struct prompt_file *pf;

	if (read_whole(path, &text)) {
		error("cannot read '%s': %s", path, strerror(errno));
		sbuf_release(&text);
		return NULL;
	}
	pf = prompt_file_parse(text.buf, text.len, path);
	sbuf_release(&text);
	return pf;
}

static int is_blank_text(const struct sbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if (!isspace((unsigned char)sb->buf[i]))
			return 0;
	return 1;
}

json_t *prompt_file_render(const struct prompt_file *pf, const json_t *record,
			   struct sbuf *err)
{
	json_t *out = json_array();
	struct sbuf content = SBUF_INIT, why = SBUF_INIT;
	const char *role = NULL;

	for (size_t i = 0; i < pf->nr_msgs; i++) {
		json_t *text;
		size_t len;
		role = pf->msgs[i].role;
		sbuf_reset(&content);
		if (mustache_render(pf->msgs[i].tpl, record, &content, &why))
			goto fail;
		/*
		 * The line break before the next role line belongs to the
		 * format, and so do blank lines left at the end of a body by
		 * sections: content never ends with a line break.
		 */
		len = content.len;
		while (len && (content.buf[len - 1] == '\n' ||
			       content.buf[len - 1] == '\r'))
			len--;
		sbuf_setlen(&content, len);
		if (is_blank_text(&content))
			continue;
		text = json_stringn(content.buf, content.len);
		if (!text) {
			sbuf_addstr(&why, "rendered text is not valid UTF-8");
			goto fail;
		}
		json_array_append_new(out, json_pack("{s:s,s:o}", "role", role,
						     "content", text));
	}
	if (json_array_size(out)) {
		sbuf_release(&content);
		sbuf_release(&why);
		return out;
	}
	role = NULL;
	sbuf_addstr(&why, "every message renders empty");
fail:
	sbuf_reset(&content);
	sbuf_addf(&content, "%s: ", pf->path);
	if (role)
		sbuf_addf(&content, "%s message: ", role);
	sbuf_add(&content, why.buf, why.len);
	if (err)
		sbuf_add(err, content.buf, content.len);
	else
		error("%s", content.buf);
	sbuf_release(&content);
	sbuf_release(&why);
	json_decref(out);
	return NULL;
}

json_t *prompt_file_defaults(const struct prompt_file *pf)
{
	return pf->defaults;
}

const char *prompt_file_hash(const struct prompt_file *pf)
{
	return pf->hash;
}

const char *prompt_file_path(const struct prompt_file *pf)
{
	return pf->path;
}

void prompt_file_free(struct prompt_file *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->nr_msgs; i++)
		mustache_free(pf->msgs[i].tpl);
	free(pf->msgs);
	json_decref(pf->defaults);
	free(pf->path);
	free(pf);
}
