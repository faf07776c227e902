/*
 * test_llm_cache.c — the response cache: round trips, reopening, a torn
 * tail, a damaged entry, several writer processes sharing a directory,
 * the read-only and refresh modes, and that segments decode with plain
 * zstd as JSON Lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "core/hash.h"
#include "llm/llm_cache.h"
#include "core/sbuf.h"

static char *make_dir(void)
{
	char tmpl[] = "/tmp/smelt-cache-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static struct hash128 key_of(int i)
{
	char s[32];
	snprintf(s, sizeof(s), "request %d", i);
	return hash128(s, strlen(s));
}

static char *value_of(int i)
{
	return xasprintf("{\"choices\":[{\"message\":{\"content\":\"reply %d\"}}],\"i\":%d}", i, i);
}

static void put_n(struct llm_cache *c, int from, int to)
{
	for (int i = from; i < to; i++) {
		char *v = value_of(i);
		assert_int_equal(llm_cache_put(c, key_of(i), v, strlen(v)), 0);
		free(v);
	}
}

static void expect_hit(struct llm_cache *c, int i)
{
	struct sbuf got = SBUF_INIT;
	char *v = value_of(i);

	assert_int_equal(llm_cache_get(c, key_of(i), &got), 1);
	assert_string_equal(got.buf, v);
	free(v);
	sbuf_release(&got);
}

static void expect_miss(struct llm_cache *c, int i)
{
	struct sbuf got = SBUF_INIT;

	assert_int_equal(llm_cache_get(c, key_of(i), &got), 0);
	sbuf_release(&got);
}

static int count_segments(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, "seg-", 4);
	if (d)
		closedir(d);
	return n;
}

static void test_round_trip_and_reopen(void **state)
{
	char *dir = make_dir();
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;

	assert_non_null(c);
	assert_null(llm_cache_segment_path(c)); /* nothing written yet: no file */
	expect_miss(c, 1);
	put_n(c, 0, 3000);
	for (int i = 0; i < 3000; i += 7)
		expect_hit(c, i);
	expect_miss(c, 3000);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.writes, 3000);
	assert_int_equal(s.entries, 3000);
	llm_cache_close(c);
	assert_int_equal(count_segments(dir), 1);

	c = llm_cache_open(dir, LLM_CACHE_RW);
	assert_non_null(c);
	for (int i = 0; i < 3000; i++)
		expect_hit(c, i);
	expect_miss(c, 3001);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.segments, 1);
	assert_int_equal(s.entries, 3000);
	assert_int_equal(s.torn, 0);
	assert_int_equal(s.hits, 3000);
	assert_int_equal(s.writes, 0);
	llm_cache_close(c);
	remove_dir(dir);
}

static char *only_segment(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *p = NULL;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "seg-", 4)) {
			assert_null(p);
			p = xasprintf("%s/%s", dir, de->d_name);
		}
	closedir(d);
	assert_non_null(p);
	return p;
}

static void test_torn_tail(void **state)
{
	char *dir = make_dir(), *seg;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;
	struct stat sb;
	off_t before;

	put_n(c, 0, 10);
	llm_cache_close(c);
	seg = only_segment(dir);
	assert_int_equal(stat(seg, &sb), 0);
	before = sb.st_size;
	c = llm_cache_open(dir, LLM_CACHE_RW);
	put_n(c, 10, 11);
	llm_cache_close(c);
	/* the second process's segment loses its last bytes, as in a crash */
	free(seg);
	{
		DIR *d = opendir(dir);
		struct dirent *de;
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "seg-", 4)) {
				char *p = xasprintf("%s/%s", dir, de->d_name);
				assert_int_equal(stat(p, &sb), 0);
				if (sb.st_size != before)
					assert_int_equal(truncate(p, sb.st_size - 5), 0);
				free(p);
			}
		closedir(d);
	}
	c = llm_cache_open(dir, LLM_CACHE_RW);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.segments, 2);
	assert_int_equal(s.torn, 1);
	assert_int_equal(s.entries, 10);
	for (int i = 0; i < 10; i++)
		expect_hit(c, i);
	expect_miss(c, 10);
	/* the lost answer is asked again and stored in a new segment */
	put_n(c, 10, 11);
	expect_hit(c, 10);
	llm_cache_close(c);
	c = llm_cache_open(dir, LLM_CACHE_RO);
	expect_hit(c, 10);
	llm_cache_close(c);
	remove_dir(dir);
}

