#!/bin/sh
# Mojibake repair (issue 19), measured on clean development text.
#
# 1. Synthetic damage: in each GSD sentence (../shared/eval/gsd-trad-simp.tsv,
#    simplified column 3 and traditional column 2) one random span of 4-16
#    characters is damaged one way:
#      utf8-gbk   its UTF-8 bytes decoded as GBK (Python's codec, errors
#                 replaced by U+FFFD): 你好 -> 浣犲ソ
#      gbk-shift  its GBK bytes decoded from the second byte, each byte a
#                 decoder could not pair written as '?', and a '?' for the
#                 first (seed 002's shape); every other sentence then has its
#                 full-width forms folded to ASCII, as seed 002 has (?!眳呛2ū硎?)
#    and `hanfold normalize` runs with and without --repair-mojibake.  Each
#    output is aligned with the normalization of the clean sentence
#    (difflib): characters of the span found again are restored, characters
#    outside it not found again are damaged.  Printed per kind: runs counted
#    (--stats), sentences repaired exactly, characters restored and U+FFFD
#    written, clean characters damaged, with and without the flag.  Fails
#    when the flag damages a clean character that the run without it keeps.
# 2. Clean text: every development set (sentences.jsonl, reposts.jsonl,
#    maint-guide/*, seed-headlines.txt, gsd-trad-simp.tsv, the seeds but 000
#    and 002, which carry mojibake)
#    must normalize byte for byte the same with and without the flag.
#
# Skips without ../shared/eval.
set -u
ev="$SHARED/eval"
[ -f "$ev/gsd-trad-simp.tsv" ] || { echo "skip: $ev not found"; exit 77; }
exec python3 - "$HANFOLD" "$ev" "$SHARED/seeds" <<'PY'
import difflib, glob, os, random, re, subprocess, sys
hf, ev, seeds = sys.argv[1], sys.argv[2], sys.argv[3]
failed = []

def run(argv, data):
    p = subprocess.run([hf, 'normalize', '--stats'] + argv, input=data, capture_output=True)
    if p.returncode != 0:
        sys.exit('%s failed (exit %d): %s' % (' '.join(argv), p.returncode, p.stderr[-500:]))
    m = re.search(rb'mojibake runs (\d+) \(repaired (\d+)\)', p.stderr)
    return p.stdout, (int(m.group(1)), int(m.group(2))) if m else (-1, -1)

def lines(argv, texts):
    out, st = run(argv, ('\n'.join(texts) + '\n').encode())
    o = out.decode().split('\n')[:len(texts)]
    assert len(o) == len(texts)
    return o, st

# ---- 1. synthetic damage --------------------------------------------------
rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(ev, 'gsd-trad-simp.tsv'), encoding='utf-8')][1:]
sents = [r[2] for r in rows] + [r[1] for r in rows]

def fold_width(s):
    return ''.join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s)

def utf8_gbk(span, rnd):
    return span.encode('utf-8').decode('gbk', errors='replace')

def utf8_gb18030(span, rnd):
    return span.encode('utf-8').decode('gb18030', errors='replace')

def gbk_shift(span, rnd):
    try:
        b = span.encode('gbk')[1:]
    except UnicodeEncodeError:
        return None
    # as a CP936 decoder reads it: pairs (user-defined ones to private use,
    # as GB18030 has them), an ASCII byte alone, a byte it cannot pair '?'
    m, k = ['?'], 0
    while k < len(b):
        if b[k] < 0x80:
            m.append(chr(b[k]))
            k += 1
            continue
        try:
            m.append(b[k:k + 2].decode('gb18030'))
            assert len(m[-1]) == 1
            k += 2
        except (UnicodeDecodeError, AssertionError):
            m[-1:] = m[-1:] if len(m[-1]) == 1 else []
            m.append('?')
            k += 1
    m = ''.join(m)
    return fold_width(m) if rnd.random() < 0.5 else m

