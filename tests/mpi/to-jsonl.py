#!/usr/bin/env python3
"""Lines on stdin -> JSONL records {"id": "rN", "text": line}, with a
malformed record (an unterminated object) after every 37th."""
import json
import sys

for i, line in enumerate(sys.stdin.buffer):
    t = line.rstrip(b"\n").decode("utf-8", "replace")
    print(json.dumps({"id": "r%d" % i, "text": t}, ensure_ascii=False))
    if i % 37 == 0:
        print('{"id": "broken%d", "text": ' % i)
