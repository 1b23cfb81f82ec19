#!/bin/sh
# report --format html: the page is produced and self-contained, carries the
# summary, escapes everything taken from the input, is deterministic, and
# its diffs are correct (an oracle rebuilds every member's normalized text
# from the page and compares it with `hanfold normalize`).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD
SRC=${SRCDIR:-$(dirname "$0")/../..}

# ---- the example: page produced, summary numbers ------------------------------------------
"$H" report --format html "$SRC/data/example.txt" > "$TMP/ex.html"
check "example: exit 0" [ $? -eq 0 ]
check "example: a whole page" sh -c "head -c 15 '$TMP/ex.html' | grep -q '<!DOCTYPE html>' && tail -n 1 '$TMP/ex.html' | grep -q '^</html>\$'"
"$H" report --format json "$SRC/data/example.txt" > "$TMP/ex.json"
python3 - "$TMP/ex.json" > "$TMP/want" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(r['records'], r['clusters'], r['duplicate_records'], r['duplicate_bytes'], len(r['groups']), r['schema'])
PY
read records clusters duprec dupbytes groups schema < "$TMP/want"
check "example: 12 records, 8 clusters, 4 duplicates, 355 bytes (json agrees)" [ "$records $clusters $duprec $dupbytes $groups" = "12 8 4 355 4" ]
for f in "n-records:$records" "n-clusters:$clusters" "n-duplicate-records:$duprec" "n-duplicate-bytes:$dupbytes" "n-groups:$groups"; do
    check "example: summary shows ${f%%:*} = ${f#*:}" grep -q "id=\"${f%%:*}\" data-n=\"${f#*:}\">" "$TMP/ex.html"
done
check "example: records shown as a number" grep -q '<dd id="n-records" data-n="12">12</dd>' "$TMP/ex.html"
check "example: one section per cluster of two or more" [ "$(grep -o '<section class="cl"' "$TMP/ex.html" | wc -l)" -eq "$groups" ]
check "example: versions and schema" sh -c "grep -q '<dd id=\"version\">0\\.' '$TMP/ex.html' && grep -qF '$schema' '$TMP/ex.html'"
check "example: thresholds" grep -q '<b>0.80</b> &middot; long texts <b>0.70</b>' "$TMP/ex.html"
check "example: input names" grep -qF '<bdi class="mono">'"$SRC/data/example.txt"'</bdi>' "$TMP/ex.html"
check "example: a histogram with the threshold marked" sh -c "grep -q '<svg viewBox' '$TMP/ex.html' && grep -q 'threshold 0.80</text>' '$TMP/ex.html'"
check "example: diff marks" sh -c "grep -q '<ins>IDC:2024</ins>' '$TMP/ex.html' && grep -q '<del>了</del>' '$TMP/ex.html'"
check "example: filter box" grep -q '<input id="q" type="search"' "$TMP/ex.html"

# self-contained: no resource from anywhere else
check "no http:// or https:// anywhere" sh -c "! grep -qi 'https\\?://' '$TMP/ex.html'"
check "no src=, no <link>, no url(), no @import" sh -c "! grep -qiE ' src=|<link|url\\(|@import|<iframe|<object|<embed' '$TMP/ex.html'"
check "every href is a fragment" sh -c "! grep -oE 'href=\"[^\"]*\"' '$TMP/ex.html' | grep -v 'href=\"#'"
check "one script, inline" [ "$(grep -o '<script' "$TMP/ex.html" | wc -l)" -eq 1 ]
# the Content-Security-Policy allows exactly that script, by its hash
python3 - "$TMP/ex.html" > "$TMP/csp" <<'PY'
import base64, hashlib, re, sys
page = open(sys.argv[1], encoding='utf-8').read()
script = re.search(r'<script>(.*?)</script>', page, re.S).group(1)
want = "script-src 'sha256-%s'" % base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1)
print('ok' if want in csp and "default-src 'none'" in csp else 'CSP %r lacks %r' % (csp, want))
PY
expect "CSP carries the script's hash (update script_hash in report_html.c)" 0 ok -- cat "$TMP/csp"

# deterministic, whatever the number of threads
"$H" report --format html --threads 1 "$SRC/data/example.txt" > "$TMP/ex1.html"
"$H" report --format html --threads 4 "$SRC/data/example.txt" > "$TMP/ex4.html"
check "deterministic across runs and thread counts" sh -c "cmp -s '$TMP/ex.html' '$TMP/ex1.html' && cmp -s '$TMP/ex.html' '$TMP/ex4.html'"

