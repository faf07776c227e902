#!/bin/sh
# serial: starts a Slurm cluster that claims more CPUs than the machine has
# examples/neardup's DAG three ways keeps the same records and sets aside
# the same rejects (issue 14, must show 3): every step a Make rule (make
# -j2), each layer through smelt-run's local runner (RUNNER=local), and each
# layer a job array on the private Slurm cluster lib-slurm.sh starts
# (RUNNER=slurm: sign over 4 shards, bucket over 14 bands, filter over 4
# shards). Each build also checks itself against smelt-dedup --near in one
# process (the example's check.txt).
#
# The Slurm case is skipped, with the reason, where Slurm cannot start (not
# root, packages missing) and under `make sanitize`; the local cases run.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/slurm/lib-slurm.sh"

EX="$SMELT_TOP/examples/neardup"
R=$test_root
[ -x /usr/bin/python3 ] || { test_skip neardup "/usr/bin/python3 is needed to generate the corpus"; test_done; exit 0; }

build() { # NAME [make args]: build into $R/NAME
	name=$1
	shift
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$R/$name" FAMILIES=300 "$@" >"$R/$name.log" 2>&1 ||
		{ cat "$R/$name.log"; return 1; }
}
# The rejects of a build, without where they were read (corpus.K.jsonl for
# Make's rules, the shard's link pieces/0000K.jsonl for smelt-run's).
rejects() { zstd -dcq "$R/$1"/kept/*.rejects.jsonl.zst | sed 's/,"file":"[^"]*","line":[0-9]*//'; }
same_as_make() { # NAME: the kept set, the rejects and the decisions of Make's build
	cmp "$R/make/kept.jsonl" "$R/$1/kept.jsonl" &&
	rejects make >make.rej && rejects "$1" >"$1.rej" && test -s make.rej && test_cmp make.rej "$1.rej" &&
	cmp "$R/make/decisions.jsonl.zst" "$R/$1/decisions.jsonl.zst" &&
	grep -q "keep the same" "$R/$1/check.txt"
}

test_case 'Make rules (-j2) and smelt-run layers (RUNNER=local) keep the same set' '
	build make -j2 && build local RUNNER=local RUN_OPTS="-j 2" &&
	grep -q "smelt-run: 14 shards done" "$R/local.log" &&
	same_as_make local &&
	test "$(ls "$R/local/kept" | grep -c "^0000[0-3].jsonl.zst$")" = 4 &&
	build local RUNNER=local && ! grep -q smelt-run "$R/local.log"
'

cluster_or_skip --cpus 8

test_case 'each layer a Slurm job array (RUNNER=slurm): the same kept set and rejects' '
	test -f "$R/make/kept.jsonl" || build make -j2 &&
	build slurm RUNNER=slurm SLURM_ARGS="--partition $SLURM_PARTITION --time 5" &&
	grep -q "submitted 4 shards as 4 array elements" "$R/slurm.log" &&
	grep -q "submitted 14 shards as 14 array elements" "$R/slurm.log" &&
	same_as_make slurm
'

test_done
