#!/usr/bin/env python3
"""Generate the compiled-in data of hanfold's fast OpenCC converter (src/lib/fastcc.c).

Usage: gen-fastcc.py DATADIR OPENCC_DICT OUTPUT.h [DEPFILE [CONFIG.json...]]

Every OpenCC config in DATADIR (*.json), and every CONFIG.json named after
the depfile (hanfold's own, data/hanfold-t2s.json, whose dictionaries are
looked up beside it first, then in DATADIR, as libopencc does), is parsed:
its segmentation dictionary
and its conversion chain (each step a dictionary or a group of them).  The
dictionaries they name are exported to text with OpenCC's own `opencc_dict`
(OPENCC_DICT), so the tables are exactly the installed ones.  A config that
uses anything else than what fastcc.c implements (segmentation other than
"mmseg", dictionary types other than "ocd2"/"text", nested groups) is left
out, and hanfold converts it with libopencc.

The output header defines:
  hf_fcc_alpha_hi/lo  code point -> character id (0: in no key), a two-level
                      table of 64-code-point blocks;
  hf_fcc_first[]      character id -> bit mask of the dictionaries that have a
                      key starting with it (dictionary d: bit min(d, 31)), so
                      that most failed lookups touch no trie node;
  hf_fcc_inner[]      the same for the characters in a key but not first;
  hf_fcc_bigram[]     a Bloom filter of the first two characters of every
                      key, for the same reason one character further;
  hf_fcc_da[]         one double-array trie (Aoe 1989) holding every
                      dictionary, a root per dictionary.  Labels are character
                      ids; node t is a child of s by id c when
                      t == da[s].base + c and da[t].check == s.  da[t].val is
                      0 unless a key ends at t, else
                      offset << 10 | length << 2 | identity << 1 | 1
                      into hf_fcc_pool (identity: the value is the key itself,
                      so the converter copies its input);
  hf_fcc_pool         the first value of every entry (OpenCC uses the first);
  hf_fcc_configs[]    name, segmentation dictionary and conversion chain
                      (each dictionary given by its root, its bit in
                      hf_fcc_first[] and whether all its keys are one
                      character long).
DEPFILE lists the files read, so that the build regenerates the header when
the installed OpenCC data changes.
"""
import heapq
import json
import os
import sys
import tempfile

import opencc_text

MAX_VALUE = 255          # length field: 8 bits
MAXCHAIN = 8             # as in src/lib/fastcc.c
MAXGROUP = 8
MAX_POOL = 1 << 22       # offset field: 22 bits


BIGRAM_BITS = 19         # as in src/lib/fastcc.c


def bigram_hash(a, b):
    # must equal bigram_hash() in src/lib/fastcc.c
    return (((a * 0x9E3779B1) ^ (b * 0x85EBCA77)) & 0xFFFFFFFF) >> (32 - BIGRAM_BITS)


class Unsupported(Exception):
    pass


def export(dirs, tmp, opencc_dict, typ, name, read):
    """Entries (key, first value) of one dictionary, as OpenCC loads it:
    the first of dirs that has the file."""
    if typ not in ('ocd2', 'text'):
        raise Unsupported('dictionary type ' + typ)
    datadir = next((d for d in dirs if os.path.exists(os.path.join(d, name))), dirs[-1])
    path = os.path.join(datadir, name)
    txt = opencc_text.text_path(datadir, name, opencc_dict, tmp)
    read.add(path)
    entries = {}
    for key, vals in opencc_text.entries(txt):
        if not key or '\0' in key:
            raise Unsupported('key %r in %s' % (key, name))
        # a multi-value entry converts to its first value; an entry
        # without values converts to its own key (DictEntry::GetDefault)
        entries[key] = vals[0] if vals else key
    return entries


