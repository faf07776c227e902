# gen-conversations.awk — deterministic messages-style records for the
# plumbing tests: awk -v n=1000 [-v start=1] -f gen-conversations.awk
#
# Each record: id, source (8 values), task (3 values), a 1-3 turn
# conversation whose content mixes ASCII, accented and CJK text, escaped
# quotes and newlines, sometimes images, and a numeric score. The output is
# already in smelt's compact form (key order kept, shortest numbers), so a
# record that passes through a stage unchanged is byte-identical.
BEGIN {
	if (!start) start = 1
	x = 12345
	split("alpha beta gamma delta caf\303\251 na\303\257ve \346\225\260\345\255\246 \357\274\241\357\274\242\357\274\243 \\\"quoted\\\" line\\nbreak", words, " ")
	nw = 10
	for (i = start; i < start + n; i++) {
		x = (x * 16807) % 2147483647
		src = x % 8
		task = int(x / 8) % 3
		turns = 1 + int(x / 24) % 3
		img = int(x / 72) % 5 == 0
		printf "{\"id\":\"r%07d\",\"source\":\"src%d\",\"task\":\"t%d\",\"messages\":[", i, src, task
		for (t = 0; t < turns; t++) {
			x = (x * 16807) % 2147483647
			q = words[1 + x % nw] " " i " " words[1 + int(x / 16) % nw]
			a = "answer " t " to " i ": " words[1 + int(x / 256) % nw]
			printf "%s{\"role\":\"user\",\"content\":\"%s%s\"},{\"role\":\"assistant\",\"content\":\"%s\"}", \
			       t ? "," : "", (t == 0 && img) ? "<image>\\n" : "", q, a
		}
		printf "]"
		if (img)
			printf ",\"images\":[\"img/%d.jpg\"]", i
		printf ",\"scores\":{\"rm\":%d.%d}}\n", (x % 3) - 1, x % 10
	}
}
