/*
 * smelt-cat — read any supported input and write JSON Lines; optionally
 * convert between conversation formats and assign missing ids.
 */
#include "stage.h"

int main(int argc, char **argv)
{
	struct stage st;
	struct stage_ops ops = { .require_id = 1 };

	stage_init(&st, "smelt-cat", "Read records in any supported format and write JSON Lines.",
		   "smelt-cat --from llava --to messages --ids llava.json -o data.jsonl.zst");
	stage_parse_options(&st, argc, argv, NULL, NULL, NULL);
	stage_open(&st);
	if (stage_run(&st, &ops, NULL) < 0)
		st.failed = 1;
	return stage_finish(&st);
}
