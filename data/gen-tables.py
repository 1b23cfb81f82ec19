#!/usr/bin/env python3
"""Generate hanfold's script tables from OpenCC's own dictionaries.

Usage: gen-tables.py DICTDIR EXTRA.tsv OUTPUT.h [OPENCC_DICT]

DICTDIR holds OpenCC's dictionaries, either as text (`NAME.txt`, one
`source<TAB>target[ target...]` entry per line) or as installed (`NAME.ocd2`,
then exported to text with the `opencc_dict` program, OPENCC_DICT).  EXTRA.tsv lists hand-checked
variant pairs that OpenCC leaves different between scripts (see data/README).

The output header defines three sorted tables:
  hf_census[]        characters that occur only in traditional (1) or only in
                     simplified (2) script, for per-sentence script detection,
                     and characters of both that lean traditional (4) or
                     simplified (8);
  hf_fold_chars[]    character -> representative of its variant class, for the key;
  hf_fold_phrases[]  folded phrase -> representative of its phrase class, for the key
                     (regional vocabulary such as 软件/軟體, 程序/程式).
Classes are the connected components of the conversion graph (union-find), so a
character and every form any OpenCC config may turn it into share one key.
"""
import json
import os
import shutil
import sys
import tempfile

import opencc_text

OPENCC_DICT = sys.argv[4] if len(sys.argv) > 4 else 'opencc_dict'
# the conversion to simplified (HF_TO_SIMPLIFIED in src/lib/hanfold.c); its
# dictionaries are looked up beside it first, then in DICTDIR
HERE = os.path.dirname(os.path.abspath(__file__))
TO_SIMPLIFIED = os.path.join(HERE, 'hanfold-t2s.json')

TMP = None

def load(d, name):
    global TMP
    if TMP is None:
        TMP = tempfile.mkdtemp(prefix='hanfold-dicts.')
    if os.path.exists(os.path.join(HERE, name)) or os.path.exists(os.path.join(HERE, name + '.txt')):
        d = HERE
    # an entry without values keeps its key, as OpenCC converts it
    return [(k, v if v else [k]) for k, v in
            opencc_text.entries(opencc_text.text_path(d, name, OPENCC_DICT, TMP))]

class UF:
    def __init__(self):
        self.p = {}
    def find(self, x):
        p = self.p
        p.setdefault(x, x)
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root
    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)

