#!/bin/sh
# Images stay inside their root: a ref that leads out of --image-root (or
# of the current directory without one) through "..", a symlink, an
# absolute path or an absolute tar shard is rejected as image_outside_root
# before anything is read — by smelt-gen, smelt-score and smelt-mc alike —
# with one message whether or not a file exists out there, and naming only
# the ref. --allow-absolute-images lifts the rule.
#
# The stages run with an empty read-only cache: a ref that was read and
# turned into a request ends as cache_miss, so no server is needed.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
mkdir -p $R/root/sub $R/secret $R/cache
echo "${TINY_PNG#data:image/png;base64,}" | base64 -d >$R/root/a.png
cp $R/root/a.png $R/secret/s.png
(cd $R/root && tar cf shard.tar a.png) && (cd $R/secret && tar cf shard.tar s.png)
ln -s ../secret $R/root/out
ln -s ../secret/s.png $R/root/leak.png
ln -s ../secret/none.png $R/root/dangle.png
ln -s a.png $R/root/in.png
ln -s $R/root/a.png $R/root/absin.png
printf -- '---\nmodel: m\n---\n=== user ===\n<image>\nDescribe: {{text}}\n' >$R/img.prompt
LLM="--endpoint http://127.0.0.1:9/v1 --cache $R/cache --cache-mode ro"
gen() { smelt-gen $LLM --prompt $R/img.prompt --into d --plain "$@"; }

# records REF...: one record per ref, its id the ref.
records() { for r in "$@"; do jq -cn --arg r "$r" '{id: $r, text: "t", images: [$r]}'; done; }
# kinds REJECTS: "id kind" per line.
kinds() { jq -r '"\(.id) \(.error.kind)"' "$1"; }

INSIDE="a.png sub/../a.png in.png absin.png tar:shard.tar#a.png"
OUTSIDE="../secret/s.png ../secret/none.png ../nodir/x.png out/s.png out/none.png leak.png dangle.png tar:../secret/shard.tar#s.png tar:out/noshard.tar#s.png"

test_case 'refs inside the root are read; every way out is image_outside_root' '
	records $INSIDE $OUTSIDE nope.png >in.jsonl &&
	test_status 0 gen --image-root $R/root in.jsonl -o out.jsonl --rejects rej.jsonl &&
	kinds rej.jsonl >got &&
	{ for r in $INSIDE; do echo "$r cache_miss"; done
	  for r in $OUTSIDE; do echo "$r image_outside_root"; done
	  echo "nope.png missing_image"; } >want &&
	test_cmp want got
'

test_case 'no existence oracle: one message for what exists and what does not' '
	records ../secret/s.png ../secret/none.png out/s.png out/none.png leak.png dangle.png >in.jsonl &&
	test_status 0 gen --image-root $R/root in.jsonl -o out.jsonl --rejects rej.jsonl &&
	jq -r ".id as \$i | .error.message | split(\$i) | join(\"REF\")" rej.jsonl | sort -u >msgs &&
	echo "image '\''REF'\'' is outside the image root" >want && test_cmp want msgs &&
	! grep -F "$R" rej.jsonl
'

test_case 'absolute paths and tar:/abs need --allow-absolute-images' '
	records "$R/secret/s.png" "tar:$R/secret/shard.tar#s.png" "$R/root/a.png" >in.jsonl &&
	test_status 0 gen --image-root $R/root in.jsonl -o out.jsonl --rejects rej.jsonl &&
	test "$(jq -r .error.kind rej.jsonl | sort -u)" = image_outside_root &&
	jq -r .error.message rej.jsonl | grep -q -- "--allow-absolute-images" &&
	test_status 0 gen --image-root $R/root --allow-absolute-images in.jsonl -o out.jsonl --rejects rej2.jsonl &&
	test "$(jq -r .error.kind rej2.jsonl | sort -u)" = cache_miss &&
	records ../secret/s.png >up.jsonl &&
	test_status 0 gen --image-root $R/root --allow-absolute-images up.jsonl -o out.jsonl --rejects rej3.jsonl &&
	test "$(jq -r .error.kind rej3.jsonl)" = cache_miss
'

test_case 'without --image-root the current directory is the root' '
	cd $R/root &&
	records a.png ../secret/s.png >$SCRATCH/in.jsonl &&
	test_status 3 gen $SCRATCH/in.jsonl -o $SCRATCH/out.jsonl 2>$SCRATCH/err &&
	cat $SCRATCH/err &&
	grep -q "in.jsonl:1: cache_miss" $SCRATCH/err &&
	grep -q "in.jsonl:2: image_outside_root: image .../secret/s.png. is outside the current directory" $SCRATCH/err
'

test_case 'smelt-score and smelt-mc keep to the root too' '
	for r in a.png ../secret/s.png leak.png; do
		jq -cn --arg r "$r" "{id: \$r, images: [\$r], messages: [{role: \"user\", content: \"<image> what?\"},
			{role: \"assistant\", content: \"a dot.\"}]}"; done >score.jsonl &&
	test_status 0 smelt-score -q --plain $LLM --backend pooling --name rm --image-root $R/root \
		score.jsonl -o out.jsonl --rejects rej.jsonl &&
	kinds rej.jsonl >got &&
	printf "%s\n" "a.png cache_miss" "../secret/s.png image_outside_root" "leak.png image_outside_root" >want &&
	test_cmp want got &&
	for r in a.png ../secret/s.png leak.png; do
		jq -cn --arg r "$r" "{id: \$r, images: [\$r], question: \"<image> 1+1?\", answer: \"2\",
			response: \"Step 1: 1 + 1 = 2.\nFinal answer: 2\"}"; done >mc.jsonl &&
	test_status 0 smelt-mc -q --plain $LLM --model m --prompt "$PRM_PROMPT" --rollouts 2 --image-root $R/root \
		mc.jsonl -o out.jsonl --rejects rej.jsonl &&
	kinds rej.jsonl >got &&
	test_cmp want got
'

test_done
