/*
 * smelt-stats-merge — the --stats documents of a step's shards merged into
 * one, as if the step had run once: what a sharded example build
 * (examples/shard.mk) hands its report. The rules are in
 * corpus/stats_merge.h: counts summed, maxima kept, settings checked
 * equal, quantiles and means dropped with a note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "corpus/stats_merge.h"
#include "stage/stage.h"

static const char merge_help[] =
	"Each input is one --stats document (JSON, not records). Numbers are summed,\n"
	"arrays of numbers summed element by element and \"inputs\" concatenated;\n"
	"maxima and peaks (max, max_rss_kb, peak_in_flight, wall_seconds, the shared\n"
	"cache's entries and segments) take the largest; settings (llm.concurrency,\n"
	"refine.always, histogram edges), strings and other arrays must agree.\n"
	"Quantiles, means, shares and rates (p50, p90, p99, mean, median, share, rate,\n"
	"ratio) cannot be recomputed from the shards' summaries: they are dropped,\n"
	"as is any value that disagrees; \"merged\": {\"shards\", \"dropped\"} lists them.";

static int write_doc(const char *path, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	size_t len = strlen(text);
	int r = 0;

	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	if (path && strcmp(path, "-")) {
		if (atomic_file_write(path, text, len, 0666) < 0)
			r = error("cannot write '%s'", path);
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
		r = error("cannot write '<stdout>'");
	}
	free(text);
	return r;
}

int main(int argc, char **argv)
{
	struct stats_merge m;
	struct stage st;
	json_t *doc;

	stage_init(&st, "smelt-stats-merge", "One --stats document from those of a step's shards.",
		   "smelt-stats-merge shards/score-*.stats.json -o score.stats.json");
	st.extra_help = merge_help;
	stage_parse_options(&st, argc, argv, NULL, NULL, NULL);
	if (!st.ninputs)
		stage_usage_error(&st, "name the --stats documents to merge");
	stats_merge_init(&m);
	for (int i = 0; i < st.ninputs && !st.failed; i++) {
		json_error_t jerr;
		json_t *one = json_load_file(st.inputs[i], 0, &jerr);

		if (!one || !json_is_object(one)) {
			if (one)
				error("'%s': not a --stats document (not an object)", st.inputs[i]);
			else
				error("%s:%d: not a --stats document: %s", st.inputs[i], jerr.line, jerr.text);
			st.failed = 1;
		} else {
			stats_merge_add(&m, one);
			st.records_in++;
		}
		json_decref(one);
	}
	doc = stats_merge_finish(&m);
	if (!st.failed && write_doc(st.output, doc) < 0)
		st.failed = 1;
	json_decref(doc);
	json_decref(m.doc);
	json_decref(m.dropped);
	return stage_finish(&st);
}
