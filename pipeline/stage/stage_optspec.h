/*
 * stage_optspec.h — a stage's own options written once, one a line, the
 * way its --help lists them, and turned into the struct stage_option
 * table that getopt_long, --help and the option callback work from.
 *
 *	STAGE_OPTIONS(gen_options,
 *		"prompt=FILE     prompt file (front matter + messages; prompts/README.md)\n"
 *		"n,samples=K     samples per record (default 1)\n"
 *		"explode         one output record per parsed item,\n"
 *		"                ids <id>-<k>\n",
 *		OPT_PROMPT, OPT_SAMPLES, OPT_EXPLODE);
 *
 * declares `static const struct stage_optspec gen_options` and the enum of
 * the ids the option callback gets: OPT_PROMPT = 256, OPT_SAMPLES = 257, ...
 *
 * A line is `[c,]name[=ARG]`, blanks, then the help: `c,` gives the
 * option the short form -c, `=ARG` makes it take an argument shown as
 * ARG. A line that starts with a blank goes on with the help of the line
 * before, joined by one space (for help too long for one source line).
 *
 * The ids: one per line, in the lines' order, 256 + the line's index, and
 * each named after its line: OPT_, then the long name in capitals with
 * '-' as '_' (--n-mode: OPT_N_MODE). A prefix before OPT_ names a shared
 * group the line comes from (ANSWER_OPT_REL_TOL: answer_options.h), for
 * that group's parser to tell its lines (stage_option_in_group). The table
 * is refused — the program dies naming the line — when a name does not
 * match its line or there are more or fewer ids than lines, so an id
 * cannot silently end up on another option's line.
 */
#ifndef SMELT_STAGE_OPTSPEC_H
#define SMELT_STAGE_OPTSPEC_H

/* One option of a table; the table ends with a row whose name is NULL. */
struct stage_option {
	const char *name;     /* long name without "--" */
	char short_name;      /* 0 if none */
	int has_arg;          /* 0 no argument, 1 required */
	int id;               /* passed to the callback: >= 256 (common options: 1000..) */
	const char *arg_name; /* shown in --help, e.g. "N" */
	const char *help;
};

struct stage_optspec {
	const char *lines;               /* one option a line, as above (NULL: none) */
	const char *names;               /* the ids as written: "OPT_PROMPT, OPT_SAMPLES" */
	const struct stage_option *rows; /* rows with ids of their own after the lines (NULL: none) */
};

#define STAGE_OPTIONS(spec, lines, ...) \
	enum { spec##_ids_ = 255, __VA_ARGS__ }; \
	static const struct stage_optspec spec = { lines, #__VA_ARGS__, NULL }

/* Is the id of spec line `id` (256 + its index) among `names` named `prefix`...OPT_...? */
int stage_optspec_in_group(const char *names, int id, const char *prefix);

/*
 * The table of `spec`: its lines, then its rows, then the { NULL } end.
 * New: one block holding the table and every string it points to, so a
 * single free() releases it. Dies on a line or an id that does not fit
 * (a programming error, not a usage error).
 */
struct stage_option *stage_optspec_table(const struct stage_optspec *spec);

#endif
