#!/bin/sh
# hanfold normalize: golden cases (tests/golden/normalize.tsv), record modes,
# options, and the filter's manners.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

# Golden cases: input TAB expected, one per line; \n in a field is a newline.
n=0
while IFS='	' read -r input want; do
    case "$input" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    IN=$(printf '%b' "$input") expect "golden $n: $input" 0 "$(printf '%b' "$want")" -- "$H" normalize
done < "$SRCDIR/tests/golden/normalize.tsv"
unset IN

while IFS='	' read -r input want; do
    case "$input" in ''|'#'*) continue ;; esac
    IN=$(printf '%b' "$input") expect "key: $input" 0 "$want" -- "$H" normalize --key
done < "$SRCDIR/tests/golden/key.tsv"
unset IN

# targets
IN='软件和程序员' expect "to taiwan" 0 '軟件和程序員' -- "$H" normalize --to taiwan
# a character the unicode stage drops does not hide a reading from the
# repair: normalizing once and twice give the same text (and the same key)
IN=$(printf '產\016(chǎn)業，網\342\200\213(wǎng)頁') expect "reading after an invisible character" 0 '产业，网页' -- "$H" normalize
IN='产业，网页' expect "... which is a fixed point" 0 '产业，网页' -- "$H" normalize
IN=$(printf '產\016(chǎn)業') expect "... and the key" 0 '产业' -- "$H" normalize --key
IN='发展' expect "to traditional" 0 '發展' -- "$H" normalize --to traditional
IN='后面' expect "to traditional: neutral characters converted too" 0 '後面' -- "$H" normalize --to traditional
IN='「引號」' expect "to traditional keeps corner brackets" 0 '「引號」' -- "$H" normalize --to traditional
IN='软件' expect "opencc config s2twp" 0 '軟體' -- "$H" normalize --opencc-config s2twp
IN='软件' expect "opencc config by path" 0 '軟體' -- "$H" normalize --opencc-config "$(dirname "$(find /usr/share/opencc -name s2twp.json | head -1)")/s2twp.json"
IN='x' expect "missing opencc config" 2 '' -- "$H" normalize --opencc-config /nonexistent/x.json

# security: stray OpenCC files in the working directory change nothing
# (OpenCC 1.1.6 looks there first for configs and dictionaries)
if command -v opencc_dict >/dev/null; then
    mkdir "$TMP/stray"
    printf '漢\t汗\n' > "$TMP/stray/TSCharacters.txt"
    opencc_dict -i "$TMP/stray/TSCharacters.txt" -o "$TMP/stray/TSCharacters.ocd2" -f text -t ocd2
    echo garbage > "$TMP/stray/TSPhrases.ocd2"
    echo '{"name": "stray"}' > "$TMP/stray/tw2s.json"
    cp "$TMP/stray/tw2s.json" "$TMP/stray/t2s.json"
    expect "stray OpenCC files in the working directory are ignored" 0 '汉字发展' -- \
        sh -c "cd '$TMP/stray' && echo '漢字發展' | '$H' normalize"
    expect "stray files ignored with --opencc-config NAME" 0 '汉字' -- \
        sh -c "cd '$TMP/stray' && echo '漢字' | '$H' normalize --opencc-config t2s"
    # results do not depend on the environment (issue 25): the variable that
    # once named the OpenCC directory is not read; --opencc-dir is, and an
    # index records it
    cp "$TMP/stray/TSCharacters.ocd2" "$TMP/stray/TSPhrases.ocd2"
    printf '{"name":"x","segmentation":{"type":"mmseg","dict":{"type":"ocd2","file":"TSPhrases.ocd2"}},"conversion_chain":[{"dict":{"type":"ocd2","file":"TSCharacters.ocd2"}}]}\n' > "$TMP/stray/t2s.json"
    expect "HANFOLD_OPENCC_DIR is not read" 0 '汉字' -- \
        sh -c "echo '漢字' | HANFOLD_OPENCC_DIR='$TMP/stray' '$H' normalize --opencc-config t2s"
    expect "--opencc-dir is" 0 '汗字' -- \
        sh -c "echo '漢字' | '$H' normalize --opencc-dir '$TMP/stray' --opencc-config t2s"
    echo '漢字' | "$H" dedup --index "$TMP/odix" --opencc-config t2s > /dev/null
    expect "an index made with another --opencc-dir is refused" 2 '' -- \
        sh -c "echo '漢字' | '$H' dedup --index '$TMP/odix' --opencc-dir '$TMP/stray' --opencc-config t2s"
fi
expect "--posting-cap out of range is refused" 2 '' -- "$H" cluster --posting-cap 2001 /dev/null
expect "--verify-budget 0 is refused" 2 '' -- "$H" cluster --verify-budget 0 /dev/null

# record modes
IN='{"id": 7, "text": "漢字", "n": 1.10, "o": {"text": "x"}}' \
    expect "jsonl: only the text value changes" 0 '{"id": 7, "text": "汉字", "n": 1.10, "o": {"text": "x"}}' -- "$H" normalize --input jsonl
