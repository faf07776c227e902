#!/bin/sh
# The cache never fails silently. A write that fails (a full disk, a
# read-only file system, a directory we may not write) stops the run with
# exit 1 and one line once what is in flight has landed, or with
# --cache-errors warn is counted, reported and exits 3. A flipped byte in
# an entry header costs that entry only (the rerun asks exactly one
# request); a segment that cannot be read is skipped with a warning.
#
# Full disks and read-only file systems are small tmpfs mounts; EACCES
# needs a user other than root (setpriv). Cases that cannot set up say why
# and skip.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

N=600
C=8
R=$test_root
make_records $N >$R/in.jsonl
printf -- '---\nparse: text\nmodel: smelt-sim\nmax_tokens: 2\n---\n=== user ===\n{{text}}\n' >$R/p.prompt

sim_start --threads 2

gen() { # gen CACHE-DIR [options...]: smelt-gen over in.jsonl
	cache=$1
	shift
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" --concurrency $C \
		--cache "$cache" $R/in.jsonl --plain "$@"
}

reset() {
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null
}

test_case 'reference: a run with a working cache' '
	gen $R/ref-cache -o $R/ref.jsonl &&
	test "$(wc -l <$R/ref.jsonl)" = $N
'

can_mount=
mkdir -p $R/probe && mount -t tmpfs -o size=16k tmpfs $R/probe 2>$R/mount.err && umount $R/probe &&
	can_mount=yes

if [ -n "$can_mount" ]; then
	test_case 'a full disk: exit 1, one line, at most the in-flight answers unsaved, no output' '
		mkdir full && mount -t tmpfs -o size=16k tmpfs full &&
		reset &&
		{ gen full/c --stats st.json -o out.jsonl 2>err; rc=$?; } ;
		cp -r full/c saved; umount full &&
		cat err && test "$rc" = 1 &&
		test "$(wc -l <err)" = 1 &&
		grep -q "fatal: cannot write cache segment .*No space left on device" err &&
		lost=$(sed -n "s/.*(\([0-9]*\) answers\{0,1\} not cached.*/\1/p" err) &&
		test "$lost" -ge 1 && test "$lost" -le $C &&
		test ! -e out.jsonl && test ! -e st.json &&
		asked=$(metric requests_total) &&
		test "$asked" -lt $N
	'

	test_case 'a full disk with --cache-errors warn: every record, counted, exit 3' '
		mkdir full && mount -t tmpfs -o size=16k tmpfs full &&
		reset &&
		{ gen full/c --cache-errors warn --stats st.json -o out.jsonl 2>err; rc=$?; } ;
		umount full &&
		cat err && test "$rc" = 3 &&
		test_cmp $R/ref.jsonl out.jsonl &&
		grep -q "warning: cannot write cache segment .*No space left on device" err &&
		grep -q "answers were not cached" err &&
		jq -e ".llm.cache.write_errors > 0 and .llm.cache.writes + .llm.cache.write_errors == $N" st.json
	'

	test_case 'a read-only cache: exit 1 with the reason, nothing more asked' '
		mkdir ro && mount -t tmpfs -o size=1m tmpfs ro && mkdir ro/c &&
		mount -o remount,ro ro &&
		reset &&
		{ gen ro/c -o out.jsonl 2>err; rc=$?; } ;
		umount ro &&
		cat err && test "$rc" = 1 && test "$(wc -l <err)" = 1 &&
		grep -q "fatal: cannot create cache segment .*Read-only file system" err &&
		test "$(metric requests_total)" -le $C
	'
else
	test_skip 'full disk and read-only cache' "cannot mount a tmpfs: $(cat $R/mount.err)"
fi

# gen_as_nobody CACHE-DIR: gen, as an unprivileged user (permissions count)
gen_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups smelt-gen --prompt $R/p.prompt \
		--into para --endpoint "$SIM_URL/v1" --concurrency $C --cache "$1" $R/in.jsonl --plain
}

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 $R && chmod 644 $R/in.jsonl $R/p.prompt
	test_case 'a cache directory we may not write (EACCES): exit 1 with the reason' '
		mkdir -p c && chmod 755 c &&
		reset &&
		{ gen_as_nobody c >/dev/null 2>err; rc=$?; } ;
		cat err && test "$rc" = 1 &&
		grep -q "fatal: cannot create cache segment .*Permission denied" err &&
		test "$(metric requests_total)" -le $C
	'
else
	test_skip 'EACCES' 'needs root and setpriv to run as another user (root ignores permissions)'
fi

# flip_header_byte SEG K: flip byte 12 (in the key) of the K-th entry header (from 0)
flip_header_byte() {
	off=$(od -An -v -tu1 "$1" | tr -s " " "\n" | grep . | awk -v k="$2" '
		{ b[NR - 1] = $1 }
		END {
			o = 0
			for (i = 0; i < k; i++)
				o += 32 + b[o + 24] + 256 * b[o + 25] + 65536 * b[o + 26]
			print o + 12
		}') &&
	printf "\\377" | dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

test_case 'a flipped byte in an entry header: that entry alone is asked again' '
	cp -r $R/ref-cache c &&
	seg=$(ls c/seg-*.zst) && test "$(echo "$seg" | wc -l)" = 1 &&
	flip_header_byte "$seg" $((N / 2)) &&
	reset &&
	gen c --stats st.json -o out.jsonl 2>err &&
	cat err &&
	test_cmp $R/ref.jsonl out.jsonl &&
	test "$(metric requests_total)" = 1 &&
	grep -q "1 damaged entry skipped" err &&
	jq -e ".llm.cache.damaged_entries == 1 and .llm.cache_hits == $((N - 1))" st.json
'

test_case 'a directory in place of a segment: skipped with a warning' '
	cp -r $R/ref-cache c &&
	mkdir c/seg-0000000000000000-x-1-0000.zst &&
	reset &&
	gen c --stats st.json -o out.jsonl 2>err &&
	cat err &&
	test_cmp $R/ref.jsonl out.jsonl &&
	test "$(metric requests_total)" = 0 &&
	grep -q "warning: cannot read cache segment .*not a regular file; skipped" err &&
	jq -e ".llm.cache.unreadable_segments == 1" st.json
'

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	test_case 'an unreadable segment (EACCES): skipped with a warning, its answers asked again' '
		cp -r $R/ref-cache c &&
		cp c/seg-*.zst c/seg-0000000000000001-x-1-0000.zst &&
		chmod 000 c/seg-*.zst && chmod 644 c/seg-0000000000000001-x-1-0000.zst &&
		reset &&
		gen_as_nobody c >out.jsonl 2>err &&
		cat err &&
		test_cmp $R/ref.jsonl out.jsonl &&
		test "$(metric requests_total)" = 0 &&
		grep -q "warning: cannot read cache segment .*Permission denied; skipped" err
	'
fi

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
