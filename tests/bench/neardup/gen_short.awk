# gen_short.awk — N short records (a question of 12-30 words) with about 10%
# near duplicates (a recent record with one or two words changed) and 2%
# exact ones, cut in SHARDS consecutive files PREFIX.K.jsonl.
#
#   awk -v n=1000000 -v shards=4 -v prefix=DIR/c -v seed=1 -f gen_short.awk
BEGIN {
	srand(seed);
	nsyl = split("ka to ri me so lu na pe di vo shi gra ten mor bel qui zan fle dro wix", syl, " ");
	for (v = 0; v < 5000; v++) {
		w = "";
		k = 1 + int(rand() * 3);
		for (j = 0; j < k; j++)
			w = w syl[1 + int(rand() * nsyl)];
		vocab[v] = w;
	}
	per = int((n + shards - 1) / shards);
	for (i = 0; i < n; i++) {
		r = rand();
		if (i > 100 && r < 0.12) {
			src = recent[int(rand() * 100)];
			if (r < 0.10) {
				m = split(src, ws, " ");
				for (e = 0; e < 1 + int(rand() * 2); e++)
					ws[1 + int(rand() * m)] = vocab[int(rand() * 5000)];
				text = ws[1];
				for (j = 2; j <= m; j++)
					text = text " " ws[j];
			} else {
				text = src;
			}
		} else {
			m = 12 + int(rand() * 19);
			text = vocab[int(rand() * 5000)];
			for (j = 1; j < m; j++)
				text = text " " vocab[int(rand() * 5000)];
		}
		recent[i % 100] = text;
		out = prefix "." int(i / per) ".jsonl";
		printf "{\"id\":\"r%d\",\"source\":\"s%d\",\"messages\":[{\"role\":\"user\",\"content\":\"%s?\"}]}\n", \
			i, i % 3, text > out;
	}
}
