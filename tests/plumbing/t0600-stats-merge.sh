#!/bin/sh
# t0600-stats-merge.sh — smelt-stats-merge: the --stats documents of a
# step's shards as one. Counts are summed (nested ones and arrays of counts
# too), maxima kept, "inputs" concatenated, settings kept when equal;
# quantiles and means, and values that disagree, are dropped and listed
# under "merged"; the result is still a stage --stats document; one input
# comes back as it was, plus the note; a broken input is named.
. "$(dirname "$0")/../lib.sh"

shard() { # N WALL P50 ALWAYS: a made-up --stats document of shard N
	cat <<DOC
{"stage": "smelt-refine", "version": "0.1.0", "inputs": ["p-$1.jsonl"],
 "records_in": $((10 + $1)), "records_out": 10, "records_rejected": $1,
 "rejects_by_kind": {"kind_$1": $1}, "wall_seconds": $2, "cpu_seconds": 0.5, "max_rss_kb": $((1000 * ($1 + 1))),
 "llm": {"requests": 7, "concurrency": 64, "peak_in_flight": $((3 + $1)),
         "latency_seconds": {"p50": $3, "mean": $3, "max": $2},
         "cache": {"dir": "c", "entries": $((20 + $1)), "hits": 1}},
 "refine": {"always": $4, "by_rounds": [1, $1], "mode": "x$4"}}
DOC
}

test_case 'counts summed, maxima kept, quantiles and disagreements dropped and listed' '
	shard 1 2.5 0.1 0 >a.json && shard 2 1.5 0.2 0 >b.json && shard 3 0.5 0.3 1 >c.json &&
	smelt-stats-merge -q a.json b.json c.json -o m.json &&
	validate "$SMELT_TOP/schemas/stage-stats.schema.json" m.json &&
	jq -c "[.records_in, .records_out, .records_rejected, .rejects_by_kind, .wall_seconds, .cpu_seconds,
		.max_rss_kb, .inputs]" m.json >got &&
	echo "[36,30,6,{\"kind_1\":1,\"kind_2\":2,\"kind_3\":3},2.5,1.5,4000,[\"p-1.jsonl\",\"p-2.jsonl\",\"p-3.jsonl\"]]" >want &&
	test_cmp want got &&
	jq -c "[.llm.requests, .llm.concurrency, .llm.peak_in_flight, .llm.latency_seconds, .llm.cache]" m.json >got &&
	echo "[21,64,6,{\"max\":2.5},{\"dir\":\"c\",\"entries\":23,\"hits\":3}]" >want && test_cmp want got &&
	jq -c ".refine" m.json >got && echo "{\"by_rounds\":[3,6]}" >want && test_cmp want got &&
	jq -c ".merged" m.json >got &&
	echo "{\"shards\":3,\"dropped\":[\"refine.always\",\"refine.mode\",\"llm.latency_seconds.p50\",\"llm.latency_seconds.mean\"]}" >want &&
	test_cmp want got
'

test_case 'one document: itself, with the note; bad input named, exit 1, no output' '
	shard 1 2.5 0.1 0 >a.json &&
	smelt-stats-merge -q a.json -o m.json &&
	jq -S "del(.merged)" m.json >got && jq -S . a.json >want && test_cmp want got &&
	jq -e ".merged == {\"shards\": 1, \"dropped\": []}" m.json >/dev/null &&
	printf "{\"stage\": \n" >bad.json &&
	test_status 1 smelt-stats-merge -q a.json bad.json -o out.json 2>err &&
	grep -q "bad.json:2: not a --stats document" err && test ! -e out.json &&
	echo "[1]" >arr.json && test_status 1 smelt-stats-merge -q arr.json -o out.json 2>err &&
	grep -q "arr.json.: not a --stats document (not an object)" err &&
	test_status 2 smelt-stats-merge -q -o out.json 2>err && grep -q "name the --stats documents" err
'

test_done
