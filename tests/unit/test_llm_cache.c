/*
 * test_llm_cache.c — the response cache: round trips, reopening, a torn
 * tail, a damaged entry, damaged headers costing one entry each, a failed
 * write cut back off the segment, segments that cannot be read, several
 * writer processes sharing a directory, the read-only and refresh modes,
 * and that segments decode with plain zstd as JSON Lines.
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
#include <signal.h>
#include <sys/resource.h>
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

/* The offset of the k-th entry header (from 0) of a segment. */
static off_t header_offset(const char *seg, int k)
{
	int fd = open(seg, O_RDONLY);
	off_t off = 0;

	assert_true(fd >= 0);
	for (int i = 0; i < k; i++) {
		unsigned char h[32];
		assert_int_equal(pread(fd, h, sizeof(h), off), (ssize_t)sizeof(h));
		off += 32 + (h[24] | h[25] << 8 | h[26] << 16 | (off_t)h[27] << 24);
	}
	close(fd);
	return off;
}

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* A flipped byte anywhere in a header costs that entry, not the rest of the segment. */
static void test_damaged_headers(void **state)
{
	char *dir = make_dir(), *seg;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;

	put_n(c, 0, 20);
	llm_cache_close(c);
	seg = only_segment(dir);
	/* the magic of the first, the key of the 8th, the length of the 13th */
	off_t first = header_offset(seg, 0), key7 = header_offset(seg, 7) + 12,
	      len12 = header_offset(seg, 12) + 24;
	flip_byte(seg, first);
	flip_byte(seg, key7);
	flip_byte(seg, len12);
	c = llm_cache_open(dir, LLM_CACHE_RO);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.damaged, 3);
	assert_int_equal(s.torn, 0);
	assert_int_equal(s.entries, 17);
	for (int i = 0; i < 20; i++) {
		if (i == 0 || i == 7 || i == 12)
			expect_miss(c, i);
		else
			expect_hit(c, i);
	}
	llm_cache_close(c);
	free(seg);
	remove_dir(dir);
}

/*
 * A write the file system refuses (here the file size limit, as a full
 * disk would) stores nothing, leaves no torn tail, says why, and does not
 * stop later writes once there is room again.
 */
static void test_write_failure_is_cut_back(void **state)
{
	char *dir = make_dir(), *seg, *big;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;
	struct rlimit old, lim;
	struct stat sb, sb2;
	size_t n = 6000;
	int r;
	void (*was)(int);

	put_n(c, 0, 3);
	seg = xstrdup(llm_cache_segment_path(c));
	assert_int_equal(stat(seg, &sb), 0);
	/* incompressible, so it cannot fit under the limit */
	big = malloc(n + 3);
	big[0] = '"';
	for (size_t i = 1; i <= n; i++)
		big[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 2654435761u >> 7) % 36];
	big[n + 1] = '"';
	big[n + 2] = '\0';
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 64; /* the header fits, the entry does not */
	was = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = llm_cache_put(c, key_of(100), big, strlen(big));
	/* restored before any assert, which would leave the limit to later tests */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_int_equal(r, -1);
	assert_int_equal(stat(seg, &sb2), 0);
	assert_int_equal(sb2.st_size, sb.st_size); /* the partial write was cut back */
	assert_non_null(llm_cache_write_error(c));
	assert_non_null(strstr(llm_cache_write_error(c), "cannot write cache segment"));
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.write_errors, 1);
	expect_miss(c, 100);
	/* room again: the next put lands in the same segment */
	assert_int_equal(llm_cache_put(c, key_of(100), big, strlen(big)), 0);
	put_n(c, 3, 5);
	llm_cache_close(c);
	c = llm_cache_open(dir, LLM_CACHE_RO);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.segments, 1);
	assert_int_equal(s.torn, 0);
	assert_int_equal(s.damaged, 0);
	assert_int_equal(s.entries, 6);
	for (int i = 0; i < 5; i++)
		expect_hit(c, i);
	llm_cache_close(c);
	free(big);
	free(seg);
	remove_dir(dir);
}

/* A directory or a FIFO under a segment's name is skipped, not fatal, and does not hang. */
static void test_unreadable_segments(void **state)
{
	char *dir = make_dir(), *sub, *fifo;
	struct llm_cache *c = llm_cache_open(dir, LLM_CACHE_RW);
	struct llm_cache_stats s;

	put_n(c, 0, 4);
	llm_cache_close(c);
	sub = xasprintf("%s/seg-0000000000000000-x-1-0000.zst", dir);
	fifo = xasprintf("%s/seg-0000000000000001-x-1-0000.zst", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	c = llm_cache_open(dir, LLM_CACHE_RW);
	assert_non_null(c);
	llm_cache_get_stats(c, &s);
	assert_int_equal(s.unreadable, 2);
	assert_int_equal(s.segments, 1);
	for (int i = 0; i < 4; i++)
		expect_hit(c, i);
	llm_cache_close(c);
	rmdir(sub);
	free(sub);
	free(fifo);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_reopen),
		cmocka_unit_test(test_torn_tail),
		cmocka_unit_test(test_damaged_entry),
		cmocka_unit_test(test_damaged_headers),
		cmocka_unit_test(test_write_failure_is_cut_back),
		cmocka_unit_test(test_unreadable_segments),
		cmocka_unit_test(test_many_processes),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_plain_zstd_reads_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