IN='{"body":"著作","text":"x"}' expect "jsonl text-field" 0 '{"body":"著作","text":"x"}' -- "$H" normalize --input jsonl --text-field body
IN='{"text":"a\"b\u00e9\n"}' expect "jsonl escapes" 0 '{"text":"a\"bé"}' -- "$H" normalize --input jsonl
IN=$(printf '第一段\n第二行\n\n\n第二段') expect "paragraphs" 0 "$(printf '第一段\n第二行\n\n第二段')" -- "$H" normalize --input paragraphs
printf '甲\0乙' > "$TMP/nul"
expect "null records" 0 "$(printf '甲\0乙' | tr '\0' '|')" -- sh -c "'$H' normalize --input null < '$TMP/nul' | tr '\0' '|'"
printf '臺灣\n' > "$TMP/f1"; printf '<p>網頁</p>\n' > "$TMP/f2"
expect "files" 0 "$(printf '台湾\n网页')" -- "$H" normalize --input files "$TMP/f1" "$TMP/f2"

# HTML handling
IN='<p>a&amp;b</p><script>x()</script>' expect "html detected" 0 'a&b' -- "$H" normalize
IN='<p>a&amp;b</p>' expect "no-html" 0 '<p>a&amp;b</p>' -- "$H" normalize --no-html
IN='<有一种喜欢，叫做思念成疾>' expect "not html" 0 '<有一种喜欢，叫做思念成疾>' -- "$H" normalize
# block ends stay a boundary when a record's lines are joined (seed 004:
# a heading ran into its paragraph); a dropped block (the notice) leaves
# one; the key is that of the words alone
BLK='<h2>中国大厂集体“屏蔽”Sora</h2><p class="notice">注意</p><p>在AI的长河里</p><ul><li>苹果</li><li>香蕉</li></ul>'
IN=$BLK expect "html blocks joined with a full stop" 0 '中国大厂集体“屏蔽”Sora。在AI的长河里。苹果。香蕉' -- "$H" normalize
IN=$BLK expect "html blocks: normalizing twice is once" 0 '中国大厂集体“屏蔽”Sora。在AI的长河里。苹果。香蕉' -- \
    sh -c "'$H' normalize | '$H' normalize"
IN=$BLK expect "html blocks: key of the words" 0 "$(printf '中国大厂集体屏蔽Sora在AI的长河里苹果香蕉\n' | "$H" normalize --key)" -- "$H" normalize --key
IN='<h2>标题：</h2><p>正文。</p><p>Hello</p><p>world</p>' expect "html blocks: punctuation and spaces already separate" 0 '标题：正文。Hello world' -- "$H" normalize
printf '<h2>屏蔽Sora</h2><p>在AI</p>\n' > "$TMP/f3"
expect "html blocks: files keep their lines" 0 "$(printf '屏蔽Sora\n在AI')" -- "$H" normalize --input files "$TMP/f3"
IN='屏蔽Sora 在AI' expect "plain text: no block ends" 0 '屏蔽Sora在AI' -- "$H" normalize
IN='plain & text' expect "forced html" 0 'plain & text' -- "$H" normalize --html

# line preservation: as many lines out as in, terminator as read
printf 'a\n\nb' > "$TMP/lines"
expect "no final newline kept" 0 "$(printf 'a\n\nb' | od -c)" -- sh -c "'$H' normalize '$TMP/lines' | od -c"
printf 'a\r\nb\r\n' > "$TMP/crlf"
expect "crlf lines" 0 "$(printf 'a\nb\n' | od -c)" -- sh -c "'$H' normalize '$TMP/crlf' | od -c"

# idempotence on the seeds and the dev sets, when present
for f in "$SHARED"/seeds/* "$SHARED"/eval/seed-headlines.txt "$SHARED"/eval/gsd-trad-simp.tsv; do
    [ -f "$f" ] || continue
    "$H" normalize "$f" > "$TMP/once" 2>/dev/null
    "$H" normalize "$TMP/once" > "$TMP/twice" 2>/dev/null
    check "idempotent on $(basename "$f")" cmp -s "$TMP/once" "$TMP/twice"
    check "line count kept on $(basename "$f")" [ "$(wc -l < "$f")" = "$(wc -l < "$TMP/once")" ]
done
seed0="$SHARED/seeds/000_945e21d19cd2cf7e.txt"
if [ -f "$seed0" ]; then
    "$H" normalize "$seed0" > "$TMP/s0"
    check "seed 000: no 进程员" sh -c "! grep -q '进程员' '$TMP/s0'"
    check "seed 000: 程序员 kept" grep -q '程序员' "$TMP/s0"
    check "seed 000: no pinyin after Han" sh -c "! grep -qP '\p{Han}[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]' '$TMP/s0'"
    check "seed 000: simplified" sh -c "! grep -q '產業\|數字化' '$TMP/s0'"
fi
seed4="$SHARED/seeds/004_2ec2a4a0d5744058.txt"
if [ -f "$seed4" ]; then
    "$H" normalize --input files "$seed4" > "$TMP/s4"
    check "seed 004: headline" grep -q '中国大厂集体“屏蔽”Sora' "$TMP/s4"
    check "seed 004: article" grep -q '一系列文章、视频展现效果显示' "$TMP/s4"
    check "seed 004: no proxy notice, ads, related lists" sh -c "! grep -q '翻墙\|Ad：\|法国犹太老板\|文本转视频功能太强' '$TMP/s4'"
fi

# manners
expect "help" 0 "$("$H" normalize --help)" -- "$H" normalize -h
check "help mentions --key" sh -c "'$H' normalize --help | grep -q -- --key"
expect "bad option" 2 '' -- "$H" normalize --bogus
expect "bad input mode" 2 '' -- "$H" normalize --input words
expect "unknown command" 2 '' -- "$H" frobnicate
expect "no command" 2 '' -- "$H"
expect "version" 0 "$("$H" --version)" -- "$H" normalize --version
check "version names the schema" sh -c "'$H' --version | grep -q 'fingerprint schema'"
done_cases
