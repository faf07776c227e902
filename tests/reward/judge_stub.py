#!/usr/bin/env python3
"""judge_stub.py LOG — a stand-in LLM judge for the smelt-score tests.

smelt-sim has no judge behaviour, so this loopback server answers
POST /v1/chat/completions the way a judge would: it reads the prompt, takes
the last "Assistant: ..." turn of the conversation shown in it, and replies
with a short justification and "Score: N", N = min(10, words in that
answer) — so an empty answer scores 0 and the tests can predict every
score. An answer containing "UNPARSEABLE" gets a reply with no score. Each
request body is appended to LOG (one JSON line) for the tests to inspect.
Prints "port N" first, then serves until killed.
"""
import http.server
import json
import sys


class Judge(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/chat/completions":
            self.reply(404, {"error": {"message": "no route " + self.path}})
            return
        req = json.loads(body)
        with open(sys.argv[1], "a") as log:
            log.write(json.dumps(req) + "\n")
        text = ""
        for m in req["messages"]:
            c = m["content"]
            if isinstance(c, list):
                c = "".join(p.get("text", "") for p in c if p.get("type") == "text")
            text += c + "\n"
        conv = text.split("[Conversation Start]")[-1].split("[Conversation End]")[0]
        answer = conv.rsplit("Assistant:", 1)[-1] if "Assistant:" in conv else ""
        if "UNPARSEABLE" in answer:
            content = "I would rather not say."
        else:
            content = "The answer is judged by its length.\nScore: %d" % min(10, len(answer.split()))
        self.reply(200, {
            "id": "judge-1", "object": "chat.completion", "created": 0, "model": req.get("model", "judge"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(text.split()), "completion_tokens": 9, "total_tokens": 0},
        })


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Judge)
print("port %d" % server.server_address[1], flush=True)
server.serve_forever()