static void test_damaged_entry(void **state)
{
	char *dir = make_dir(), *seg;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;
	struct stat sb;
	int fd;

	put_n(c, 0, 3);
	llm_cache_close(c);
	seg = only_segment(dir);
	assert_int_equal(stat(seg, &sb), 0);
	/* flip a byte inside the last data frame: its checksum no longer matches */
	fd = open(seg, O_RDWR);
	assert_true(fd >= 0);
	{
		unsigned char b;
		assert_int_equal(pread(fd, &b, 1, sb.st_size - 8), 1);
		b ^= 0x55;
		assert_int_equal(pwrite(fd, &b, 1, sb.st_size - 8), 1);
	}
	close(fd);
	c = llm_cache_open(dir, LLM_CACHE_RO);
	expect_hit(c, 0);
	expect_hit(c, 1);
	expect_miss(c, 2);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.corrupt, 1);
	llm_cache_close(c);
	free(seg);
	remove_dir(dir);
}

static void test_many_processes(void **state)
{
	char *dir = make_dir();
	struct llm_cache *c;
	struct llm_cache_stats s;
	pid_t pids[4];

	for (int p = 0; p < 4; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct llm_cache *cc = llm_cache_open(dir, LLM_CACHE_RW);
			int bad = !cc;
			for (int i = p * 500; cc && i < (p + 1) * 500; i++) {
				char *v = value_of(i);
				bad |= llm_cache_put(cc, key_of(i), v, strlen(v)) != 0;
				free(v);
			}
			llm_cache_close(cc);
			_exit(bad);
		}
	}
	for (int p = 0; p < 4; p++) {
		int status;
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(count_segments(dir), 4);
	c = llm_cache_open(dir, LLM_CACHE_RW);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.segments, 4);
	assert_int_equal(s.entries, 2000);
	for (int i = 0; i < 2000; i++)
		expect_hit(c, i);
	llm_cache_close(c);
	remove_dir(dir);
}

static void test_modes(void **state)
{
	char *dir = make_dir();
	struct llm_cache *c;
	struct sbuf got = SBUF_INIT;
	const char *newer = "{\"fresh\":true}";

	assert_null(llm_cache_open("/nonexistent/smelt-cache", LLM_CACHE_RO));
	c = llm_cache_open(dir, LLM_CACHE_RW);
	put_n(c, 0, 5);
	llm_cache_close(c);

	c = llm_cache_open(dir, LLM_CACHE_RO);
	expect_hit(c, 3);
	expect_miss(c, 7);
	put_n(c, 7, 8); /* read-only: accepted, not stored */
	expect_miss(c, 7);
	llm_cache_close(c);
	assert_int_equal(count_segments(dir), 1);

	c = llm_cache_open(dir, LLM_CACHE_REFRESH);
	expect_miss(c, 3); /* refresh never answers from the cache */
	assert_int_equal(llm_cache_put(c, key_of(3), newer, strlen(newer)), 0);
	llm_cache_close(c);

	/* the refreshed answer, in the newer segment, wins */
	c = llm_cache_open(dir, LLM_CACHE_RW);
	assert_int_equal(llm_cache_get(c, key_of(3), &got), 1);
	assert_string_equal(got.buf, newer);
	expect_hit(c, 4);
	llm_cache_close(c);

	assert_int_equal(llm_cache_mode_parse("ro"), LLM_CACHE_RO);
	assert_int_equal(llm_cache_mode_parse("refresh"), LLM_CACHE_REFRESH);
	assert_int_equal(llm_cache_mode_parse("off"), LLM_CACHE_OFF);
	assert_int_equal(llm_cache_mode_parse("rwx"), -1);
	sbuf_release(&got);
	remove_dir(dir);
}

/* A segment is a valid zstd stream whose content is one JSON line per entry. */
static void test_plain_zstd_reads_segments(void **state)
{
	char *dir = make_dir(), *seg, *buf, *out;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	char hex[HASH128_HEX_LEN + 1], *want;
	struct stat sb;
	size_t got;
	FILE *fp;

	put_n(c, 0, 2);
	llm_cache_close(c);
	seg = only_segment(dir);
	assert_int_equal(stat(seg, &sb), 0);
	buf = malloc((size_t)sb.st_size);
	fp = fopen(seg, "rb");
	assert_int_equal(fread(buf, 1, (size_t)sb.st_size, fp), (size_t)sb.st_size);
	fclose(fp);
	out = malloc(4096);
	got = ZSTD_decompress(out, 4096, buf, (size_t)sb.st_size);
	assert_false(ZSTD_isError(got));
	out[got] = '\0';
	hash128_hex(key_of(1), hex);
	want = xasprintf("\"key\":\"%s\",\"value\":{\"choices\":[{\"message\":{\"content\":\"reply 1\"}}],\"i\":1}}\n",
			 hex);
	assert_non_null(strstr(out, want));
	assert_int_equal(out[got - 1], '\n');
	free(want);
	free(out);
	free(buf);
	free(seg);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_reopen),
		cmocka_unit_test(test_torn_tail),
		cmocka_unit_test(test_damaged_entry),
		cmocka_unit_test(test_many_processes),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_plain_zstd_reads_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
