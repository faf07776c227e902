/*
 * test_prompt_file.c — prompt files written to a scratch directory, loaded,
 * rendered against records; front matter values, role lines, partials
 * beside the including file, hashes, and load errors with the file's line
 * numbers (read back from stderr).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/prompt_file.h"

static char *scratch;

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", scratch, name);
}

static void write_file(const char *name, const char *text)
{
	char *path = path_in(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	free(path);
}

static struct prompt_file *load(const char *name)
{
	char *path = path_in(name);
	struct prompt_file *pf = prompt_file_load(path);

	free(path);
	return pf;
}

/* The messages as one string "role:content|role:content|..." */
static char *render_flat(const struct prompt_file *pf, const char *record)
{
	json_t *rec = json_loads(record, 0, NULL), *msgs;
	struct sbuf flat = SBUF_INIT, err = SBUF_INIT;
	size_t i;
	json_t *m;

	assert_non_null(rec);
	msgs = prompt_file_render(pf, rec, &err);
	if (!msgs)
		fail_msg("render failed: %s", err.buf);
	json_array_foreach(msgs, i, m) {
		assert_int_equal(json_object_size(m), 2);
		sbuf_addf(&flat, "%s%s:%s", i ? "|" : "",
			  json_string_value(json_object_get(m, "role")),
			  json_string_value(json_object_get(m, "content")));
	}
	json_decref(msgs);
	json_decref(rec);
	sbuf_release(&err);
	return sbuf_detach(&flat, NULL);
}

static void expect_render(const struct prompt_file *pf, const char *record,
			  const char *want)
{
	char *got = render_flat(pf, record);

	assert_string_equal(got, want);
	free(got);
}

static void test_full_example(void **state)
{
	struct prompt_file *pf;
	json_t *d;

	write_file("q.prompt",
		   "---\n"
		   "parse: markers\n"
		   "markers: {\"blocks\": [\"Question\"], \"labels\": [\"Easy\",\"Medium\",\"Hard\"]}\n"
		   "temperature: 0.7\n"
		   "max_tokens: 2048\n"
		   "---\n"
		   "=== system ===\n"
		   "You are a <careful> & thorough writer.\n"
		   "=== user ===\n"
		   "Theme: {{theme}}\n"
		   "Examples:\n"
		   "{{#examples}}\n"
		   "- {{.}}\n"
		   "{{/examples}}\n"
		   "=== assistant ===\n"
		   "{{prefix}}\n");
	pf = load("q.prompt");
	assert_non_null(pf);
	d = prompt_file_defaults(pf);
	assert_string_equal(json_string_value(json_object_get(d, "parse")), "markers");
	assert_true(json_is_object(json_object_get(d, "markers")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(d, "markers"),
							 "labels")), 3);
	assert_true(json_is_real(json_object_get(d, "temperature")));
	assert_true(json_real_value(json_object_get(d, "temperature")) == 0.7);
	assert_int_equal(json_integer_value(json_object_get(d, "max_tokens")), 2048);
	assert_int_equal(json_object_size(d), 4);

	expect_render(pf, "{\"theme\": \"tides & <moon>\", \"examples\": [\"a?\", \"b?\"],"
			  " \"prefix\": \"[Easy]\"}",
		      "system:You are a <careful> & thorough writer.|"
		      "user:Theme: tides & <moon>\nExamples:\n- a?\n- b?|"
		      "assistant:[Easy]");
	/* no prefix: the assistant message renders empty and is left out */
	expect_render(pf, "{\"theme\": \"t\"}",
		      "system:You are a <careful> & thorough writer.|"
		      "user:Theme: t\nExamples:");
	assert_int_equal(strlen(prompt_file_hash(pf)), HASH128_HEX_LEN);
	prompt_file_free(pf);
}

static void test_plain_and_few_shot(void **state)
{
	struct prompt_file *pf;

	write_file("plain.prompt", "Summarise:\n\n{{text}}\n\n\n");
	pf = load("plain.prompt");
	assert_non_null(pf);
	assert_int_equal(json_object_size(prompt_file_defaults(pf)), 0);
	expect_render(pf, "{\"text\": \"abc\"}", "user:Summarise:\n\nabc");
	prompt_file_free(pf);

	write_file("few.prompt",
		   "\n=== user ===\n2+2?\n\n=== assistant ===\n4\n"
		   "===user===\n{{q}}\r\n=== assistant ===   \n");
	pf = load("few.prompt");
	assert_non_null(pf);
	expect_render(pf, "{\"q\": \"3+3?\"}",
		      "user:2+2?|assistant:4|user:3+3?");
	prompt_file_free(pf);

	/* CRLF files and a byte-order mark */
	write_file("crlf.prompt", "\xef\xbb\xbf---\r\nn: 3\r\n---\r\n"
				  "=== system ===\r\nS\r\n=== user ===\r\nU {{n}}\r\n");
	pf = load("crlf.prompt");
	assert_non_null(pf);
	assert_int_equal(json_integer_value(json_object_get(prompt_file_defaults(pf), "n")), 3);
	expect_render(pf, "{\"n\": 1}", "system:S|user:U 1");
	prompt_file_free(pf);
}