def main():
    d, extra, out = sys.argv[1:4]
    st = load(d, 'STCharacters')
    ts = load(d, 'TSCharacters')
    ts_map = {s: t[0] for s, t in ts}
    st_map = {s: t for s, t in st}

    # Census: a character is traditional-only when t2s never keeps it (面 and
    # 里 stay 面 and 里 in some words, so they tell nothing) and it is not a
    # simplified character too; and vice versa.
    trad = {s for s, t in ts if s not in t}
    simp = {s for s, t in st if s not in t}
    census = {}
    for c in trad - simp:
        census[c] = 1
    for c in simp - trad:
        census[c] = 2
    # Leaning (4 traditional, 8 simplified): a character of both scripts
    # that the other conversion changes by default, kept only in some words
    # (於 -> 于 but for the surname, 乾 -> 干 but in 乾坤; 后 -> 後 but in
    # 皇后).  Alone it does not tell the script; in a text that has
    # characters of only the other script it does (hanfold.c).
    for s_, t in ts:
        if s_ in t and t[0] != s_ and s_ not in census:
            census[s_] = 4
    for s_, t in st:
        if s_ in t and t[0] != s_ and s_ not in census:
            census[s_] = census.get(s_, 0) | 8
    # Regional forms that the conversion to simplified turns into another
    # character through the Taiwan or Hong Kong variants (衞 -> 衛 -> 卫,
    # 敍 -> 敘 -> 叙, 著 -> 着), though neither character table has them:
    # traditional-only when GB 2312 lacks them too (simplified text does not
    # use them), else leaning traditional (著 is also simplified, in 显著).
    ts_keys, st_keys = set(ts_map), set(st_map)
    for name in ('HKVariantsRev', 'TWVariantsRev'):
        for a, t in load(d, name):
            if len(a) != 1 or a in census or a in ts_keys or a in st_keys:
                continue
            if ts_map.get(t[0], t[0]) == a:
                continue
            try:
                a.encode('gb2312')
                census[a] = 4
            except UnicodeEncodeError:
                census[a] = 1

    uf = UF()
    # JPVariants: traditional text on the web also carries Japanese forms
    # (呉 for 吳, 様 for 樣); their classes stay small (see the build log).
    for name in ('STCharacters', 'TSCharacters', 'TWVariants', 'TWVariantsRev',
                 'HKVariants', 'HKVariantsRev', 'JPVariants', 'JPVariantsRev'):
        for s, t in load(d, name):
            if len(s) != 1:
                continue
            for x in t:
                if len(x) == 1:
                    uf.union(s, x)
    with open(extra, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            chars = line.split()
            for x in chars[1:]:
                uf.union(chars[0], x)

    members = {}
    for c in list(uf.p):
        members.setdefault(uf.find(c), []).append(c)
    # Representative: the simplified form when the class has one (a character
    # t2s leaves alone and s2t would change, else one t2s leaves alone), so
    # that keys read as simplified text.
    def rank(c):
        unchanged = ts_map.get(c, c) == c
        return (0 if unchanged and c in st_map else 1 if unchanged else 2, ord(c))
    rep = {}
    for root, ms in members.items():
        r = min(ms, key=rank)
        for c in ms:
            rep[c] = r
    # Phrases are matched against keys, which hold only lower-case letters and digits.
    fold = lambda s: ''.join(rep.get(c, c) for c in s.lower() if c.isalnum())

    # Phrases: regional vocabulary whose folded forms still differ.
    puf = UF()
    prefer = set()
    for name, simp_side in (('TWPhrases', 0), ('TWPhrasesRev', 1), ('HKVariantsRevPhrases', None),
                            ('TWVariantsRevPhrases', None)):
        for s, t in load(d, name):
            fs = fold(s)
            for x in t:
                fx = fold(x)
                if fs != fx and len(fs) >= 2 and len(fx) >= 2:
                    puf.union(fs, fx)
                    if simp_side == 0:
                        prefer.add(fs)
                    elif simp_side == 1:
                        prefer.add(fx)
    pmembers = {}
    for p in list(puf.p):
        pmembers.setdefault(puf.find(p), []).append(p)
    prep = {}
    for root, ms in pmembers.items():
        r = min(ms, key=lambda p: (p not in prefer, len(p), p))
        for p in ms:
            if p != r:
                prep[p] = r

    # Characters that let the conversion to simplified change a key.  The key
    # of text whose script stage converts nothing but entries whose key and
    # value fold alike (character by character, what pass 1 of the key
    # writes) is the key of the text unconverted, so hanfold_process() makes
    # it without the stage (hf_fold_key_direct()) unless the text has one of
    # these: a character of each dictionary key that folds otherwise than its
    # value (沈默 -> 沉默: 沈 and 沉 are different characters), and, to a
    # fixed point, a character of each key whose value has one of those (a
    # later step could then meet it).  tests/shared/key-invariant.sh checks
    # every entry against the C fold.
    def fold1(s):
        return ''.join(rep.get(c, c) for c in s.lower() if c.isalnum())
    chain = []
    def dict_files(spec):
        if isinstance(spec, dict):
            if isinstance(spec.get('file'), str):
                chain.append(spec['file'].rsplit('.', 1)[0])
            for v in spec.values():
                dict_files(v)
        elif isinstance(spec, list):
            for v in spec:
                dict_files(v)
    with open(TO_SIMPLIFIED, encoding='utf-8') as f:
        dict_files(json.load(f))
    pairs = [(k, v[0]) for name in sorted(set(chain)) for k, v in load(d, name)]
    unsafe = set()
    # one character of a key is enough (the entry applies only where its
    # key is): the first whose fold differs from that of the value's
    # character in its place (or that is in the place of a listed one), the
    # first of the key if they do not line up
    def block(k, v, bad):
        if not unsafe.intersection(k):
            i = [i for i in range(len(k)) if len(k) == len(v) and bad(k[i], v[i])]
            unsafe.add(k[i[0]] if i else k[0])
    for k, v in pairs:
        if fold1(k) != fold1(v):
            block(k, v, lambda a, b: fold1(a) != fold1(b))
    grown = True
    while grown:
        grown = False
        for k, v in pairs:
            if not unsafe.intersection(k) and unsafe.intersection(v):
                block(k, v, lambda a, b: b in unsafe)
                grown = True

    with open(out, 'w', encoding='utf-8') as f:
        f.write('/* Generated by data/gen-tables.py from OpenCC dictionaries; do not edit. */\n')
        f.write('#include "cpmap.h"\n')
        f.write('static const hf_cpmap hf_census[] = {\n')
        for c in sorted(census, key=ord):
            f.write('    {0x%X, %d},\n' % (ord(c), census[c]))
        f.write('};\n')
        f.write('static const hf_cpmap hf_fold_chars[] = {\n')
        for c in sorted(rep, key=ord):
            if rep[c] != c:
                f.write('    {0x%X, 0x%X},\n' % (ord(c), ord(rep[c])))
        f.write('};\n')
        f.write('static const struct { const char *from, *to; } hf_fold_phrases[] = {\n')
        for p in sorted(prep, key=lambda s: s.encode('utf-8')):
            f.write('    {"%s", "%s"},\n' % (p, prep[p]))
        f.write('};\n')
        first = {}
        for p in prep:
            first[p[0]] = max(first.get(p[0], 0), len(p))
        f.write('static const hf_cpmap hf_fold_phrase_first[] = {\n')
        for c in sorted(first, key=ord):
            f.write('    {0x%X, %d},\n' % (ord(c), first[c]))
        f.write('};\n')
        f.write('/* %s: %s */\n' % (os.path.basename(TO_SIMPLIFIED), ', '.join(sorted(set(chain)))))
        f.write('static const hf_cpmap hf_key_unsafe[] = {\n')
        for c in sorted(unsafe, key=ord):
            f.write('    {0x%X, 1},\n' % ord(c))
        f.write('};\n')
    big = sorted(members.values(), key=len, reverse=True)[:5]
    sys.stderr.write('gen-tables: %d census, %d folded chars, %d folded phrases, key-unsafe %s; '
                     'largest classes: %s\n'
                     % (len(census), sum(1 for c in rep if rep[c] != c), len(prep),
                        ''.join(sorted(unsafe)),
                        ' '.join(''.join(sorted(m)) for m in big)))

try:
    main()
finally:
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)
