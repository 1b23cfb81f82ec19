#!/usr/bin/env python3
"""Checks on the DOM Chromium dumped after the report's script ran.

    dom.py all DOM N            the unfiltered page: N clusters shown, diff
                                marks, the script ran, nothing injected ran
    dom.py pick DOM             prints a word of text to filter by
    dom.py filter DOMQ DOM Q    the page loaded with #q=Q shows exactly the
                                clusters whose ids, sources or text (without
                                deletions) contain every word of Q, as
                                computed here from the unfiltered DOM

Exit status 0 when the checks pass; failures are printed."""
import sys
from html.parser import HTMLParser

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}
TITLE = 'hanfold dedup report'


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids = tag, dict(attrs), parent, []

    @property
    def classes(self):
        return (self.attrs.get('class') or '').split()

    def walk(self):
        yield self
        for k in self.kids:
            if isinstance(k, Node):
                yield from k.walk()

    def text(self, skip=lambda n: False):
        out = []
        for k in self.kids:
            if isinstance(k, str):
                out.append(k)
            elif not skip(k):
                out.append(k.text(skip))
        return ''.join(out)


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node('#document', [], None)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, d):
        self.cur.kids.append(d)


def load(path):
    t = Tree()
    t.feed(open(path, encoding='utf-8').read())
    t.close()
    return t.root


def clusters(root):
    return [n for n in root.walk() if n.tag == 'section' and 'cl' in n.classes]


def find(root, pred):
    return next((n for n in root.walk() if pred(n)), None)


def haystack(sec):
    """What the page's filter searches: ids, sources, the representative's
    text and the members' diffs without deletions and elision markers."""
    skip = lambda n: n.tag == 'del' or 'skip' in n.classes
    parts = [n.text(skip) for n in sec.walk() if set(n.classes) & {'id', 'src', 'body', 'diff'}]
    return '\n'.join(parts).lower()


def check_all(path, want):
    root, bad = load(path), []
    html = find(root, lambda n: n.tag == 'html')
    title = find(root, lambda n: n.tag == 'title')
    secs = clusters(root)
    if title is None or title.text() != TITLE:
        bad.append('title changed: %r (an injected script ran?)' % (title.text() if title else None))
    if 'data-pwned' in html.attrs:
        bad.append('data-pwned=%r: an injected script or handler ran' % html.attrs['data-pwned'])
    if html.attrs.get('data-shown') != str(want):
        bad.append('the filter script did not run or counted %r clusters, want %d' % (html.attrs.get('data-shown'), want))
    bar = find(root, lambda n: n.attrs.get('id') == 'filterbar')
    if bar is None or 'hidden' in bar.attrs:
        bad.append('filter box not shown')
    if len(secs) != want:
        bad.append('%d cluster sections, the report has %d' % (len(secs), want))
    if any('hidden' in s.attrs for s in secs):
        bad.append('clusters hidden without a query')
    shown = find(root, lambda n: n.attrs.get('id') == 'shown')
    if shown is None or shown.text() != '%d clusters' % want:
        bad.append('counter says %r' % (shown.text() if shown else None))
    nins = sum(1 for s in secs for n in s.walk() if n.tag == 'ins')
    ndel = sum(1 for s in secs for n in s.walk() if n.tag == 'del')
    if not nins or not ndel:
        bad.append('diff marks missing: %d <ins>, %d <del>' % (nins, ndel))
    scripts = [n for n in root.walk() if n.tag == 'script']
    if len(scripts) != 1:
        bad.append('%d <script> elements, want only the page\'s own' % len(scripts))
    if any(n.tag in ('img', 'iframe', 'object', 'embed', 'link', 'style') and n.parent.tag != 'head' for n in root.walk()):
        bad.append('an element injected from the input')
    handlers = [(n.tag, a) for n in root.walk() for a in n.attrs if a.startswith('on')]
    if handlers:
        bad.append('event handler attributes: %r' % handlers[:5])
    texts = ''.join(s.text() for s in secs)
    for shown_literally in ("<script>document.title='pwned'", '<img src=x onerror=', '&amp; </textarea>',
                            '"><img src=x onerror="document.title'):
        if shown_literally not in texts:
            bad.append('injected text %r not shown as text' % shown_literally)
    for b in bad:
        print('FAIL', b)
    print('%d clusters, %d <ins>, %d <del>, %d problems' % (len(secs), nins, ndel, len(bad)))
    return not bad


def pick(path):
    secs = clusters(load(path))
    body = find(secs[-1], lambda n: 'body' in n.classes).text()
    words = [w for w in body.split() if len(w) >= 12]
    print(words[0][4:10] if words else body.strip()[:4])
    return True


def check_filter(path, all_path, q):
    root, bad = load(path), []
    terms = q.lower().split()
    want = [all(t in haystack(s) for t in terms) for s in clusters(load(all_path))]
    secs = clusters(root)
    got = ['hidden' not in s.attrs for s in secs]
    n = sum(want)
    html = find(root, lambda n: n.tag == 'html')
    if got != want:
        bad.append('shown %r, want %r' % (got, want))
    if html.attrs.get('data-shown') != str(n):
        bad.append('data-shown %r, want %d' % (html.attrs.get('data-shown'), n))
    shown = find(root, lambda n: n.attrs.get('id') == 'shown')
    if shown is None or shown.text() != '%d of %d clusters match' % (n, len(secs)):
        bad.append('counter says %r' % (shown.text() if shown else None))
    if q.startswith('zzzz') and n:
        bad.append('a query matching nothing matched')
    if not q.startswith('zzzz') and not n:
        bad.append('the query matched nothing; want at least one cluster')
    for b in bad:
        print('FAIL filter %r: %s' % (q, b))
    print('filter %r: %d of %d clusters shown%s' % (q, sum(got), len(secs), ', ok' if not bad else ''))
    return not bad


if __name__ == '__main__':
    mode = sys.argv[1]
    ok = (check_all(sys.argv[2], int(sys.argv[3])) if mode == 'all'
          else pick(sys.argv[2]) if mode == 'pick'
          else check_filter(sys.argv[2], sys.argv[3], sys.argv[4]))
    sys.exit(0 if ok else 1)