def main():
    datadir, opencc_dict, out = sys.argv[1:4]
    depfile = sys.argv[4] if len(sys.argv) > 4 else None
    own = sys.argv[5:]
    read = set()
    tmp = tempfile.TemporaryDirectory(prefix='hanfold-fastcc.')

    dicts = {}       # (type, file) -> index
    dict_entries = []
    dict_names = []

    def load(spec, dirs):
        if not isinstance(spec, dict):
            raise Unsupported('dictionary spec')
        typ = spec.get('type')
        if typ == 'group':
            raise Unsupported('nested group')
        name = spec.get('file')
        if not isinstance(name, str) or '/' in name:
            raise Unsupported('dictionary file')
        where = next((d for d in dirs if os.path.exists(os.path.join(d, name))), dirs[-1])
        k = (typ, os.path.join(where, name))
        if k not in dicts:
            e = export(dirs, tmp.name, opencc_dict, typ, name, read)
            if any(len(v.encode()) > MAX_VALUE for v in e.values()):
                raise Unsupported('value longer than %d bytes in %s' % (MAX_VALUE, name))
            dicts[k] = len(dict_entries)
            dict_entries.append(e)
            dict_names.append(name)
        return dicts[k]

    def group(spec, dirs):
        # a plain dictionary behaves as a group of one
        if isinstance(spec, dict) and spec.get('type') == 'group':
            members = spec.get('dicts')
            if not isinstance(members, list) or not members:
                raise Unsupported('group')
            return [load(m, dirs) for m in members]
        return [load(spec, dirs)]

    configs = []
    skipped = []
    paths = [os.path.join(datadir, fn) for fn in sorted(os.listdir(datadir)) if fn.endswith('.json')]
    for path in paths + own:
        fn = os.path.basename(path)
        dirs = [datadir] if path not in own else [os.path.dirname(os.path.abspath(path)), datadir]
        read.add(path)
        try:
            with open(path, encoding='utf-8') as f:
                doc = json.load(f)
            seg = doc['segmentation']
            if seg.get('type') != 'mmseg':
                raise Unsupported('segmentation ' + str(seg.get('type')))
            if isinstance(seg['dict'], dict) and seg['dict'].get('type') == 'group':
                raise Unsupported('group as segmentation dictionary')
            segd = load(seg['dict'], dirs)
            chain = [group(step['dict'], dirs) for step in doc['conversion_chain'] if isinstance(step, dict)]
            configs.append((fn[:-5], segd, chain))
        except (Unsupported, KeyError, TypeError, AttributeError, ValueError) as e:
            if path in own:
                sys.exit('gen-fastcc.py: %s: %s' % (path, e))
            skipped.append((fn, str(e)))

    # Character ids: the most frequent key characters get the smallest ids,
    # which packs the double array tighter.
    freq = {}
    for e in dict_entries:
        for k in e:
            for c in k:
                freq[c] = freq.get(c, 0) + 1
    alphabet = sorted(freq, key=lambda c: (-freq[c], ord(c)))
    cid = {c: i + 1 for i, c in enumerate(alphabet)}
    nalpha = len(alphabet) + 1

    # Value pool, each distinct value once.
    pool = bytearray()
    pool_at = {}

    def value(key, v):
        if v == key:
            return 3  # terminal, identity
        b = v.encode()
        if v not in pool_at:
            pool_at[v] = len(pool)
            pool.extend(b)
        off = pool_at[v]
        if off >= MAX_POOL:
            sys.exit('gen-fastcc.py: value pool larger than %d bytes' % MAX_POOL)
        return off << 10 | len(b) << 2 | 1

    # Tries as nested dicts: node = [children {id: node}, val, slot]
    tries = []
    for e in dict_entries:
        root = [{}, 0, -1]
        for k, v in e.items():
            n = root
            for c in k:
                n = n[0].setdefault(cid[c], [{}, 0, -1])
            n[1] = value(k, v)
        tries.append(root)

    # Double array, shared by all dictionaries: a slot is used by a root or by
    # a child; a base is found first-fit over the free slots.
    base, check, val = [], [], []
    used = bytearray()

    def grow(n):
        while len(used) < n:
            used.extend(b'\0' * 65536)
            base.extend([0] * 65536)
            check.extend([-1] * 65536)
            val.extend([0] * 65536)

    nxt = [0]  # lowest possibly free slot
    last = {}

    def take(slot, parent, node):
        grow(slot + 1)
        used[slot] = 1
        check[slot] = parent
        val[slot] = node[1]
        node[2] = slot

    for t in tries:
        grow(nxt[0] + 1)
        while used[nxt[0]]:
            nxt[0] += 1
            grow(nxt[0] + 1)
        take(nxt[0], -1, t)

    # Nodes are placed level by level (a deterministic order; others measured
    # no faster); within a level, nodes with many children first, while
    # there is room for them.
    heap = [(0, -len(t[0]), i, t) for i, t in enumerate(tries)]
    heapq.heapify(heap)
    seq = len(heap)
    qi = 0
    while heap:
        depth, _, _, node = heapq.heappop(heap)
        qi += 1
        kids = sorted(node[0])
        if not kids:
            continue
        c0 = kids[0]
        # base >= 1 (base 0 marks a leaf); a node with k children rarely fits
        # before the place where the last node of about its size went
        bucket = len(kids).bit_length()
        p = max(nxt[0], c0 + 1, last.get(bucket, 0) if len(kids) > 1 else 0)
        rest = kids[1:]
        while True:
            p = used.find(0, p)
            if p < 0:
                p = len(used)
            b = p - c0
            if b + kids[-1] >= len(used):
                grow(b + kids[-1] + 1)
            if all(not used[b + c] for c in rest):
                break
            p += 1
        # Darts' heuristic: once the slots before p are nearly all used,
        # later searches start at p (a little density for much speed).
        if p - nxt[0] > 64 and used.count(1, nxt[0], p) >= 0.95 * (p - nxt[0]):
            nxt[0] = p
        last[bucket] = p
        base[node[2]] = b
        for c in kids:
            child = node[0][c]
            take(b + c, node[2], child)
            heapq.heappush(heap, (depth + 1, -len(child[0]), seq, child))
            seq += 1
        while used[nxt[0]]:
            nxt[0] += 1
    size = len(used.rstrip(b'\0'))
    # transitions read da[base + id] without a bounds check
    size = max(size, max(base) + nalpha)

    # Character id table: 64-code-point blocks, block 0 all zero.
    if nalpha > 0xFFFF:
        sys.exit('gen-fastcc.py: more than 65535 distinct key characters')
    limit = max(map(ord, alphabet)) + 1 if alphabet else 1
    nhi = (limit + 63) >> 6
    blocks = [[0] * 64]
    hi = []
    for h in range(nhi):
        blk = [cid.get(chr(cp), 0) if not 0xD800 <= cp < 0xE000 else 0
               for cp in range(h << 6, (h + 1) << 6)]
        if any(blk):
            hi.append(len(blocks))
            blocks.append(blk)
        else:
            hi.append(0)

    # First-character filter: bit min(d, 31) of first[id] is set when a key of
    # dictionary d starts with that character (bit 31 is shared by the rest).
    bit = lambda d: 1 << min(d, 31)
    first = [0] * nalpha
    for d, e in enumerate(dict_entries):
        for k in e:
            first[cid[k[0]]] |= bit(d)
    # Inner characters, the same way: a key of dictionary d has the character
    # in a place other than the first (where the converter can cut the text
    # for a window, see convert_fused()).
    inner = [0] * nalpha
    for d, e in enumerate(dict_entries):
        for k in e:
            for c in k[1:]:
                inner[cid[c]] |= bit(d)

    # Second-character filter (a one-hash Bloom filter over the first two
    # characters of every key): most walks end at the second character, and
    # this 64 KB table answers that without touching the large trie.
    bigram = bytearray(1 << (BIGRAM_BITS - 3))
    for e in dict_entries:
        for k in e:
            if len(k) >= 2:
                h = bigram_hash(cid[k[0]], cid[k[1]])
                bigram[h >> 3] |= 1 << (h & 7)

    # fastcc.c has room for MAXCHAIN steps of MAXGROUP dictionaries
    for c in [c for c in configs if len(c[2]) > MAXCHAIN or max(map(len, c[2] or [[]])) > MAXGROUP]:
        configs.remove(c)
        skipped.append((c[0] + '.json', 'chain longer than %d or group larger than %d' % (MAXCHAIN, MAXGROUP)))

    with open(out, 'w', encoding='utf-8') as f:
        w = f.write
        w('/* Generated by data/gen-fastcc.py from the OpenCC data in %s; do not edit. */\n' % datadir)
        for fn, why in skipped:
            w('/* not compiled in (libopencc converts it): %s: %s */\n' % (fn, why))
        w('#define HF_FCC_GEN_MAXGROUP %d\n#define HF_FCC_GEN_MAXCHAIN %d\n' % (MAXGROUP, MAXCHAIN))
        w('#define HF_FCC_ALPHA_LIMIT 0x%X\n' % limit)
        w('static const uint16_t hf_fcc_alpha_hi[%d] = {\n' % max(nhi, 1))
        for i in range(0, max(nhi, 1), 16):
            w(','.join(str(x) for x in (hi or [0])[i:i + 16]) + ',\n')
        w('};\nstatic const uint16_t hf_fcc_alpha_lo[%d] = {\n' % (64 * len(blocks)))
        for blk in blocks:
            w(','.join(map(str, blk)) + ',\n')
        w('};\nstatic const uint32_t hf_fcc_first[%d] = {\n' % nalpha)
        for i in range(0, nalpha, 16):
            w(','.join('%du' % x for x in first[i:i + 16]) + ',\n')
        w('};\nstatic const uint32_t hf_fcc_inner[%d] = {\n' % nalpha)
        for i in range(0, nalpha, 16):
            w(','.join('%du' % x for x in inner[i:i + 16]) + ',\n')
        w('};\n#define HF_FCC_GEN_BIGRAM_BITS %d\nstatic const uint8_t hf_fcc_bigram[%d] = {\n'
          % (BIGRAM_BITS, len(bigram)))
        for i in range(0, len(bigram), 32):
            w(','.join(map(str, bigram[i:i + 32])) + ',\n')
        w('};\nstatic const struct hf_fcc_node hf_fcc_da[%d] = {\n' % size)
        for i in range(size):
            w('{%d,%d,%du},' % (base[i], check[i], val[i]) if i < len(used) else '{0,-1,0u},')
            if i % 8 == 7:
                w('\n')
        # zero padding: the converter may copy a few bytes past a value
        w('};\n#define HF_FCC_POOL_PAD 32\nstatic const char hf_fcc_pool[%d] =\n' % (len(pool) + 33))
        text = pool.decode()
        for i in range(0, len(text), 64):
            s = text[i:i + 64].replace('\\', '\\\\').replace('"', '\\"').replace('?', '\\?')
            s = ''.join(c if ord(c) >= 0x20 and c != '\x7f' else '\\%03o' % ord(c) for c in s)
            w('"%s"\n' % s)
        if not text:
            w('""\n')
        w(';\n')
        for i, name in enumerate(dict_names):
            w('/* root %d: %s, %d keys */\n' % (tries[i][2], name, len(dict_entries[i])))
        w('static const struct hf_fcc_config hf_fcc_configs[%d] = {\n' % max(len(configs), 1))
        for name, segd, chain in configs:
            steps = ', '.join('{%d, {%s}, {%s}, {%s}}' % (
                len(g), ', '.join(str(tries[d][2]) for d in g), ', '.join('%du' % bit(d) for d in g),
                ', '.join('1' if all(len(k) == 1 for k in dict_entries[d]) else '0' for d in g))
                              for g in chain)
            w('{"%s", %d, %du, %d, {%s}},\n' % (name, tries[segd][2], bit(segd), len(chain), steps))
        if not configs:
            w('{"", 0, 0, 0, {{0, {0}, {0}, {0}}}},\n')
        w('};\n#define HF_FCC_NCONFIGS %d\n' % len(configs))
    if depfile:
        with open(depfile, 'w') as f:
            f.write('%s: %s\n' % (out.replace(' ', '\\ '),
                                  ' '.join(p.replace(' ', '\\ ') for p in sorted(read))))
    print('gen-fastcc.py: %d configs, %d dictionaries, %d trie slots (%d nodes), %d alphabet, '
          '%d pool bytes, %d skipped' % (len(configs), len(dict_names), size, qi, nalpha - 1,
                                         len(pool), len(skipped)))


if __name__ == '__main__':
    main()
