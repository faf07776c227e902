"""tests/bench/client/aiohttp_client.py — Python aiohttp sending the
benchmark's requests: N chat completions, C at a time, JSON-decoded.

    /usr/bin/python3 aiohttp_client.py BASE_URL RECORDS.jsonl C
"""
import asyncio
import json
import sys

import aiohttp


async def main(base, path, conc):
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    it = iter(records)
    ok = 0
    url = base + "/chat/completions"

    async def worker(session):
        nonlocal ok
        for r in it:
            body = {"model": "smelt-sim",
                    "messages": [{"role": "user", "content": "Paraphrase: " + r["text"]}]}
            async with session.post(url, json=body) as resp:
                resp.raise_for_status()
                c = await resp.json()
                if c["choices"] and isinstance(c["choices"][0]["message"]["content"], str):
                    ok += 1

    connector = aiohttp.TCPConnector(limit=conc)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(conc)))
    if ok != len(records):
        sys.exit(f"only {ok} of {len(records)} answered")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
