#!/bin/sh
# The examples' per-record model steps in 3 shards through smelt-run (local
# runner, examples/shard.mk) end as the one-process build (SHARDS=1): every
# final output holds the same records, and the reports count the same.
#
# "The same records", not the same bytes: smelt-shard splits by a hash of
# the id and smelt-merge concatenates the shards in shard order, so the
# merged files list the records in another order than the one process
# wrote them. Each file is compared with its lines sorted (the ids are
# unique, so that is a comparison by id). The count tables (condor's
# counts.json, smelt-check's figures) read the merged --stats
# (smelt-stats-merge) and must equal the one-process figures but for the
# "merged.shards" figure the merge adds. What reached the server may
# differ: the shards share one cache, so a rollout prompt one shard asked
# is a cache hit for the next, where one process had both copies in flight
# at once; what the steps submitted does not differ.
. "$(dirname "$0")/../lib.sh"

command -v python3 >/dev/null || { test_skip examples "python3 is needed to draw the images"; test_done; exit 0; }

R=$test_root
build() { # EXAMPLE SHARDS [make args]
	ex=$1 n=$2
	shift 2
	make --no-print-directory -C "$SMELT_TOP/examples/$ex" BIN="$SMELT_BIN" OUT="$R/$ex-$n" SHARDS=$n "$@" \
		>"$R/$ex-$n.log" 2>&1 || { cat "$R/$ex-$n.log"; return 1; }
}
same_records() { # EXAMPLE FILE...: the SHARDS=1 and SHARDS=3 files hold the same lines
	ex=$1
	shift
	for f in "$@"; do
		zstd -dcq "$R/$ex-1/$f" | sort >one &&
		zstd -dcq "$R/$ex-3/$f" | sort >three &&
		test -s one && test_cmp one three || { echo "differs: $f"; return 1; }
	done
}
# A count table without the figures that differ by nature (the merge's own note).
counts() { jq -S 'del(.steps[].figures["merged.shards"])' "$1"; }

test_case 'condor: answers, critiques, refinement in 3 shards = one process' '
	build condor 1 N=20 && build condor 3 N=20 &&
	test "$(ls -d $R/condor-3/shards-3/*.in | wc -l)" = 3 &&
	same_records condor sft_v.jsonl.zst sft_r.jsonl.zst dpo.jsonl.zst refined.jsonl.zst &&
	counts $R/condor-1/counts.json >one.counts && counts $R/condor-3/counts.json >three.counts &&
	test_cmp one.counts three.counts &&
	jq -e ".merged.shards == 3 and (.merged.dropped | index(\"llm.latency_seconds.p50\"))" \
		$R/condor-3/answers.stats.json >/dev/null &&
	jq -e ".llm | has(\"latency_seconds\") and (.latency_seconds | has(\"p50\") | not)" \
		$R/condor-3/answers.stats.json >/dev/null
'

test_case 'visualprm: solutions and MC labels in 3 shards = one process' '
	build visualprm 1 N=6 K=2 && build visualprm 3 N=6 K=2 &&
	same_records visualprm labels.jsonl.zst visualprm400k.jsonl.zst prm-raw.jsonl.zst math-shepherd.jsonl.zst &&
	cmp $R/visualprm-1/plan.json $R/visualprm-3/plan.json &&
	for f in checked labels solutions; do
		for n in 1 3; do
			jq -S "del(.inputs, .wall_seconds, .cpu_seconds, .max_rss_kb, .merged, .llm)
				+ {submitted: .llm.submitted}" $R/visualprm-$n/$f.stats.json >$f.$n || return 1
		done
		test_cmp $f.1 $f.3 || return 1
	done
'

test_case 'omnialign: samples and judging in 3 shards = one process' '
	build omnialign 1 && build omnialign 3 &&
	same_records omnialign pairs.jsonl.zst dpo.jsonl.zst &&
	for f in pairs dpo judged; do
		sort $R/omnialign-1/$f.rejects.jsonl 2>/dev/null | jq -c "del(.error.file, .error.line)" | sort >one &&
		sort $R/omnialign-3/$f.rejects.jsonl 2>/dev/null | jq -c "del(.error.file, .error.line)" | sort >three &&
		test_cmp one three || return 1
	done &&
	test "$(jq .records_rejected $R/omnialign-3/pairs.stats.json)" -gt 0
'

test_done
