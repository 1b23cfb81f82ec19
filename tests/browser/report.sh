#!/bin/sh
# The HTML report in a real browser (headless Chromium): the project's five
# pages (tests/browser/pages), the seed pages of ../shared/seeds when that
# folder exists, edited reposts of the five (a prefix added, paragraphs
# dropped, converted to traditional script, words changed) and two reposts
# whose file names and text carry script injections.  Checks the DOM after
# the page's own script ran (chromium --dump-dom): one section per cluster,
# diff marks, the filter (driven through #q=... in the address) hides what
# does not match, nothing injected ran; and saves a screenshot.
# Skips (77) without chromium.
set -u
: "${HANFOLD:?HANFOLD must point at the built program}"
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/../../../shared}
OUTDIR=${BUILDDIR:-.}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
    echo "skip: chromium not installed"; exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-browser.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { fails=$((fails + 1)); echo "FAIL $*"; }

# ---- the input -------------------------------------------------------------------------------
IN=$TMP/in
mkdir -p "$IN"
cp "$HERE"/pages/*.txt "$IN"/
if ls "$SHARED"/seeds/*.txt > /dev/null 2>&1; then
    for f in "$SHARED"/seeds/*.txt; do cp "$f" "$IN/seed-$(basename "$f")"; done
fi
set -- "$HERE"/pages/*.txt
s0=$1; s1=${2:-$1}; s2=${3:-$1}; s3=${4:-$1}; s4=${5:-$1}
{ printf '转载自某科技网站，原文如下：\n'; cat "$s0"; } > "$IN/repost-prefix.txt"
awk 'NR != 3 && NR != 5' "$s1" > "$IN/repost-dropped.txt"
if command -v opencc > /dev/null; then
    opencc -c s2t -i "$s2" -o "$IN/repost-s2t.txt"
else
    { cat "$s2"; printf '\n（转载）\n'; } > "$IN/repost-s2t.txt"
fi
sed 's/视频/影片/g; s/OpenAI/开放人工智能/' "$s3" > "$IN/repost-edit.txt"
{ printf '<p>本文转载自网络</p>'; cat "$s4"; } > "$IN/repost-html.txt"
# injections: in a file name (the record's id) and, as HTML entities that
# markup decodes, in the normalized text
{ cat "$s1"; printf '\n编者按：本文有删改。\n'; } > "$IN/\"><img src=x onerror=\"document.title='pwned';window.PWNED=1\">.txt"
mkdir -p "$IN/<script>document.title='pwned';document.documentElement.dataset.pwned=1<"
{
    printf '<html><body><pre>'
    sed 's/&/\&amp;/g; s/</\&lt;/g' "$s3"
    printf '</pre><p>&lt;script&gt;document.title=%s;document.documentElement.dataset.pwned=2&lt;/script&gt;' "'pwned'"
    printf '&lt;img src=x onerror="document.documentElement.dataset.pwned=3"&gt; &amp;amp; &lt;/textarea&gt;</p></body></html>\n'
} > "$IN/<script>document.title='pwned';document.documentElement.dataset.pwned=1</script>.html"

REPORT=$TMP/report.html
set -- "$IN"/*.txt "$IN"/*/*.html
if ! "$HANFOLD" report --format html --input files "$@" > "$REPORT" ||
   ! "$HANFOLD" report --format json --input files "$@" > "$TMP/report.json"; then
    echo "FAIL hanfold report"; exit 1
fi
groups=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['groups']))" "$TMP/report.json")
echo "clusters of two or more: $groups"
[ "$groups" -ge 4 ] || fail "expected at least 4 clusters from the seeds and their reposts, got $groups"

# ---- the browser ---------------------------------------------------------------------------
# chromium --headless OUTPUT-FLAG URL: a fresh profile each time, no network
# services; killed after 120 s.
run=0
browse() {
    run=$((run + 1))
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars \
        --user-data-dir="$TMP/profile$run" "$@" 2>> "$TMP/chromium.log"
}
url="file://$REPORT"

browse --dump-dom "$url" > "$TMP/dom-all.html" || fail "chromium --dump-dom failed: $(tail -n 5 "$TMP/chromium.log")"
python3 "$HERE/dom.py" all "$TMP/dom-all.html" "$groups" || fails=$((fails + 1))

# the filter: an id, a piece of text, two words, nothing; the expected
# count is computed from the unfiltered DOM by dom.py
term=$(python3 "$HERE/dom.py" pick "$TMP/dom-all.html")
for q in repost-s2t "$term" "马拉松 转载" zzzz-no-such-text; do
    enc=$(python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$q")
    browse --dump-dom "$url#q=$enc" > "$TMP/dom-q.html" || fail "chromium --dump-dom #q=$q"
    python3 "$HERE/dom.py" filter "$TMP/dom-q.html" "$TMP/dom-all.html" "$q" || fails=$((fails + 1))
done

# a screenshot for people: the summary, the histogram and the first clusters
shot=$OUTDIR/report-html.png
rm -f "$shot"
browse --window-size=1280,2600 --screenshot="$shot" "$url" > /dev/null || fail "chromium --screenshot"
if [ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]; then
    echo "screenshot: $shot"
    cp "$REPORT" "$OUTDIR/report-html-seeds.html"
else
    fail "no PNG screenshot at $shot"
fi

[ "$fails" -eq 0 ] && echo "browser checks passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
