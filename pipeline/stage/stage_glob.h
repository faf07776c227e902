#ifndef SMELT_STAGE_STAGE_GLOB_H
#define SMELT_STAGE_STAGE_GLOB_H
/*
 * Quoted globs as input operands: `smelt-cat 'data/train-*.parquet'`, as
 * Makefiles, smelt-run command lines and people copying Hugging Face shard
 * names pass them. An operand that names no file but holds a glob character
 * (* ? [) becomes the files it matches, in sorted order; one that matches
 * nothing stays as it is, so opening it fails with the usual "cannot open"
 * naming the pattern. An operand naming an existing file is never expanded,
 * whatever characters its name holds, and neither is "-".
 */

/*
 * The operands after expansion: `in` itself when none needed it, else a
 * new NULL-terminated array that lives until exit (its count in *nout).
 */
char **stage_glob_inputs(char **in, int n, int *nout);

#endif
