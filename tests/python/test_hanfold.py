"""The Python module against the command line, and its manners.

Run by meson test (suite python) with PYTHONPATH at the built module,
HANFOLD the program and SHARED ../shared (the development sets; the tests
that need them skip without it).  Exit 77 when the module cannot be
imported at all (a sanitized build whose runtime cannot be preloaded).
"""
import gc
import json
import os
import pickle
import warnings
import signal
import subprocess
import sys
import threading
import time
import unittest

try:
    import hanfold
except ImportError as e:  # pragma: no cover - the build decides
    print('skip: cannot import hanfold: %s' % e)
    sys.exit(77)

HANFOLD = os.environ.get('HANFOLD', 'hanfold')
EVAL = os.path.join(os.environ.get('SHARED', ''), 'eval')
HAVE_EVAL = os.path.isfile(os.path.join(EVAL, 'sentences.jsonl'))
# ASan makes each call many times slower: fewer calls there, same checks
SANITIZED = bool(os.environ.get('HANFOLD_SANITIZED'))


def cli(*args, data=None):
    p = subprocess.run([HANFOLD] + list(args), input=data, capture_output=True, check=True)
    return p.stdout.decode('utf-8')


def jsonl(name):
    with open(os.path.join(EVAL, name), encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def lines_of(path):
    # --input lines: records split at LF, a CR before it dropped, ids 1..n
    with open(path, 'rb') as f:
        data = f.read()
    recs = data.split(b'\n')
    if recs and recs[-1] == b'':
        recs.pop()
    return [r[:-1] if r.endswith(b'\r') else r for r in recs]


def sets():
    """(name, ids, texts, cli input args, settings) of every development set."""
    out = []
    for name in ('sentences.jsonl', 'reposts.jsonl'):
        recs = jsonl(name)
        out.append((name, [r['id'] for r in recs], [r['text'] for r in recs],
                    ['--input', 'jsonl', os.path.join(EVAL, name)], {}))
    guide = os.path.join(EVAL, 'maint-guide')
    files = sorted(os.path.join(guide, f) for f in os.listdir(guide))
    texts = []
    for f in files:
        with open(f, 'rb') as fh:
            texts.append(fh.read())
    # --input files keeps line breaks inside the record
    out.append(('maint-guide', files, texts, ['--input', 'files'] + files, {'keep_lines': True}))
    path = os.path.join(EVAL, 'seed-headlines.txt')
    recs = lines_of(path)
    out.append(('seed-headlines', [str(i + 1) for i in range(len(recs))], recs,
                ['--input', 'lines', path], {}))
    return out


@unittest.skipUnless(HAVE_EVAL, 'no ../shared/eval')
class SameAsCommandLine(unittest.TestCase):
    """The same keys, fingerprints and clusters as the command line."""

    @classmethod
    def setUpClass(cls):
        cls.sets = sets()

    def test_keys(self):
        for name, ids, texts, args, set_ in self.sets:
            with self.subTest(set=name):
                if args[1] == 'jsonl':
                    want = [json.loads(l)['text'] for l in cli('normalize', '--key', *args).splitlines()]
                elif args[1] == 'lines':
                    want = cli('normalize', '--key', *args).split('\n')[:len(texts)]
                else:
                    # files: one key per file, written without a separator
                    want = [cli('normalize', '--key', '--input', 'files', f)[:-1] for f in ids]
                got = hanfold.key_many(texts, **set_)
                self.assertEqual(len(got), len(want))
                self.assertEqual(got, want)
                # one at a time, the same
                self.assertEqual([hanfold.key(t, **set_) for t in texts], want)
                print('keys %s: %d/%d identical' % (name, sum(a == b for a, b in zip(got, want)), len(want)))

    def test_normalize(self):
        for name, ids, texts, args, set_ in self.sets:
            if args[1] != 'jsonl':
                continue
            with self.subTest(set=name):
                want = [json.loads(l)['text'] for l in cli('normalize', *args).splitlines()]
                self.assertEqual(hanfold.normalize_many(texts, **set_), want)

    def test_fingerprints(self):
        for name, ids, texts, args, set_ in self.sets:
            with self.subTest(set=name):
                want = cli('fingerprint', *args).splitlines(keepends=True)
                fps = hanfold.fingerprint_many(texts, **set_)
                got = [fp.row(i) for i, fp in zip(ids, fps)]
                self.assertEqual(got, want)
                # one at a time, and through the binary codec
                for t, fp in zip(texts[:200], fps):
                    self.assertEqual(hanfold.fingerprint(t, **set_), fp)
                    self.assertEqual(hanfold.Fingerprint.from_bytes(bytes(fp)), fp)
                print('fingerprints %s: %d/%d rows identical' % (name, sum(a == b for a, b in zip(got, want)),
                                                                 len(want)))

    def check_clusters(self, name, rows, want):
        self.assertEqual(len(rows), len(want))
        for (i, c, s), w in zip(rows, want):
            self.assertEqual((str(i), str(c)), (w[0], w[1]), name)
            self.assertAlmostEqual(s, float(w[2]), delta=0.0006)

    def test_clusters(self):
        for name, ids, texts, args, set_ in self.sets:
            with self.subTest(set=name):
                want = [l.split('\t') for l in cli('cluster', '--format', 'tsv', *args).splitlines()]
                c = hanfold.Clusterer(**set_)
                for i, t in zip(ids, texts):
                    c.add(i, t)
                self.check_clusters(name, c.clusters(), want)
                # fingerprints made elsewhere, shipped as bytes
                c2 = hanfold.Clusterer()
                for i, fp in zip(ids, hanfold.fingerprint_many(texts, **set_)):
                    c2.add_fingerprint(i, hanfold.Fingerprint.from_bytes(bytes(fp)))
                self.check_clusters(name, c2.clusters(), want)
                single = len({r[1] for r in want})
                # representative linkage, as the command line's
                want = [l.split('\t') for l in
                        cli('cluster', '--format', 'tsv', '--linkage', 'representative', *args).splitlines()]
                c3 = hanfold.Clusterer(linkage='representative', **set_)
                rows = [(i,) + c3.add(i, t) for i, t in zip(ids, texts)]
                self.check_clusters(name, rows, want)
                print('clusters %s: %d records, %d clusters (single linkage), %d (representative), identical' %
                      (name, len(want), single, len({r[1] for r in want})))

    def test_dedup(self):
        for name, ids, texts, args, set_ in self.sets:
            if args[1] != 'jsonl':
                continue
            with self.subTest(set=name):
                want = cli('dedup', *args).splitlines()
                with open(args[2], encoding='utf-8') as f:
                    lines = [l.rstrip('\n') for l in f]
                recs = [dict(json.loads(l), _line=l) for l in lines]
                dropped = []
                got = [r['_line'] for r in hanfold.dedup(recs, dropped=lambda r, k, s: dropped.append(k), **set_)]
                self.assertEqual(got, want)
                self.assertEqual(len(got) + len(dropped), len(recs))
                print('dedup %s: %d kept of %d, identical' % (name, len(got), len(recs)))


class Basics(unittest.TestCase):
    def test_examples(self):
        self.assertEqual(hanfold.normalize('軟體更新了。'), '软体更新了。')
        self.assertEqual(hanfold.key('軟體更新了。'), hanfold.key('软件 更新了'))
        self.assertEqual(list(hanfold.dedup(['軟體更新了。', '软件更新了', '今天天气很好'])),
                         ['軟體更新了。', '今天天气很好'])
        c = hanfold.Clusterer()
        self.assertEqual([c.add(i, t)[0] for i, t in enumerate(['軟體更新了。', '软件更新了', '天气很好'])],
                         [0, 0, 2])
        self.assertEqual(len(c), 3)

    def test_settings_follow_the_command_line(self):
        text = '<p>產(chǎn)業(yè)升級</p>'
        for kw, args in [({}, []), ({'to': 'taiwan'}, ['--to', 'taiwan']), ({'html': False}, ['--no-html']),
                         ({'pinyin_repair': False}, ['--no-pinyin-repair']),
                         ({'drop_furniture': 'none'}, ['--drop-furniture', 'none']),
                         ({'drop_furniture': ['url', 'emoticon']}, ['--drop-furniture', 'url,emoticon'])]:
            want = cli('normalize', *args, data=(text + '\n').encode()).rstrip('\n')
            self.assertEqual(hanfold.normalize(text, **kw), want, kw)
            self.assertEqual(hanfold.Normalizer(**kw).normalize(text), want, kw)

    def test_bytes_and_encodings(self):
        gbk = '軟體更新了'.encode('gb18030')
        self.assertEqual(hanfold.normalize(gbk, encoding='GB18030'), '软体更新了')
        # detection as the command line's (a few bytes are too few to tell)
        page = ('<html><head><meta charset="gbk"></head><body><p>軟體更新了，今天天氣很好。</p></body></html>'
                * 3).encode('gb18030')
        self.assertEqual(hanfold.key(page, encoding='auto'),
                         cli('normalize', '--key', '--encoding', 'auto', '--input', 'files', '/dev/stdin',
                             data=page)[:-1])
        self.assertEqual(hanfold.normalize('软件'.encode()), '软件')
        self.assertEqual(hanfold.normalize(bytearray('软件'.encode())), '软件')
        self.assertEqual(hanfold.normalize(memoryview('软件'.encode())), '软件')
        self.assertEqual(hanfold.normalize_many([b'\xe8\xbd\xaf', '件'], threads=2), ['软', '件'])

    def test_warning_for_what_was_not_kept(self):
        # as the command line says on stderr: HTML nested too deep is flattened
        deep = '<p>前文</p>' + '<b>' * 300 + '中间' + '</b>' * 300 + '<p>后文</p>'
        for call in (lambda: hanfold.normalize(deep, html=True),
                     lambda: hanfold.normalize_many(['x', deep], html=True),
                     lambda: hanfold.key(deep, html=True),
                     lambda: list(hanfold.dedup([deep], html=True))):
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter('always')
                result = call()
            self.assertTrue(result)
            self.assertEqual([w.category for w in got], [hanfold.HanfoldWarning])
            self.assertIn('nested deeper than 256', str(got[0].message))
        self.assertEqual(hanfold.normalize(deep, html=True), '前文。中间。后文')
        with warnings.catch_warnings():
            warnings.simplefilter('error', hanfold.HanfoldWarning)
            self.assertRaises(hanfold.HanfoldWarning, hanfold.normalize_many, [deep], html=True)
            self.assertEqual(hanfold.normalize('<p>浅</p>', html=True), '浅')

    def test_normalizer_pickles(self):
        # pipelines (Dask, multiprocessing, datatrove) ship their steps by pickle
        for kw in ({}, {'to': 'taiwan', 'drop_furniture': 'all', 'keep_lines': True, 'html': True},
                   {'pinyin_repair': False, 'repair_mojibake': True, 'drop_furniture': 'none'},
                   {'script_only': True, 'opencc_config': 't2s'}):
            n = hanfold.Normalizer(**kw)
            back = pickle.loads(pickle.dumps(n))
            self.assertEqual(back.settings(), n.settings())
            self.assertEqual(hanfold.Normalizer(**n.settings()).settings(), n.settings())
            for k, v in kw.items():
                self.assertEqual(n.settings()[k], 'url,location,emoticon,card' if v == 'all' else v)
            for t in ('這個軟體很好用 http://t.cn/R4tpciq', '<p>产(chǎn)业</p>[蜡烛]', '那么這個问题'):
                self.assertEqual(back.normalize(t), n.normalize(t))
                self.assertEqual(back.key(t), n.key(t))

    def test_fingerprint_object(self):
        fp = hanfold.fingerprint('今天天气很好，我们去公园散步吧')
        self.assertIsInstance(fp.simhash, int)
        self.assertTrue(0 <= fp.simhash < 2 ** 64)
        self.assertEqual(fp.key_tokens, fp.key_length)
        self.assertEqual(fp.key_tokens, len(fp.key))
        self.assertEqual(fp.distance(fp), 0)
        back = pickle.loads(pickle.dumps(fp))
        self.assertEqual(back, fp)
        self.assertEqual(back.key, fp.key)
        self.assertEqual(hash(back), hash(fp))
        self.assertIsNone(hanfold.Fingerprint.from_bytes(bytes(fp)).key)
        long_fp = hanfold.fingerprint(''.join(chr(0x4e00 + i * 7 % 5000) for i in range(3000)))
        self.assertIsNone(long_fp.key)  # a long record carries its sketch
        self.assertEqual(hanfold.Fingerprint.from_bytes(bytes(long_fp)), long_fp)
        self.assertEqual(len(long_fp.sketch), 128)

    def test_empty_record_whatever_came_before(self):
        # a fresh context used to give '' a sketch-only fingerprint, one
        # that had seen a record a short one of no tokens
        n = hanfold.Normalizer(to='taiwan')
        first = n.fingerprint('')
        n.fingerprint('x')
        later = n.fingerprint('')
        self.assertEqual(first, later)
        self.assertEqual(bytes(first), bytes(later))
        self.assertEqual(first.row('1'), '1\t0000000000000000\t0\t182cf571daf3a3ae\tk:\n')
        self.assertEqual(first.row('1'), cli('fingerprint', data=b'\n'))

    def test_help_reads_like_the_man_page(self):
        doc = hanfold.__doc__
        self.assertTrue(doc.startswith('hanfold - fold Chinese text'))
        for name in ('normalize', 'key', 'fingerprint', 'normalize_many', 'fingerprint_many', 'dedup',
                     'Clusterer', 'Normalizer', 'Fingerprint'):
            self.assertIn(name, doc)
            self.assertGreater(len(getattr(hanfold, name).__doc__), 100, name)


class BadInput(unittest.TestCase):
    def test_lone_surrogates(self):
        self.assertEqual(hanfold.normalize('a\ud800b'), 'a\ufffdb')
        self.assertEqual(hanfold.key_many(['a\udfffb']), [hanfold.key('a\ufffdb')])
        with self.assertRaises(UnicodeEncodeError):
            hanfold.normalize('a\ud800b', strict=True)

    def test_invalid_bytes(self):
        self.assertEqual(hanfold.normalize(b'a\xffb'), 'a\ufffdb')
        with self.assertRaises(UnicodeDecodeError):
            hanfold.normalize(b'a\xffb', strict=True)
        with self.assertRaises(UnicodeDecodeError):
            hanfold.normalize_many([b'ok', b'a\xffb'], strict=True)
        with self.assertRaises(UnicodeDecodeError):
            hanfold.normalize(b'\x81', encoding='GB18030', strict=True)
        with self.assertRaises(LookupError):
            hanfold.normalize(b'abc', encoding='no-such-charset')
        with self.assertRaises(LookupError):
            hanfold.normalize_many([b'abc'], encoding='no-such-charset')

    def test_nul(self):
        self.assertEqual(hanfold.normalize('a\0b 軟體'), cli('normalize', data=b'a\0b \xe8\xbb\x9f\xe9\xab\x94\n')[:-1])
        hanfold.key('\0' * 1000)
        hanfold.fingerprint('\0')
        hanfold.normalize_many(['\0', 'x\0y'])

    def test_wrong_types(self):
        for bad in (None, 1, 1.5, ['x'], object()):
            with self.assertRaises(TypeError):
                hanfold.normalize(bad)
            with self.assertRaises(TypeError):
                hanfold.fingerprint_many(['ok', bad])
        with self.assertRaises(TypeError):
            hanfold.fingerprint_many(5)
        with self.assertRaises(TypeError):
            hanfold.normalize('x', no_such_option=1)
        with self.assertRaises(TypeError):
            hanfold.normalize('x', encoding='utf-8')  # a str is text already
        with self.assertRaises(TypeError):
            hanfold.Clusterer().add_fingerprint('a', 'not a fingerprint')
        with self.assertRaises(TypeError):
            list(hanfold.dedup([1]))
        with self.assertRaises(TypeError):
            hanfold.dedup(['x'], linkage='single')

    def test_bad_settings(self):
        with self.assertRaisesRegex(ValueError, 'to'):
            hanfold.normalize('x', to='martian')
        with self.assertRaisesRegex(ValueError, 'drop_furniture'):
            hanfold.key('x', drop_furniture='url,bogus')
        with self.assertRaisesRegex(ValueError, 'threshold'):
            hanfold.Clusterer(threshold=1.5)
        with self.assertRaisesRegex(ValueError, 'threads'):
            hanfold.normalize_many(['x'], threads=0)
        with self.assertRaises(ValueError) as cm:
            hanfold.Normalizer(opencc_config='/no/such/config.json')
        self.assertIn('config', str(cm.exception))
        with self.assertRaises(ValueError):
            hanfold.Fingerprint.from_bytes(b'garbage!')
        with self.assertRaises(ValueError):
            hanfold.Fingerprint.from_bytes(b'')

    def test_writable_buffer_read_as_handed_over(self):
        # a bytearray is read as it was when handed over, as bytes would
        # be, not later without the GIL: here the generator rewrites the
        # first record in place (no resize: its buffer is exported) before
        # the batch runs
        ba = bytearray('軟體'.encode())

        def gen():
            yield ba
            ba[:] = '天氣'.encode()
            yield '更新'
        self.assertEqual(hanfold.normalize_many(gen()), ['软体', '更新'])
        ba2 = bytearray('軟體更新了。'.encode())

        def gen2():
            yield ba2
            ba2[:] = '今天天氣很好。'.encode()[:len(ba2)]
            yield '软件更新了'
        # the second duplicates what the first was when handed over
        self.assertEqual(list(hanfold.dedup(gen2())), [ba2])

    def test_bytearray_written_by_another_thread(self):
        # the library checks UTF-8 once and then trusts it: bytes changing
        # under it made 'Invalid or incomplete multibyte' errors (or worse)
        ba = bytearray('今天天气很好'.encode() * 30000)
        stop = threading.Event()

        def write():
            i = 0
            while not stop.is_set():
                ba[i % len(ba)] = (0xff, 0xe4, 0x80, 0x41)[i % 4]
                i += 7
        t = threading.Thread(target=write)
        t.start()
        try:
            for _ in range(10):
                hanfold.normalize_many([ba, ba, ba], threads=2)
                hanfold.key(ba)
                list(hanfold.dedup([ba, {'text': ba}]))
        finally:
            stop.set()
            t.join()

    def test_fifty_megabytes(self):
        text = ('今天天气很好，我们去公园散步。' * 1200000)[:50 * 1024 * 1024 // 3]
        self.assertGreaterEqual(len(text.encode()), 50 * 1024 * 1024 - 3)
        out = hanfold.normalize(text)
        self.assertEqual(len(out), len(text))
        fp = hanfold.fingerprint(text)
        self.assertIsNone(fp.key)  # far over the short limit
        self.assertEqual(hanfold.fingerprint_many([text, 'x'])[0], fp)
        del out, text


class Threads(unittest.TestCase):
    def test_four_threads_at_once(self):
        texts = ['第%d条：軟體更新了，今天天氣很好。<b>粗体</b> 產(chǎn)業(yè)' % i + 'x' * (i % 300) for i in range(400)]
        want_n = [hanfold.normalize(t) for t in texts]
        want_k = [hanfold.key(t, to='taiwan') for t in texts]
        want_f = hanfold.fingerprint_many(texts, threads=1)
        errors = []
        start = threading.Barrier(4)

        def run(n):
            try:
                start.wait()
                for _ in range(3):
                    if n % 2:
                        self.assertEqual([hanfold.normalize(t) for t in texts], want_n)
                        self.assertEqual([hanfold.key(t, to='taiwan') for t in texts], want_k)
                    else:
                        self.assertEqual(hanfold.fingerprint_many(texts, threads=2), want_f)
                        self.assertEqual(hanfold.normalize_many(texts), want_n)
                    c = hanfold.Clusterer()
                    for i, fp in enumerate(want_f):
                        c.add_fingerprint(i, fp)
                    self.assertEqual(len(c.clusters()), len(texts))
            except BaseException as e:  # noqa: B902 - reported below
                errors.append(e)

        ts = [threading.Thread(target=run, args=(n,)) for n in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])


    def test_clusterer_read_while_adding(self):
        # add() runs without the GIL; clusters() and cluster_of() in another
        # thread then read a clusterer being changed (and an ids list one
        # longer than the similarities): refused like a second add()
        fps = hanfold.fingerprint_many(['第%d条 今天天气很好我们去公园散步' % i * 3 for i in range(2000)])
        c = hanfold.Clusterer()
        stop = threading.Event()
        seen = {'rows': 0, 'refused': 0}

        def read():
            while not stop.is_set():
                try:
                    rows = c.clusters()
                    self.assertTrue(all(isinstance(r[2], float) for r in rows))
                    if rows:
                        c.cluster_of(len(rows) - 1)
                    seen['rows'] += 1
                except RuntimeError:
                    seen['refused'] += 1
        t = threading.Thread(target=read)
        t.start()
        try:
            for i, fp in enumerate(fps):
                c.add_fingerprint(i, fp)
        finally:
            stop.set()
            t.join()
        self.assertEqual(len(c.clusters()), len(fps))

    def test_dedup_not_reentered(self):
        # next() on a dedup iterator from the code it runs (the records'
        # iterator, dropped()) or from another thread: refused as a
        # generator refuses, not the chunk and batch reused under it
        d = None
        inner = []

        def gen():
            for i in range(1500):
                if i == 700:
                    try:
                        next(d)
                    except ValueError as e:
                        inner.append(str(e))
                yield '记录 %d 今天天气很好' % i
        d = hanfold.dedup(gen())
        self.assertEqual(len(list(d)), 1500)
        self.assertEqual(inner, ['dedup iterator already executing'])

        def dropped(rec, kept, sim):
            next(d)
        d = hanfold.dedup(['今天天气很好我们去公园散步吧 %d' % (i // 2) for i in range(100)], dropped=dropped)
        with self.assertRaisesRegex(ValueError, 'already executing'):
            list(d)

        d = hanfold.dedup(['第%d条 今天天气很好我们去公园散步' % i * 20 for i in range(20000)], threads=2)
        out, errors = [], []

        def run():
            try:
                out.extend(d)
            except ValueError as e:
                errors.append(e)
        ts = [threading.Thread(target=run) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertTrue(all('already executing' in str(e) for e in errors), errors)

    def test_fork_after_threads(self):
        # a child of fork() has none of the batch's threads: a pooled batch
        # waited for them for ever (multiprocessing's fork workers)
        hanfold.normalize_many(['a', 'b', 'c'], threads=2)
        hanfold.normalize_many(['a', 'b', 'c'])
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            ok = (hanfold.normalize_many(['軟體', '更新'], threads=2) == ['软体', '更新'] and
                  hanfold.normalize_many(['軟體', '更新']) == ['软体', '更新'] and
                  list(hanfold.dedup(['軟體更新了。', '软件更新了'], threads=2)) == ['軟體更新了。'])
            os._exit(0 if ok else 3)
        for _ in range(300):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self.fail('the child of fork() hung in normalize_many')
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)


def rss_kib(field='VmRSS'):
    """Resident memory now (VmRSS) or at its peak (VmHWM), of this process
    image: ru_maxrss survives exec, so a child would report its parent's."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return 0


def flat_child(n):
    """The measurement, in a process of its own so that RSS is the calls'."""
    text = '軟體更新了，今天天氣很好。產(chǎn)業(yè)<b>x</b>'
    data = text.encode('gb18030')
    fp0 = hanfold.fingerprint(text)
    c = hanfold.Clusterer(linkage='representative')

    def calls(k):
        for i in range(k):
            hanfold.normalize(text)
            hanfold.key(data, encoding='GB18030')
            fp = hanfold.fingerprint(text)
            hanfold.Fingerprint.from_bytes(bytes(fp))
            fp.row('id')
            try:
                hanfold.normalize(5)
            except TypeError:
                pass
            try:
                hanfold.normalize(b'\xff', strict=True)
            except UnicodeDecodeError:
                pass
            if i % 100 == 0:
                hanfold.normalize_many([text, data, 'x\ud800'], threads=2)
                list(hanfold.dedup([text, text]))
                c.add_fingerprint(i, fp0)
    calls(2000)  # caches and pools filled
    gc.collect()
    refs = [sys.getrefcount(o) for o in (text, data, fp0)]
    objs = len(gc.get_objects())
    rss0 = rss_kib()
    calls(n)
    gc.collect()
    print(json.dumps({'refs0': refs, 'refs1': [sys.getrefcount(o) for o in (text, data, fp0)],
                      'objs0': objs, 'objs1': len(gc.get_objects()), 'rss0': rss0, 'rss1': rss_kib(),
                      'peak': rss_kib('VmHWM'), 'n': n}))


class Flat(unittest.TestCase):
    """Reference counts and memory flat over 100k calls of each function."""

    def test_100k_calls(self):
        n = 20000 if SANITIZED else 100000
        p = subprocess.run([sys.executable, __file__, '--flat', str(n)], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual(r['refs1'], r['refs0'])
        self.assertLess(abs(r['objs1'] - r['objs0']), 100)
        # the clusterer holds n/100 records; nothing else may grow (under
        # ASan its quarantine of freed memory makes RSS mean nothing)
        if not SANITIZED:
            self.assertLess(r['rss1'] - r['rss0'], 2048, r)
        print('%d calls of each function: RSS %d -> %d KiB, peak RSS %d KiB, refcounts %s -> %s' %
              (n, r['rss0'], r['rss1'], r['peak'], r['refs0'], r['refs1']))

    @unittest.skipIf(SANITIZED, "ASan's quarantine keeps freed memory resident")
    def test_big_record_memory_returned(self):
        # a 50 MB record's buffers are not kept by the pooled contexts
        code = ('import hanfold, sys\n'
                'sys.path[:0] = [%r]\n'
                'from test_hanfold import rss_kib\n'
                'hanfold.normalize("x"); a = rss_kib()\n'
                't = "今天天气很好，我们去公园散步。" * 1200000\n'
                'hanfold.normalize(t); hanfold.fingerprint_many([t]); del t\n'
                'print(rss_kib() - a)\n' % os.path.dirname(os.path.abspath(__file__)))
        p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(int(p.stdout), 64 * 1024, 'KiB kept after a 50 MB record')


if __name__ == '__main__':
    if sys.argv[1:2] == ['--flat']:
        flat_child(int(sys.argv[2]))
    else:
        unittest.main(verbosity=2)
