#!/bin/sh
# serial: starts a Slurm cluster that claims more CPUs than the machine has
# examples/condor with its model steps (answers, critiques, refinement) in 3
# shards as Slurm job arrays on the private cluster lib-slurm.sh starts
# (SHARDS=3 RUNNER=slurm) gives the bytes of the same build through the
# local runner, and the report counts what the one-process build counts.
# The cluster's one node is this machine, so its tasks reach the build's
# private smelt-sim on 127.0.0.1.
#
# The Slurm case is skipped, with the reason, where Slurm cannot start (not
# root, packages missing) and under `make sanitize`.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/slurm/lib-slurm.sh"

R=$test_root
build() { # NAME [make args]
	name=$1
	shift
	make --no-print-directory -C "$SMELT_TOP/examples/condor" BIN="$SMELT_BIN" OUT="$R/$name" N=12 "$@" \
		>"$R/$name.log" 2>&1 || { cat "$R/$name.log"; return 1; }
}
counts() { jq -S 'del(.steps[].figures["merged.shards"])' "$R/$1/counts.json"; }

# Before the cluster (it runs where none can start): the references, and
# a sharded step cut short resumes with the shards it has.
test_case 'SHARDS=3, local: a step missing one shard reruns that shard only, same bytes' '
	build one && build local SHARDS=3 && build cut SHARDS=3 &&
	rm "$R/cut/refined.jsonl.zst" "$R/cut/shards-3/refined.jsonl.zst.out/part-00001.jsonl.zst" &&
	build cut SHARDS=3 &&
	grep -q "2 of 3 shards already done" "$R/cut.log" &&
	grep -q "running 1 of 3 shards" "$R/cut.log" &&
	cmp "$R/local/refined.jsonl.zst" "$R/cut/refined.jsonl.zst"
'

cluster_or_skip --cpus 8

test_case 'condor, 3 shards as Slurm job arrays = the local runner, byte for byte' '
	build slurm SHARDS=3 RUNNER=slurm &&
	test "$(grep -c "submitted 3 shards as 3 array elements" "$R/slurm.log")" = 3 &&
	for f in answers.jsonl.zst critiques.jsonl.zst refined.jsonl.zst sft_v.jsonl.zst sft_r.jsonl.zst \
		dpo.jsonl.zst counts.json; do
		cmp "$R/local/$f" "$R/slurm/$f" || return 1
	done &&
	zstd -dcq "$R/one/sft_r.jsonl.zst" | sort >one && zstd -dcq "$R/slurm/sft_r.jsonl.zst" | sort >slurm &&
	test -s one && test_cmp one slurm &&
	counts one >one.counts && counts slurm >slurm.counts && test_cmp one.counts slurm.counts
'

test_done
