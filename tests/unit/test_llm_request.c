/*
 * test_llm_request.c — request bodies, image parts, image loading (files,
 * tar members in and out of order, limits), parameter defaults, and the
 * latency histogram's percentiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "core/base64.h"
#include "llm/image_load.h"
#include "json/json_write.h"
#include "llm/llm_params.h"
#include "llm/llm_request.h"
#include "llm/llm_stats.h"

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2, 3,
};
static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F' };

static char dir[64];

static void write_file(const char *name, const void *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(p);
}

/* shard.tar holds m0.jpg .. m9.jpg (m5 is a PNG) */
static void write_shard(void)
{
	char *p = xasprintf("%s/shard.tar", dir);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, p), ARCHIVE_OK);
	for (int i = 0; i < 10; i++) {
		char name[16];
		const void *d = i == 5 ? (const void *)png : (const void *)jpeg;
		size_t len = i == 5 ? sizeof(png) : sizeof(jpeg);
		snprintf(name, sizeof(name), "m%d.jpg", i);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, name);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, d, len);
	}
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	free(p);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/smelt-img-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("a.png", png, sizeof(png));
	write_file("b.jpg", jpeg, sizeof(jpeg));
	write_file("notes.txt", "hello", 5);
	write_shard();
	return 0;
}

static int teardown(void **state)
{
	const char *names[] = { "a.png", "b.jpg", "notes.txt", "shard.tar" };

	image_load_cleanup();
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	return 0;
}

static void test_base64(void **state)
{
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		struct sbuf sb = SBUF_INIT;
		base64_encode(&sb, in[i], strlen(in[i]));
		assert_string_equal(sb.buf, out[i]);
		sbuf_release(&sb);
	}
}

/* Load `ref`; returns the URL or NULL with *kind set. */
static char *load_opts(const char *ref, uint64_t max, int allow_absolute, const char **kind)
{
	struct image_load_opts o = { dir, max, allow_absolute };
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;

	*kind = NULL;
	if (image_load_url(ref, &o, &url, kind, &err) < 0) {
		assert_non_null(strstr(err.buf, ref));
		sbuf_release(&url);
		sbuf_release(&err);
		return NULL;
	}
	sbuf_release(&err);
	return sbuf_detach(&url, NULL);
}

static char *load(const char *ref, uint64_t max, const char **kind)
{
	return load_opts(ref, max, 0, kind);
}

static void test_image_refs(void **state)
{
	const char *kind;
	struct sbuf want = SBUF_INIT;
	char *u, *abs = xasprintf("%s/b.jpg", dir);

	sbuf_addstr(&want, "data:image/png;base64,");
	base64_encode(&want, png, sizeof(png));
	u = load("a.png", 0, &kind);
	assert_string_equal(u, want.buf);
	free(u);
	assert_null(load(abs, 0, &kind)); /* absolute paths need allow_absolute */
	assert_string_equal(kind, IMAGE_OUTSIDE_ROOT);
	u = load_opts(abs, 0, 1, &kind); /* and then ignore the root */
	assert_non_null(u);
	assert_true(!strncmp(u, "data:image/jpeg;base64,", 23));
	free(u);
	u = load("https://example.com/x.png", 0, &kind);
	assert_string_equal(u, "https://example.com/x.png");
	free(u);
	u = load(want.buf, 0, &kind);
	assert_string_equal(u, want.buf);
	free(u);
	assert_null(load("missing.png", 0, &kind));
	assert_string_equal(kind, IMAGE_MISSING);
	assert_null(load("a.png", 10, &kind));
	assert_string_equal(kind, IMAGE_TOO_LARGE);
	assert_null(load("notes.txt", 0, &kind));
	assert_string_equal(kind, IMAGE_BAD);
	assert_null(load("tar:shard.tar", 0, &kind));
	assert_string_equal(kind, IMAGE_MISSING);
	free(abs);
	sbuf_release(&want);
}

static void test_tar_members(void **state)
{
	/* in order, backwards, missing, and in order again: each found */
	const int order[] = { 0, 1, 5, 9, 2, 8, 3, 3, 0 };
	const char *kind;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		char ref[64];
		snprintf(ref, sizeof(ref), "tar:shard.tar#m%d.jpg", order[i]);
		char *u = load(ref, 0, &kind);
		assert_non_null(u);
		assert_true(!strncmp(u, order[i] == 5 ? "data:image/png;" : "data:image/jpeg;", 15));
		free(u);
	}
	assert_null(load("tar:shard.tar#m10.jpg", 0, &kind));
	assert_string_equal(kind, IMAGE_MISSING);
	{
		char *u = load("tar:shard.tar#m4.jpg", 0, &kind); /* found after a miss */
		assert_non_null(u);
		free(u);
	}
	assert_null(load("tar:noshard.tar#m1.jpg", 0, &kind));
	assert_string_equal(kind, IMAGE_MISSING);
	assert_null(load("tar:shard.tar#m5.jpg", 5, &kind));
	assert_string_equal(kind, IMAGE_TOO_LARGE);
}

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	return j;
}

static char *dump(const json_t *j)
{
	return json_to_string(j);
}

