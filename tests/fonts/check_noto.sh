#!/usr/bin/env bash
# check_noto.sh -- the Noto CJK preset (fonts/noto.xml) end to end.
#
# usage: check_noto.sh CLI SOURCE_DIR OUT
#   1. The 客服 batch (examples/kefu-2026-10.xml) and the Traditional one
#      (examples/kefu-zht-2026-10.xml, zh-Hant-TW) rendered with the
#      preset: every PDF passes check_pdf.sh with pdf.js (qpdf, pdffonts
#      emb/sub/uni, pdftotext silent, mutool = pdftotext = pdf.js), every
#      glyph of every CFF subset is its character's glyph in the source face
#      with its width (check_glyphs.py), the Traditional sheets use the TC
#      faces, and 𠮷 round-trips (a record of the batch, renamed).
#   2. On a machine that has only fonts-noto-cjk and fonts-dejavu-core:
#      the other font folders are hidden (a private mount namespace) and
#      fontconfig sees those two only; every example renders with the
#      preset, with nothing but Noto and DejaVu embedded; the first
#      document of each batch passes check_pdf.sh.  Needs root and unshare (CI has both); else it says so and
#      fails.
# Needs PDFJS_DIR (./dev installs pdf.js into .deps/pdfjs).
set -u
cli=$(readlink -f "$1") src=$(readlink -f "$2") out=$3
rm -rf "$out" && mkdir -p "$out" && out=$(readlink -f "$out")
map=$src/fonts/noto.xml
noto=/usr/share/fonts/opentype/noto
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
[ -n "${PDFJS_DIR:-}" ] || PDFJS_DIR=$src/.deps/pdfjs
export PDFJS_DIR
faces_sc="$noto/NotoSerifCJK-Regular.ttc:2 $noto/NotoSansCJK-Regular.ttc:2 $noto/NotoSansCJK-Bold.ttc:2 $noto/NotoSerifCJK-Bold.ttc:2"
faces_tc="$noto/NotoSerifCJK-Regular.ttc:3 $noto/NotoSansCJK-Regular.ttc:3 $noto/NotoSansCJK-Bold.ttc:3 $noto/NotoSerifCJK-Bold.ttc:3"

# 𠮷 in a name: the first employee of the batch, renamed
sed '0,/<name>[^<]*</s//<name>吉𠮷祥</' "$src/examples/kefu-2026-10.xml" > "$out/ji.xml"
cp -r "$src/examples/schemes" "$out/" 2>/dev/null

for set in kefu-2026-10:sc kefu-zht-2026-10:tc ji:sc; do
    b=${set%:*} lang=${set#*:}
    data=$src/examples/$b.xml
    [ "$b" = ji ] && data=$out/ji.xml
    "$cli" render -d "$data" --fonts "$map" -o "$out/$b" -q 2> "$out/$b.err"; rc=$?
    check "$b: render exit $rc: $(head -2 "$out/$b.err")" '[ $rc = 0 ]'
    faces=$faces_sc
    [ "$lang" = tc ] && faces=$faces_tc
    for pdf in "$out/$b"/*.pdf; do
        r=$(sh "$src/tests/fonts/check_pdf.sh" "$pdf" 2>&1); rc=$?
        check "$pdf: $(echo "$r" | head -3)" '[ $rc = 0 ]'
        r=$("$src/tests/fonts/check_glyphs.py" "$pdf" x $faces 2>&1); rc=$?
        check "$pdf: glyphs: $(echo "$r" | head -3)" '[ $rc = 0 ]'
        fonts=$(pdffonts "$pdf" | awk 'NR > 2 { print $1 }')
        if [ "$lang" = tc ]; then
            check "$pdf: not in the TC faces: $fonts" \
                '! echo "$fonts" | grep -q "CJKsc" && echo "$fonts" | grep -q "CJKtc"'
        fi
    done
done
ji=$(pdftotext -enc UTF-8 "$(ls "$out"/ji/*吉*.pdf | head -1)" - 2>/dev/null)
check "𠮷 does not round-trip" '[[ "$ji" == *"吉𠮷祥"* ]]'

# 2. only fonts-noto-cjk and fonts-dejavu-core
mkdir -p "$out/empty" "$out/fc-cache"
cat > "$out/fonts.conf" <<CONF
<?xml version="1.0"?>
<fontconfig>
  <dir>$noto</dir>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>$out/fc-cache</cachedir>
</fontconfig>
CONF
if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null; then
    check "the Noto-only machine needs root and unshare to be simulated" false
else
    hide=""
    for d in /usr/share/fonts/truetype/* /usr/share/fonts/opentype/* /usr/share/fonts/X11; do
        [ -d "$d" ] || continue
        case $d in "$noto" | /usr/share/fonts/truetype/dejavu) ;; *) hide="$hide mount --bind '$out/empty' '$d';" ;; esac
    done
    FONTCONFIG_FILE=$out/fonts.conf unshare -m sh -c "$hide
        for data in '$src'/examples/*.xml; do
            b=\$(basename \"\$data\" .xml)
            '$cli' render -d \"\$data\" --fonts '$map' -o '$out/only/'\$b -q || echo \"render failed: \$b\"
        done
        '$cli' fonts --fonts '$map'" > "$out/only.log" 2>&1
    check "Noto-only render: $(grep -m3 -i 'fail\|error' "$out/only.log")" \
        '! grep -qi "fail\|error" "$out/only.log"'
    check "Noto-only: LXGW WenKai still seen" '! grep -q "LXGW WenKai: /" "$out/only.log"'
    n=$(ls "$out"/only/*/*.pdf 2>/dev/null | wc -l)
    check "Noto-only: no PDF" '[ "$n" -gt 40 ]'
    for pdf in "$out"/only/*/*.pdf; do
        # the PDF checks on the first document of each batch (time)
        case $pdf in "$(ls "$(dirname "$pdf")"/*.pdf | head -1)")
            r=$(PDFJS_DIR= sh "$src/tests/fonts/check_pdf.sh" "$pdf" 2>&1); rc=$?
            check "$pdf: $(echo "$r" | head -3)" '[ $rc = 0 ]' ;;
        esac
        other=$(pdffonts "$pdf" | awk 'NR > 2 { print $1 }' | grep -v 'NotoS\(ans\|erif\)CJK\|DejaVuSans')
        check "$pdf: fonts other than Noto and DejaVu: $other" '[ -z "$other" ]'
    done
fi
echo "noto: $pass passed, $fail failed"
[ $fail = 0 ]