static void test_front_matter_values(void **state)
{
	struct prompt_file *pf;
	json_t *d;

	write_file("fm.prompt", "---\n"
				"# a comment\n"
				"words: hello world\n"
				"quoted: \"hello\"\n"
				"list: [\"a\", 1]\n"
				"\n"
				"flag: true\n"
				"empty:\n"
				"url: http://x:8000/v1\n"
				"---\nhi\n");
	pf = load("fm.prompt");
	assert_non_null(pf);
	d = prompt_file_defaults(pf);
	assert_string_equal(json_string_value(json_object_get(d, "words")), "hello world");
	assert_string_equal(json_string_value(json_object_get(d, "quoted")), "hello");
	assert_int_equal(json_array_size(json_object_get(d, "list")), 2);
	assert_true(json_is_true(json_object_get(d, "flag")));
	assert_string_equal(json_string_value(json_object_get(d, "empty")), "");
	assert_string_equal(json_string_value(json_object_get(d, "url")),
			    "http://x:8000/v1");
	assert_int_equal(json_object_size(d), 6);
	prompt_file_free(pf);
}

static void test_partials_and_hash(void **state)
{
	struct prompt_file *pf, *again;
	char *hash, *sub = path_in("common");
	char *other;

	assert_int_equal(mkdir(sub, 0777), 0);
	free(sub);
	write_file("common/header.mustache", "Header for {{name}}\n  {{> footer}}\n");
	write_file("common/footer.prompt", "(footer)\n");
	write_file("p.prompt", "=== system ===\n{{> common/header}}\n"
			       "=== user ===\nQ: {{q}}\n");
	pf = load("p.prompt");
	assert_non_null(pf);
	expect_render(pf, "{\"name\": \"N\", \"q\": \"why\"}",
		      "system:Header for N\n  (footer)|user:Q: why");
	hash = xstrdup(prompt_file_hash(pf));
	prompt_file_free(pf);

	/* same files: same hash, wherever the file is */
	write_file("common/copy.prompt", "=== system ===\n{{> header}}\n"
					 "=== user ===\nQ: {{q}}\n");
	pf = load("p.prompt");
	assert_string_equal(prompt_file_hash(pf), hash);
	again = load("common/copy.prompt");
	assert_non_null(again);
	assert_string_not_equal(prompt_file_hash(again), hash);
	prompt_file_free(again);
	prompt_file_free(pf);

	/* a changed partial changes the hash of the prompt including it */
	write_file("common/footer.prompt", "(new footer)\n");
	pf = load("p.prompt");
	assert_non_null(pf);
	assert_string_not_equal(prompt_file_hash(pf), hash);
	other = xstrdup(prompt_file_hash(pf));
	prompt_file_free(pf);
	pf = load("p.prompt");
	assert_string_equal(prompt_file_hash(pf), other);
	prompt_file_free(pf);
	free(other);
	free(hash);
}

/* Load a prompt that must fail, and check what was said on stderr. */
static void expect_load_error(const char *name, const char *text,
			      const char *want)
{
	char *log = path_in("stderr.log");
	int saved = dup(2);
	FILE *f;
	char buf[1024];
	size_t n;

	if (text)
		write_file(name, text);
	fflush(stderr);
	assert_non_null(freopen(log, "w", stderr));
	assert_null(load(name));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(log, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	free(log);
	if (!strstr(buf, want))
		fail_msg("stderr '%s' does not contain '%s'", buf, want);
}

static void test_errors(void **state)
{
	expect_load_error("e1.prompt", "=== user ===\nhi\n=== tool ===\nx\n",
			  "e1.prompt:3: unknown role in '=== tool ==='");
	expect_load_error("e2.prompt", "preamble\n=== user ===\nhi\n",
			  "e2.prompt:1: text before the first '=== role ===' line");
	expect_load_error("e3.prompt", "---\nparse: text\n=== user ===\nhi\n",
			  "e3.prompt:3: front matter has no closing '---' line before '=== user ==='");
	expect_load_error("e3b.prompt", "---\nparse: text\n",
			  "e3b.prompt: front matter has no closing '---' line");
	expect_load_error("e4.prompt", "---\njust words\n---\nhi\n",
			  "e4.prompt:2: front matter line is not 'key: value'");
	expect_load_error("e5.prompt", "---\na: 1\na: 2\n---\nhi\n",
			  "e5.prompt:3: 'a' is set twice");
	expect_load_error("e6.prompt", "---\nx: 1\n---\n=== system ===\ns\n"
				       "=== user ===\none\n{{#items}}\nx\n",
			  "e6.prompt:8: unclosed section 'items'");
	expect_load_error("e7.prompt", "=== user ===\nline\n{{> nowhere}}\n",
			  "e7.prompt:3: partial 'nowhere': no file");
	expect_load_error("e8.prompt", "---\nx: 1\n---\n\n  \n",
			  "e8.prompt: no message in the prompt");
	expect_load_error("e9.prompt", "bad \xff byte\n", "not valid UTF-8");
	expect_load_error("missing-dir/none.prompt", NULL,
			  "missing-dir/none.prompt': No such file");
}

static void test_render_errors(void **state)
{
	struct prompt_file *pf;
	struct sbuf err = SBUF_INIT;
	json_t *rec = json_object();

	pf = prompt_file_parse("=== system ===\n{{#s}}{{s}}{{/s}}\n", 32, NULL);
	assert_non_null(pf);
	assert_string_equal(prompt_file_path(pf), "<prompt>");
	assert_null(prompt_file_render(pf, rec, &err));
	assert_string_equal(err.buf, "<prompt>: every message renders empty");
	prompt_file_free(pf);
	json_decref(rec);
	sbuf_release(&err);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	scratch = xasprintf("%s/smelt-prompt.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", scratch);
	int ret = system(cmd);

	free(cmd);
	free(scratch);
	return ret ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_plain_and_few_shot),
		cmocka_unit_test(test_front_matter_values),
		cmocka_unit_test(test_partials_and_hash),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_render_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