def measure(kind, damage):
    rnd = random.Random(1919)
    cases = []
    for s in sents:
        if len(s) < 8:
            continue
        k = rnd.randint(4, min(16, len(s) - 2))
        a = rnd.randint(0, len(s) - k)
        pre, span, post = s[:a], s[a:a + k], s[a + k:]
        m = damage(span, rnd)
        if m is None or '\n' in m:
            continue
        cases.append((pre, span, post, pre + m + post))
    clean, _ = lines([], [c[0] + c[1] + c[2] for c in cases])
    pieces, _ = lines([], [p for c in cases for p in c[:3]])
    plain, st0 = lines([], [c[3] for c in cases])
    fixed, st1 = lines(['--repair-mojibake'], [c[3] for c in cases])
    # with the flag the count is of every kind (without it: misaligned runs only)
    res = {'n': len(cases), 'span': 0, 'counted': st1[0], 'repaired': st1[1]}
    for name, outs in (('plain', plain), ('fixed', fixed)):
        restored = damaged = exact = fffd = 0
        for i, c in enumerate(cases):
            pre, span, post = pieces[3 * i:3 * i + 3]
            ref = clean[i]
            if pre + span + post != ref:
                continue  # the pieces normalize otherwise in context: not counted
            if name == 'plain':
                res['span'] += len(span)
            got = outs[i]
            exact += got == ref
            fffd += got.count('\ufffd')
            hit = [False] * len(ref)
            for blk in difflib.SequenceMatcher(None, ref, got, autojunk=False).get_matching_blocks():
                for j in range(blk.a, blk.a + blk.size):
                    hit[j] = True
            lo, hi = len(pre), len(pre) + len(span)
            restored += sum(hit[lo:hi])
            damaged += sum(not h for j, h in enumerate(hit) if j < lo or j >= hi)
        res[name] = (restored, damaged, exact, fffd)
    return res

for kind, damage in (('utf8-gbk', utf8_gbk), ('utf8-gb18030', utf8_gb18030), ('gbk-shift', gbk_shift)):
    r = measure(kind, damage)
    (r0, d0, e0, _), (r1, d1, e1, f1) = r['plain'], r['fixed']
    print('%-9s sentences %d, damaged characters %d: runs counted %d, repaired %d; exact %d (without: %d); '
          'characters restored %d (without: %d), U+FFFD in the output %d; clean characters damaged %d (without: %d)'
          % (kind, r['n'], r['span'], r['counted'], r['repaired'], e1, e0, r1, r0, f1, d1, d0))
    if d1 > d0:
        failed.append('%s: the repair damaged %d clean characters (%d without it)' % (kind, d1, d0))

# ---- 2. clean text unchanged ---------------------------------------------
sets = [(['--input', 'jsonl'], os.path.join(ev, 'sentences.jsonl')),
        (['--input', 'jsonl'], os.path.join(ev, 'reposts.jsonl')),
        ([], os.path.join(ev, 'seed-headlines.txt')),
        ([], os.path.join(ev, 'gsd-trad-simp.tsv'))]
sets += [(['--input', 'files'], f) for f in sorted(glob.glob(os.path.join(ev, 'maint-guide', '*')))]
# the seeds but 000 and 002, which carry misaligned runs and lost readings
sets += [(['--input', 'files'], f) for f in sorted(glob.glob(os.path.join(seeds, '*.txt')))
         if not os.path.basename(f).startswith(('000_', '002_'))]
same = 0
for argv, f in sets:
    data = open(f, 'rb').read()
    a, sa = run(argv, data)
    b, sb = run(argv + ['--repair-mojibake'], data)
    if a == b:
        same += 1
    else:
        failed.append('%s: output differs with --repair-mojibake (runs %d, repaired %d)' % (f, sb[0], sb[1]))
print('clean text: %d of %d files the same with and without --repair-mojibake' % (same, len(sets)))
for f in failed:
    print('FAIL:', f)
sys.exit(1 if failed else 0)
PY
