/*
 * fuzz_mustache.c — libFuzzer target: the input is a template, compiled in
 * both escaping modes (with a few fixed partials, one of them recursive)
 * and rendered against a fixed record. Compile errors are expected; crashes,
 * leaks and sanitizer reports are not.
 */
#include <stdint.h>
#include <string.h>

#include "text/mustache.h"

static int fuzz_partial(void *data, const char *from, const char *name,
			struct sbuf *id, struct sbuf *text)
{
	static const char *const partials[][2] = {
		{ "p", "  {{x}}\n{{#list}}[{{.}}]\n{{/list}}" },
		{ "r", "{{#nested}}{{>r}}{{/nested}}<{{name}}>" },
		{ "i", "\t{{>p}}\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(partials); i++) {
		if (!strcmp(name, partials[i][0])) {
			sbuf_addstr(id, name);
			sbuf_addstr(text, partials[i][1]);
			return 0;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;

	if (!ctx)
		ctx = json_loads("{\"x\": \"<&>\", \"n\": 3, \"r\": 0.5, \"t\": true,"
				 " \"list\": [1, \"two\", [3], {\"k\": null}],"
				 " \"name\": \"top\", \"nested\": {\"nested\":"
				 " {\"name\": \"in\"}}, \"e\": \"\", \"o\": {\"a\":"
				 " {\"b\": [10, 20]}}}", 0, NULL);
	for (unsigned flags = 0; flags <= MUSTACHE_HTML_ESCAPE; flags++) {
		struct mustache *m = mustache_compile((const char *)data, size,
						      flags, fuzz_partial,
						      NULL, &err);
		if (m) {
			if (mustache_render(m, ctx, &out, &err))
				sbuf_reset(&err);
			mustache_free(m);
		}
		sbuf_reset(&out);
		sbuf_reset(&err);
	}
	sbuf_release(&out);
	sbuf_release(&err);
	return 0;
}
