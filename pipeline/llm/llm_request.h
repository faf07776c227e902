/*
 * llm_request.h — building chat-completion request bodies: the messages
 * with a record's images as OpenAI content parts, the generation
 * parameters, and --extra merged in.
 *
 * Bodies are written canonically (fixed key order, json_write), so the
 * same request always has the same bytes — and the same cache key.
 */
#ifndef SMELT_LLM_REQUEST_H
#define SMELT_LLM_REQUEST_H

#include <jansson.h>

#include "llm/image_load.h"
#include "core/sbuf.h"
#include "llm/llm_params.h"

#define LLM_IMAGE_PLACEHOLDER "<image>"
#define LLM_REJECT_BAD_IMAGES "bad_images"

/*
 * Replace the `<image>` placeholders in the messages' string contents
 * with image_url parts for `images` (an array of references, in order;
 * NULL or empty: nothing to do), splitting the text around them. With
 * images but no placeholder at all, the images go before the text of the
 * first user message. `messages` is modified in place. Returns 0, or -1
 * with *kind (missing_image, image_too_large, bad_image, bad_images) and
 * a message naming the reference in `err`.
 */
int llm_messages_add_images(json_t *messages, const json_t *images, const struct image_load_opts *o,
			    const char **kind, struct sbuf *err);

/*
 * Append the body {"model", "messages", "temperature", "top_p",
 * "max_tokens", "n", "seed", "stop", ...extra} to `out`; unset parameters
 * are left out, `n` <= 1 is left out, `seed` only when has_seed. Keys of
 * --extra replace the ones above.
 */
void llm_request_body(struct sbuf *out, const struct llm_params *p, const json_t *messages,
		      long n, int has_seed, long long seed);

#endif
