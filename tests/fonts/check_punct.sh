#!/usr/bin/env bash
# check_punct.sh -- Traditional text centres ，。、；：！？, on the page.
#
# usage: check_punct.sh CLI SOURCE_DIR OUT
#   The golden case tests/cases/punct-traditional (a zh-Hant-TW form: body
#   AR PL UMing TW, heading WenQuanYi Micro Hei, kai LXGW WenKai Bold, all
#   drawing the marks the mainland way) is rendered twice: as it is, and
#   with the employee in zh-Hans.  Each page is rasterised at 150 dpi and
#   check_punct.py finds the ink of every mark in its em box: in the
#   middle for the Traditional page, in the left half (，；：) for the
#   Simplified one.  The two PDFs hold the same text in the same places,
#   so pdftotext (raw and -layout), mutool and pdf.js (PDFJS_DIR) must
#   extract exactly the same text from both -- moving the ink changes
#   nothing a reader copies or searches; both pass check_pdf.sh and every
#   glyph of the Traditional one is whole (check_glyphs.py: a moved mark
#   is a composite whose component is the mark itself).  With the Noto
#   CJK preset (fonts/noto.xml, when installed) the TC faces' own marks
#   are centred too.
set -u
cli=$(readlink -f "$1") src=$(readlink -f "$2") out=$3
rm -rf "$out" && mkdir -p "$out" && out=$(readlink -f "$out")
case_dir=$src/tests/cases/punct-traditional
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
[ -n "${PDFJS_DIR:-}" ] || PDFJS_DIR=$src/.deps/pdfjs
[ -f "$PDFJS_DIR/node_modules/pdfjs-dist/package.json" ] || PDFJS_DIR=
export PDFJS_DIR

sed 's/<employee id="KF201">/<employee id="KF201" xml:lang="zh-Hans">/' \
    "$case_dir/data.xml" > "$out/hans.xml"
render() { # NAME DATA MODE [render options]
    local name=$1 data=$2 mode=$3
    shift 3
    "$cli" render -d "$data" -t "$case_dir/template.xml" --dump -q "$@" > "$out/$name.dump" &&
        "$cli" render -d "$data" -t "$case_dir/template.xml" -o "$out" -n "$name.pdf" -q "$@" &&
        pdftoppm -r 150 -gray -singlefile "$out/$name.pdf" "$out/$name" || return 1
    /usr/bin/python3 "$src/tests/fonts/check_punct.py" "$out/$name.dump" "$out/$name.pgm" 150 \
        "$mode" > "$out/$name.marks"
}
render hant "$case_dir/data.xml" centred; rc=$?
check "Traditional marks not centred: $(grep -v '^ok' "$out/hant.marks" | head -5)" '[ $rc = 0 ]'
render hans "$out/hans.xml" mainland; rc=$?
check "Simplified marks moved: $(grep -v '^ok' "$out/hans.marks" | head -5)" '[ $rc = 0 ]'
check "the Traditional dump has no centre-punct run" 'grep -q " centre-punct$" "$out/hant.dump"'
check "the Simplified dump has a centre-punct run" '! grep -q " centre-punct$" "$out/hans.dump"'

# the same text, extracted the same way, from both
for how in raw layout; do
    pdftotext -$how -enc UTF-8 "$out/hant.pdf" "$out/hant.$how.txt"
    pdftotext -$how -enc UTF-8 "$out/hans.pdf" "$out/hans.$how.txt"
    check "pdftotext -$how differs: $(diff "$out/hans.$how.txt" "$out/hant.$how.txt" | head -4)" \
        'cmp -s "$out/hans.$how.txt" "$out/hant.$how.txt"'
done
check "pdftotext lost the marks" 'grep -q "甲，乙。丙、丁；戊：己！庚？辛" "$out/hant.raw.txt"'
mutool draw -q -F txt -o "$out/hant.mu.txt" "$out/hant.pdf" 2>/dev/null
mutool draw -q -F txt -o "$out/hans.mu.txt" "$out/hans.pdf" 2>/dev/null
check "mutool differs: $(diff "$out/hans.mu.txt" "$out/hant.mu.txt" | head -4)" \
    'cmp -s "$out/hans.mu.txt" "$out/hant.mu.txt"'
if [ -n "$PDFJS_DIR" ]; then
    node "$src/tests/fonts/pdfjs_text.mjs" "$PDFJS_DIR" "$out/hant.pdf" > "$out/hant.js.txt"
    node "$src/tests/fonts/pdfjs_text.mjs" "$PDFJS_DIR" "$out/hans.pdf" > "$out/hans.js.txt"
    check "pdf.js differs: $(diff "$out/hans.js.txt" "$out/hant.js.txt" | head -4)" \
        'cmp -s "$out/hans.js.txt" "$out/hant.js.txt" && [ -s "$out/hant.js.txt" ]'
else
    echo "pdf.js not installed (./dev installs it): its text is not compared"
fi
r=$(sh "$src/tests/fonts/check_pdf.sh" "$out/hant.pdf" "$out/hans.pdf" 2>&1); rc=$?
check "check_pdf.sh: $(echo "$r" | head -3)" '[ $rc = 0 ]'
uming=/usr/share/fonts/truetype/arphic/uming.ttc
r=$("$src/tests/fonts/check_glyphs.py" "$out/hant.pdf" "甲，乙。丙、丁；戊：己！庚？辛" \
    "$uming:2" /usr/share/fonts/truetype/wqy/wqy-microhei.ttc:0 \
    /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Bold.ttf 2>&1); rc=$?
check "glyphs: $(echo "$r" | head -3)" '[ $rc = 0 ]'

# Noto CJK TC: the face's own marks are centred, nothing to move
if fc-list | grep -q "Noto Serif CJK TC"; then
    render noto "$case_dir/data.xml" centred --fonts "$src/fonts/noto.xml"; rc=$?
    check "Noto TC marks not centred: $(grep -v '^ok' "$out/noto.marks" | head -5)" '[ $rc = 0 ]'
fi
echo "punct: $pass passed, $fail failed"
[ $fail = 0 ]
