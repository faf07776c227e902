/*
 * fuzz_reply_parse.c — libFuzzer target: the input is a model reply, fed
 * to one parser of each mode (markers in English with labels, Chinese,
 * and nested critique blocks). Parse failures are expected; crashes, leaks,
 * sanitizer reports and runaway time are not.
 */
#include <stdint.h>

#include "text/reply_parse.h"

static const char *const specs[] = {
	"{}",
	"{\"parse\": \"json\"}",
	"{\"parse\": \"list\"}",
	"{\"parse\": \"regex\", \"regex\": {\"pattern\": \"(?<k>\\\\w+)\\\\s*[:=]\\\\s*(?<v>[^\\\\n]*)\", \"flags\": \"i\"}}",
	"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Question\"],"
	" \"labels\": [\"Easy\", \"Medium\", \"Hard\"], \"required\": true}}",
	"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Critique\", \"Strength\", \"Weakness\"]}}",
	"{\"parse\": \"markers\", \"markers\": {\"start\": \"【{}开始】\", \"end\": \"[{}结束]\","
	" \"blocks\": [\"问题\", \"回答\"], \"labels\": [\"简单\", \"困难\"]}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reply_parser *parsers[ARRAY_SIZE(specs)];
	struct sbuf err = SBUF_INIT;

	if (!parsers[0]) {
		for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
			json_t *spec = json_loads(specs[i], 0, NULL);
			parsers[i] = reply_parser_new(spec, NULL);
			json_decref(spec);
			if (!parsers[i])
				__builtin_trap();
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		json_t *v = reply_parser_apply(parsers[i], (const char *)data, size, &err);
		json_decref(v);
		sbuf_reset(&err);
	}
	sbuf_release(&err);
	return 0;
}
