#!/usr/bin/env python3
"""N synthetic headline-like lines (10-40 Han characters) with 20% planted
reposts of earlier lines (a prefix 转发 added, a character dropped), for the
benchmarks.  Deterministic: the first N lines of a longer run are the
N-line set.   gen-headlines.py N PATH"""
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
chars = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)]
pool = []
with open(path, 'w') as f:
    for i in range(n):
        if pool and random.random() < 0.2:
            b = list(random.choice(pool))
            if random.random() < 0.5:
                b = list('转发') + b
            if random.random() < 0.5 and len(b) > 5:
                del b[random.randrange(len(b))]
            s = ''.join(b)
        else:
            s = ''.join(random.choice(chars) for _ in range(random.randint(10, 40)))
            if len(pool) < 100000:
                pool.append(s)
            else:
                pool[random.randrange(100000)] = s
        f.write(s + '\n')
