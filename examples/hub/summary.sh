#!/bin/sh
# summary.sh OUT KEY — where every row of the input went, from the stages'
# --stats files, and how many of the dropped rows carry a planted defect.
set -eu
out=$1 key=$2
n() { jq -r "$1" "$out/$2"; }
rows=$(n .records_in cat.stats.json)
cat_rej=$(n .records_rejected cat.stats.json)
score_rej=$(n .records_rejected score.stats.json)
dropped=$(n .records_rejected filter.stats.json)
embed_rej=$(n .records_rejected embed.stats.json)
kept=$(n .records_out embed.stats.json)
planted=$(($(wc -l <"$key") - 1))
hit=0
for id in $(jq -r .id "$out/dropped.jsonl"); do
	if grep -q "^$id	" "$key"; then hit=$((hit + 1)); fi
done
cat <<EOT
| rows | read | rejected reading | rejected scoring | dropped by the cut | rejected embedding | kept (kept.parquet) |
|---:|---:|---:|---:|---:|---:|---:|
| $rows | $(n .records_out cat.stats.json) | $cat_rej | $score_rej | $dropped | $embed_rej | $kept |

$hit of the $dropped dropped rows carry one of the $planted planted defects (corpus/answer-key.tsv).
EOT