# ---- escaping: ids, sources and texts are untrusted ---------------------------------------
cat > "$TMP/evil.txt" <<'X'
<script>alert(1)</script>今天天气很好，我们一起去公园散步吧
<script>alert(1)</script>今天天气很好，我们一起去公园散步吧！
"><img src=x onerror=alert(1)>民间故事：水分和水平的故事很长很长
"><img src=x onerror=alert(1)>民间故事：水分和水平的故事很长很长啊
&amp; </textarea> 英特尔AI加速器Gaudi3下周发布，挑战NVIDIA统治地位
&amp; </textarea> 英特尔AI加速器Gaudi3下周发布，挑战NVIDIA统治地位！
' onmouseover='alert(1)' x='</style><style>body{display:none}</style>重庆力争今年产量突破一百万辆
' onmouseover='alert(1)' x='</style><style>body{display:none}</style>重庆力争今年产量突破一百万辆了
X
"$H" report --format html --no-html "$TMP/evil.txt" > "$TMP/evil.html"
cat > "$TMP/\"><img src=x onerror=alert(1)>.jsonl" <<'X'
{"id": "<script>alert(1)</script>", "text": "转发：真·AI程序员来了，阿里云通义灵码全面进化，全流程开发仅用几分钟"}
{"id": "\"><img src=x onerror=alert(1)>", "text": "真·AI程序员来了，阿里云通义灵码全面进化，全流程开发仅用几分钟"}
{"id": "&amp;</textarea>", "text": "真·AI程序员来了，阿里云通义灵码全面进化，全流程开发仅用几分钟！"}
X
"$H" report --format html --input jsonl "$TMP/\"><img src=x onerror=alert(1)>.jsonl" > "$TMP/evil2.html"
cat "$TMP/evil.html" "$TMP/evil2.html" > "$TMP/evil-all.html"
check "escaping: the injected texts are in clusters" [ "$(grep -o '<section class="cl"' "$TMP/evil.html" | wc -l)" -eq 4 ]
check "escaping: the injected ids are in a cluster" [ "$(grep -o '<section class="cl"' "$TMP/evil2.html" | wc -l)" -eq 1 ]
check "escaping: no unescaped <script>alert" sh -c "! grep -q '<script>alert' '$TMP/evil-all.html'"
check "escaping: no <img src=x" sh -c "! grep -qi '<img' '$TMP/evil-all.html'"
check "escaping: no raw </textarea>" sh -c "! grep -q '</textarea>' '$TMP/evil-all.html'"
check "escaping: no injected <style>" sh -c "! grep -q '</style><style>' '$TMP/evil-all.html'"
check "escaping: no raw attribute injection" sh -c "! grep -q \"onmouseover='alert\" '$TMP/evil-all.html'"
check "escaping: one <script> per page" [ "$(grep -o '<script' "$TMP/evil-all.html" | wc -l)" -eq 2 ]
check "escaping: texts shown escaped" sh -c "grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' '$TMP/evil.html' && grep -qF '&amp;amp; &lt;/textarea&gt;' '$TMP/evil.html' && grep -qF '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' '$TMP/evil.html' && grep -qF '&#39; onmouseover=&#39;alert(1)&#39;' '$TMP/evil.html'"
check "escaping: ids shown escaped" sh -c "grep -qF '<bdi class=\"id\">&lt;script&gt;alert(1)&lt;/script&gt;</bdi>' '$TMP/evil2.html' && grep -qF '<bdi class=\"id\">&amp;amp;&lt;/textarea&gt;</bdi>' '$TMP/evil2.html'"
check "escaping: source file name shown escaped" grep -qF '<bdi class="src">'"$TMP"'/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.jsonl</bdi>' "$TMP/evil2.html"
check "escaping: input names escaped" grep -qF '/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.jsonl</bdi></li>' "$TMP/evil2.html"

