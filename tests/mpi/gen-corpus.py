#!/usr/bin/env python3
"""Synthetic corpus for hanfold-mpi's equivalence test: every path the
single process can take, in one file of N lines (default 20000).

  reposts of earlier lines (a prefix added, a character dropped, punctuation),
  exact repeats, templated lines differing only in a number, thousands of
  different lines sharing a prefix (posting chains past the cap of 2000),
  long lines (100-1000 tokens: the long threshold) and very long ones
  (over 1000 tokens: sketch Jaccard), empty and punctuation-only lines,
  traditional-script copies, invalid UTF-8 and NUL bytes.

Deterministic: the same N and seed give the same bytes."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
rnd = random.Random(seed)
chars = [chr(c) for c in range(0x4e00, 0x4e00 + 2500)]
trad = {'国': '國', '发': '發', '会': '會', '这': '這', '说': '說', '个': '個', '们': '們'}


def text(lo, hi):
    return ''.join(rnd.choice(chars) for _ in range(rnd.randint(lo, hi)))


pool = []
out = sys.stdout.buffer
for i in range(n):
    r = rnd.random()
    if r < 0.15 and pool:
        b = list(rnd.choice(pool))
        if rnd.random() < 0.5:
            b = list('转发：') + b
        if rnd.random() < 0.5 and len(b) > 8:
            del b[rnd.randrange(len(b))]
        if rnd.random() < 0.3:
            b.insert(rnd.randrange(len(b)), '，')
        s = ''.join(b)
    elif r < 0.20 and pool:
        s = rnd.choice(pool)
    elif r < 0.23:
        s = '某县总面积%d平方公里，人口%d人，下辖%d个乡镇' % (rnd.randint(10, 99), rnd.randint(1000, 9999), rnd.randint(3, 9))
    elif r < 0.45:
        s = '转发微博' + text(3, 6)
    elif r < 0.47:
        s = text(120, 600)
    elif r < 0.475:
        s = text(1100, 2500)
    elif r < 0.48 and pool:
        s = ''.join(trad.get(c, c) for c in rnd.choice(pool)) + ' 國發會'
    elif r < 0.49:
        s = rnd.choice(['', '。。。', '——', '!!!', '   '])
    elif r < 0.495:
        out.write(text(5, 20).encode() + b'\xff\xfe' + text(5, 20).encode() + b'\n')
        continue
    elif r < 0.497:
        out.write(text(5, 20).encode() + b'\x00' + text(5, 20).encode() + b'\n')
        continue
    else:
        s = text(8, 40)
        if rnd.random() < 0.2:
            s += ' ID%d' % rnd.randint(1, 50)
    if not s.strip():
        pass
    elif len(pool) < 3000:
        pool.append(s)
    elif rnd.random() < 0.3:
        pool[rnd.randrange(len(pool))] = s
    out.write(s.encode() + b'\n')
