#!/bin/sh
# Damaged compressed input is never silent: a failed checksum or garbage
# after the compressed data exits 3 even with a --rejects sink, with one
# message naming the file and the lines concerned, and every intact record
# before the damage is still written. Concatenated members stay readable.
. "$(dirname "$0")/../lib.sh"

# good N PREFIX: N small valid records.
good() { awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%s%d\",\"text\":\"record %d\"}\n", p, i, i }'; }

# flip FILE OFFSET: invert the low bit of the byte at OFFSET, in place.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d " ") &&
	printf "$(printf "\\\\%03o" $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# damaged FILE KIND: exit 3 with and without --rejects, -q or not; the one
# damage record in the rejects is of KIND, and stderr says so once.
damaged() {
	test_status 3 smelt-cat --plain "$1" >out 2>err &&
	test "$(grep -c ": $2: " err)" -eq 1 &&
	test_status 3 smelt-cat --plain -q --rejects rej.jsonl "$1" >out 2>err &&
	test "$(grep -c ": $2: " err)" -eq 1 &&
	test "$(jq -r .error.kind rej.jsonl | grep -cx "$2")" -eq 1
}

test_case 'gzip: a flipped CRC byte fails the run and names that member'"'"'s lines' '
	good 100 a >a.jsonl && good 200 b >b.jsonl && cat a.jsonl b.jsonl >all.jsonl &&
	{ gzip -c a.jsonl; gzip -c b.jsonl; } >in.jsonl.gz &&
	flip in.jsonl.gz $(($(wc -c <in.jsonl.gz) - 6)) &&
	damaged in.jsonl.gz corrupt_input &&
	test_cmp all.jsonl out &&
	grep -qx "smelt-cat: in.jsonl.gz:101: corrupt_input: gzip CRC mismatch in the member holding lines 101-300: those records were passed on and may be altered; nothing after them is read" err
'

# flipped COMMAND SUFFIX UNIT: a byte flipped mid-file fails the run, and
# the message names the lines of the damaged member.
flipped() {
	good 20000 f >all.jsonl && $1 -c all.jsonl >in.$2 &&
	flip in.$2 $(($(wc -c <in.$2) / 2)) &&
	damaged in.$2 corrupt_input &&
	grep -q "in.$2:1: corrupt_input: $1 .* in the $3 holding lines 1-[0-9]*: those records were passed on and may be altered" err
}

test_case 'gzip: a flipped data byte fails the run' 'flipped gzip gz member'
test_case 'xz: a flipped data byte fails the run' 'flipped xz xz stream'
test_case 'bzip2: a flipped data byte fails the run' 'flipped bzip2 bz2 stream'

test_case 'zstd: a flipped checksum byte fails the run, records passed on stay counted' '
	good 60000 z >all.jsonl && zstd -q --check -c all.jsonl >in.zst &&
	flip in.zst $(($(wc -c <in.zst) - 1)) &&
	damaged in.zst corrupt_input &&
	test_status 3 smelt-cat --plain --rejects rej.jsonl --stats s.json in.zst >out 2>err &&
	n=$(wc -l <out) && test "$n" -gt 1000 && test "$n" -lt 60000 &&
	head -n "$n" all.jsonl >expect && test_cmp expect out &&
	jq -e ".records_out == $n and .records_rejected == 1" s.json >/dev/null &&
	grep -q "in.zst:1: corrupt_input: zstd frame checksum mismatch in the frame holding lines 1-[0-9]*: those records were passed on and may be altered" err
'

test_case 'zstd: a damaged small frame passes none of its records on' '
	good 300 z >all.jsonl && zstd -q --check -c all.jsonl >in.zst &&
	flip in.zst $(($(wc -c <in.zst) - 1)) &&
	damaged in.zst corrupt_input &&
	test ! -s out &&
	grep -q "in.zst:1: corrupt_input: zstd frame checksum mismatch in the frame at byte 0: none of its records were passed on" err
'

# garbage FORMAT-COMMAND SUFFIX: every record before the garbage is written,
# and the garbage is a trailing_garbage reject that fails the run.
garbage() {
	good 2000 t >all.jsonl && $1 -c all.jsonl >in.$2 &&
	size=$(wc -c <in.$2) && printf "GARBAGE\n" >>in.$2 &&
	damaged in.$2 trailing_garbage &&
	test_cmp all.jsonl out &&
	grep -q "in.$2:2001: trailing_garbage: data after the end of the .* data at byte $size (after line 2000) is not .*: it is not read" err &&
	jq -e "select(.error.kind == \"trailing_garbage\") | .error.line == 2001" rej.jsonl >/dev/null
}

test_case 'gzip: garbage after the data fails the run, every record kept' 'garbage gzip gz'
test_case 'xz: garbage after the data fails the run, every record kept' 'garbage xz xz'
test_case 'bzip2: garbage after the data fails the run, every record kept' 'garbage bzip2 bz2'
test_case 'zstd: garbage after the data fails the run, every record kept' 'garbage zstd zst'

test_case 'multi-member gzip and concatenated xz, bzip2, zstd read completely' '
	good 100 a >a.jsonl && good 150 b >b.jsonl && : >empty && cat a.jsonl b.jsonl >expect &&
	{ gzip -c a.jsonl; gzip -c empty; gzip -c b.jsonl; } >in.gz &&
	{ xz -c a.jsonl; printf "\0\0\0\0"; xz -c b.jsonl; } >in.xz &&
	{ bzip2 -c a.jsonl; bzip2 -c b.jsonl; } >in.bz2 &&
	{ zstd -q --check -c a.jsonl; zstd -q --no-check -c b.jsonl; } >in.zst &&
	for f in in.gz in.xz in.bz2 in.zst; do
		test_status 0 smelt-cat --plain "$f" >out 2>err && test_cmp expect out && test ! -s err || exit 1
	done &&
	good 50000 m >big.jsonl && xz -T2 --block-size=200000 -c big.jsonl >big.xz &&
	smelt-cat --plain big.xz >out && test_cmp big.jsonl out
'
test_case 'a 3 MB last line without a newline is read whole (it was read after being freed)' '
	awk "BEGIN { printf \"{\\\"id\\\":\\\"a\\\"}\\n{\\\"id\\\":\\\"big\\\",\\\"text\\\":\\\"\"; for (i = 0; i < 3000; i++) printf \"%01000d\", i; printf \"\\\"}\" }" >in.jsonl &&
	gzip -c in.jsonl >in.jsonl.gz && cp in.jsonl expect && echo >>expect &&
	smelt-cat --plain in.jsonl >out && test_cmp expect out &&
	smelt-cat --plain in.jsonl.gz >out && test_cmp expect out
'
test_done