static void test_image_parts(void **state)
{
	struct image_load_opts o = { dir, 0, 0 };
	struct sbuf err = SBUF_INIT, png_url = SBUF_INIT;
	const char *kind = NULL;
	json_t *m = parse("[{\"role\":\"system\",\"content\":\"sys\"},"
			  "{\"role\":\"user\",\"content\":\"A <image> B<image>\"}]");
	json_t *imgs = parse("[\"https://x/1.png\", \"a.png\"]");
	char *got, *want;

	sbuf_addstr(&png_url, "data:image/png;base64,");
	base64_encode(&png_url, png, sizeof(png));
	assert_int_equal(llm_messages_add_images(m, imgs, &o, &kind, &err), 0);
	got = dump(m);
	want = xasprintf("[{\"role\":\"system\",\"content\":\"sys\"},{\"role\":\"user\",\"content\":["
			 "{\"type\":\"text\",\"text\":\"A \"},"
			 "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/1.png\"}},"
			 "{\"type\":\"text\",\"text\":\" B\"},"
			 "{\"type\":\"image_url\",\"image_url\":{\"url\":\"%s\"}}]}]", png_url.buf);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(m);

	/* no placeholder: images lead the first user message */
	m = parse("[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"hi\"},"
		  "{\"role\":\"user\",\"content\":\"again\"}]");
	assert_int_equal(llm_messages_add_images(m, imgs, &o, &kind, &err), 0);
	got = dump(json_array_get(m, 1));
	want = xasprintf("{\"role\":\"user\",\"content\":["
			 "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/1.png\"}},"
			 "{\"type\":\"image_url\",\"image_url\":{\"url\":\"%s\"}},"
			 "{\"type\":\"text\",\"text\":\"hi\"}]}", png_url.buf);
	assert_string_equal(got, want);
	assert_true(json_is_string(json_object_get(json_array_get(m, 2), "content")));
	free(got);
	free(want);
	json_decref(m);

	/* counts that disagree, and a missing image */
	m = parse("[{\"role\":\"user\",\"content\":\"<image>\"}]");
	assert_int_equal(llm_messages_add_images(m, imgs, &o, &kind, &err), -1);
	assert_string_equal(kind, LLM_REJECT_BAD_IMAGES);
	json_decref(m);
	json_decref(imgs);
	m = parse("[{\"role\":\"user\",\"content\":\"<image> x\"}]");
	imgs = parse("[\"gone.png\"]");
	sbuf_reset(&err);
	assert_int_equal(llm_messages_add_images(m, imgs, &o, &kind, &err), -1);
	assert_string_equal(kind, IMAGE_MISSING);
	assert_non_null(strstr(err.buf, "gone.png"));
	json_decref(m);
	json_decref(imgs);
	/* no images, no placeholders: untouched */
	m = parse("[{\"role\":\"user\",\"content\":\"plain\"}]");
	assert_int_equal(llm_messages_add_images(m, NULL, &o, &kind, &err), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "content")), "plain");
	json_decref(m);
	sbuf_release(&err);
	sbuf_release(&png_url);
}

static void test_body(void **state)
{
	struct llm_params p, d;
	struct sbuf b = SBUF_INIT, err = SBUF_INIT;
	json_t *m = parse("[{\"role\":\"user\",\"content\":\"hi\"}]");
	json_t *fm = parse("{\"model\":\"fm\",\"temperature\":0.7,\"max_tokens\":64,\"stop\":\"END\","
			   "\"extra\":{\"top_k\":5,\"continue_final_message\":false},\"parse\":\"json\"}");

	llm_params_init(&p);
	llm_request_body(&b, &p, m, 1, 0, 0);
	assert_string_equal(b.buf, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

	/* front matter defaults under CLI settings */
	llm_params_init(&d);
	assert_int_equal(llm_params_from_json(&d, fm, &err), 0);
	p.temperature = 0;
	p.extra = parse("{\"continue_final_message\":true,\"add_generation_prompt\":false}");
	llm_params_merge(&p, &d);
	sbuf_reset(&b);
	llm_request_body(&b, &p, m, 3, 1, 42);
	assert_string_equal(b.buf, "{\"model\":\"fm\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
			    "\"temperature\":0.0,\"max_tokens\":64,\"n\":3,\"seed\":42,\"stop\":[\"END\"],"
			    "\"top_k\":5,\"continue_final_message\":true,\"add_generation_prompt\":false}");

	/* extra may replace a generated key */
	json_decref(p.extra);
	p.extra = parse("{\"max_tokens\":7}");
	sbuf_reset(&b);
	llm_request_body(&b, &p, m, 1, 0, 0);
	assert_non_null(strstr(b.buf, "\"max_tokens\":7,"));
	assert_null(strstr(b.buf, "64"));

	json_decref(fm);
	fm = parse("{\"temperature\":\"hot\"}");
	sbuf_reset(&err);
	assert_int_equal(llm_params_from_json(&d, fm, &err), -1);
	assert_non_null(strstr(err.buf, "temperature"));

	json_decref(fm);
	json_decref(m);
	llm_params_release(&p);
	llm_params_release(&d);
	sbuf_release(&b);
	sbuf_release(&err);
}

static void test_latency_percentiles(void **state)
{
	struct latency_hist h;

	memset(&h, 0, sizeof(h));
	assert_true(latency_hist_quantile(&h, 0.5) == 0);
	/* 1 ms .. 1000 ms, uniformly */
	for (int i = 1; i <= 1000; i++)
		latency_hist_add(&h, i / 1000.0);
	assert_true(fabs(latency_hist_quantile(&h, 0.50) - 0.500) < 0.5 * 0.05);
	assert_true(fabs(latency_hist_quantile(&h, 0.90) - 0.900) < 0.9 * 0.05);
	assert_true(fabs(latency_hist_quantile(&h, 0.99) - 0.990) < 0.99 * 0.05);
	assert_true(latency_hist_quantile(&h, 1.0) <= 1.0);
	assert_int_equal(h.n, 1000);
	latency_hist_add(&h, 1e6); /* beyond the last bucket: kept, capped */
	assert_true(h.max == 1e6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_image_refs),
		cmocka_unit_test(test_tar_members),
		cmocka_unit_test(test_image_parts),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_latency_percentiles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