# invalid UTF-8 and control characters never reach the page
printf '坏字节\377\376和控制\001字符的一行文字很长很长\n坏字节\377\376和控制\001字符的一行文字很长很长！\n' > "$TMP/bytes.txt"
"$H" report --format html --no-html "$TMP/bytes.txt" > "$TMP/bytes.html" 2>/dev/null
check "page is valid UTF-8 without C0 controls" python3 -c "
import re, sys
t = open(sys.argv[1], 'rb').read().decode('utf-8')
sys.exit(1 if re.search('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', t) else 0)" "$TMP/bytes.html"

# ---- diff oracle: rebuild each member from the page ---------------------------------------
# Page parser: every cluster's representative (id, whole text) and members
# (id, diff segments).  Rebuilding the representative from equal+deleted
# segments and the member from equal+inserted ones (elided stretches taken
# from the representative) must give both normalized texts exactly.
cat > "$TMP/oracle.py" <<'PY'
import re, sys
from html.parser import HTMLParser
VOID = {'meta', 'input', 'br', 'img', 'hr', 'link', 'wbr'}
class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.st, self.cl = [], []
    def inside(self, tag, c=None):
        return any(t == tag and (c is None or c in cl) for t, cl in self.st)
    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get('class') or '').split()
        if tag not in VOID:
            self.st.append((tag, cls))
        if tag == 'section' and 'cl' in cls:
            self.cl.append({'rep_id': '', 'rep': '', 'members': []})
        elif tag == 'li' and self.inside('ol', 'ms'):
            self.cl[-1]['members'].append({'id': '', 'segs': [], 'same': False})
        elif tag == 'span' and 'same' in cls:
            self.cl[-1]['members'][-1]['same'] = True
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.st or self.st[-1][0] != tag:
            raise SystemExit('unbalanced </%s> in %r' % (tag, self.st[-3:]))
        self.st.pop()
    def handle_data(self, d):
        if not self.cl:
            return
        c = self.cl[-1]
        if self.inside('bdi', 'id'):
            if self.inside('div', 'rep'):
                c['rep_id'] += d
            else:
                c['members'][-1]['id'] += d
        elif self.inside('div', 'rep') and self.inside('div', 'body'):
            c['rep'] += d
        elif self.inside('div', 'diff'):
            k = ('skipdel' if self.inside('del') else 'skip') if self.inside('span', 'skip') else 'del' if self.inside('del') else 'ins' if self.inside('ins') else 'eq'
            segs = c['members'][-1]['segs']
            if segs and segs[-1][0] == k:
                segs[-1][1] += d
            else:
                segs.append([k, d])

def rebuild(rep, segs):
    pos, mem = 0, []
    for k, t in segs:
        if k in ('skip', 'skipdel'):
            n = int(re.sub(r'\D', '', t))
            if k == 'skip':
                mem.append(rep[pos:pos + n])
            pos += n
        elif k in ('eq', 'del'):
            if rep[pos:pos + len(t)] != t:
                raise ValueError('%s segment %r does not match the representative at %d' % (k, t[:40], pos))
            pos += len(t)
            if k == 'eq':
                mem.append(t)
        else:
            mem.append(t)
    if pos != len(rep):
        raise ValueError('representative not consumed: %d of %d' % (pos, len(rep)))
    return ''.join(mem)

page = Page()
page.feed(open(sys.argv[1], encoding='utf-8').read())
page.close()
norm = open(sys.argv[2], encoding='utf-8').read().split('\n')
bad = members = skips = marks = 0
for c in page.cl:
    rid = int(c['rep_id'])
    if c['rep'] != norm[rid - 1]:
        print('cluster of %d: representative text differs' % rid); bad += 1
    for m in c['members']:
        members += 1
        want = norm[int(m['id']) - 1]
        try:
            got = c['rep'] if m['same'] else rebuild(c['rep'], m['segs'])
        except ValueError as e:
            print('member %s: %s' % (m['id'], e)); bad += 1; continue
        if got != want:
            print('member %s: rebuilt text differs' % m['id']); bad += 1
        skips += sum(k == 'skip' for k, _ in m['segs'])
        marks += sum(k in ('ins', 'del') for k, _ in m['segs'])
print('clusters %d members %d skips %d marks %d bad %d' % (len(page.cl), members, skips, marks, bad))
PY
# short texts with random edits, long ones (the chunked diff, elided
# context), identical copies
python3 - > "$TMP/edits.txt" <<'PY'
import random
random.seed(6)
pool = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严'
punct = '，。、；：！？'
def text(n):
    out = []
    while len(out) < n:
        out.extend(random.choice(pool) for _ in range(random.randint(5, 25)))
        out.append(random.choice(punct))
    return ''.join(out[:n])
