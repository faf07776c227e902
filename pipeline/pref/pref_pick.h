/*
 * pref_pick.h — which answer an LLM judge picked, read from its reply.
 *
 * The OmniAlign-V judge is asked which of N sampled answers deviates most
 * from the chosen one and told to end with "[[N]]" or "[[none]]"; judges
 * do not always obey, so the reader also takes the other forms judges
 * write, tried in this order (the first that applies decides):
 *
 *   tag      the last [[...]] in the reply: "[[3]]", "[[Answer 3]]", "[[none]]"
 *   json     a JSON object with a choice key: {"choice": 3}, {"answer": "3"},
 *            {"pick": null} (none); keys choice, pick, answer, index,
 *            selected, selection, verdict, rejected, in any case
 *   whole    the reply is nothing but a choice: "3", "Answer 3.", "**3**",
 *            "the third one", "#3", "none", "回答3", "第三个", "无"
 *   line     the last line "Verdict: …", "Final answer: …", "Choice: …",
 *            "结论：…" (and a few more labels), its rest read as a whole choice
 *   mention  every answer the reply names ("Answer 3", "answers 1 and 2",
 *            "the third answer", "第3个回答", "回答二"; bare numbers do not
 *            count) and every "none" ("none of them", "no deviation",
 *            "没有偏离"): exactly one answer and no "none" is that answer,
 *            only "none" is none, anything else is not read (ambiguous)
 *
 * The index is returned as written (1-based, not range-checked: the
 * caller knows how many answers there were).
 */
#ifndef SMELT_PREF_PICK_H
#define SMELT_PREF_PICK_H

#include "core/sbuf.h"

enum pref_verdict {
	PREF_PICK,     /* index holds the answer picked */
	PREF_NONE,     /* the judge says no answer deviates */
	PREF_UNPARSED, /* no pick could be read (why says what was found) */
};

/* Which rule of the list above decided. */
enum pref_via {
	PREF_VIA_TAG,
	PREF_VIA_JSON,
	PREF_VIA_WHOLE,
	PREF_VIA_LINE,
	PREF_VIA_MENTION,
	PREF_VIA_NOTHING, /* PREF_UNPARSED */
	PREF_VIA_COUNT,
};

struct pref_pick {
	enum pref_verdict verdict;
	enum pref_via via;
	long index; /* PREF_PICK: as written, 1 = the first answer */
};

/*
 * Read the pick of `reply` (NUL-terminated UTF-8) into *out. Returns
 * out->verdict; for PREF_UNPARSED a reason is appended to `why`. Pure and
 * thread-safe.
 */
enum pref_verdict pref_pick_parse(const char *reply, struct pref_pick *out, struct sbuf *why);

/* "tag", "json", "whole", "line", "mention", "nothing". */
const char *pref_via_name(enum pref_via via);

#endif