def edit(s, k):
    s = list(s)
    for _ in range(k):
        i = random.randrange(len(s))
        op = random.randrange(3)
        if op == 0: s.insert(i, random.choice(pool))
        elif op == 1: del s[i]
        else: s[i] = random.choice(pool)
    return ''.join(s)
lines = []
for _ in range(40):
    base = text(random.randint(40, 90))
    lines.append(base)
    for _ in range(random.randint(1, 3)):
        lines.append(edit(base, random.randint(0, 2)))
    lines.append(text(50))                      # unrelated
for _ in range(4):                              # long: chunked diff and elision
    base = text(random.randint(24000, 30000))
    lines.append(base)
    lines.append('转载：' + edit(base, 30) + '（完）')
    lines.append(base[:5000] + base[6000:])     # a passage dropped
for _ in range(3):                              # medium: whole character diff, elided
    base = text(3000)
    lines.append(base)
    lines.append(edit(base, 8))
lines.append(lines[0])                          # identical copy
random.shuffle(lines)
print('\n'.join(lines))
PY
"$H" normalize "$TMP/edits.txt" > "$TMP/edits.norm"
"$H" report --format html "$TMP/edits.txt" > "$TMP/edits.html"
python3 "$TMP/oracle.py" "$TMP/edits.html" "$TMP/edits.norm" > "$TMP/oracle.out" 2>&1
check "diff oracle: every member rebuilt exactly ($(tail -n 1 "$TMP/oracle.out"))" sh -c "tail -n 1 '$TMP/oracle.out' | grep -q 'bad 0\$' && ! grep -q ' skips 0 \| marks 0 ' '$TMP/oracle.out'"
[ "$fails" -eq 0 ] || head -n 20 "$TMP/oracle.out"
# the example too (short texts, no elision)
"$H" normalize "$SRC/data/example.txt" > "$TMP/ex.norm"
python3 "$TMP/oracle.py" "$TMP/ex.html" "$TMP/ex.norm" > "$TMP/oracle-ex.out" 2>&1
check "diff oracle on the example" grep -q '^clusters 4 members 4 .* bad 0$' "$TMP/oracle-ex.out"

# ---- scale: 1000 clusters, and 1 MB records (not quadratic) -------------------------------
if [ -n "$SLOW_OK" ]; then
    python3 - > "$TMP/many.txt" <<'PY'
import random
random.seed(7)
pool = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种'
for i in range(1000):
    base = ''.join(random.choice(pool) for _ in range(60)) + '第%d条' % i
    print(base); print('转发：' + base); print(base + '！')
PY
    start=$(date +%s)
    "$H" report --format html "$TMP/many.txt" > "$TMP/many.html"
    took=$(( $(date +%s) - start ))
    check "1000 clusters: 1000 sections (${took}s)" [ "$(grep -o '<section class="cl"' "$TMP/many.html" | wc -l)" -eq 1000 ]
    python3 - > "$TMP/mega.txt" <<'PY'
import random
random.seed(8)
pool = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)] + ['，'] * 40 + ['。'] * 20
base = [random.choice(pool) for _ in range(350000)]          # ~1 MB of UTF-8
a = ''.join(base)
b = list(base)
for i in range(0, len(b), 20000):
    b[i] = '改'
print(a); print('转载' + ''.join(b)); print(''.join(random.choice(pool) for _ in range(350000)))
PY
    start=$(date +%s)
    "$H" report --format html "$TMP/mega.txt" > "$TMP/mega.html"
    status=$?
    took=$(( $(date +%s) - start ))
    check "1 MB records: report in bounded time (${took}s), status $status" sh -c "[ $status -eq 0 ] && [ $took -lt 120 ]"
    check "1 MB records: one cluster, diffed, long stretches elided" sh -c "[ \$(grep -o '<section class=\"cl\"' '$TMP/mega.html' | wc -l) -eq 1 ] && grep -q '<ins>改</ins>' '$TMP/mega.html' && grep -q 'class=\"skip\"' '$TMP/mega.html'"
    check "1 MB records: page stays small (the member is not repeated whole)" [ "$(wc -c < "$TMP/mega.html")" -lt 1600000 ]
fi

done_cases
