#!/usr/bin/env bash
# run.sh -- images the data names are resolved and checked once, before
# anything is drawn (image.c).  One batch of nine employees whose 考核人
# signature is: a good PNG, a good JPEG, a damaged PNG (CRC error), a
# truncated PNG, a GIF named .png, an interlaced PNG, a missing file,
# /etc/passwd, ../../x.png, and a symbolic link planted in the data folder
# pointing at a good PNG outside it.  Each bad one fails only its own
# record, with the same message (file:line, employee, field) from
# `render -o`, `render --combined` and `check`; the per-record PDFs are
# exactly the good records'; the book holds exactly their pages.
set -u
cli=$1 out=$2
rm -rf "$out" && mkdir -p "$out/data/sub" "$out/outside"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
here=$(dirname "$0")
/usr/bin/python3 "$here/make.py" "$out/data"
cp "$out/data/sig.png" "$out/outside/real.png"
ln -s ../outside/real.png "$out/data/link.png"

emp() { # ID NAME IMAGE
    cat <<EOT
  <employee id="$1">
    <name>$2</name>
    <position>客服专员</position>
    <kpis>
      <category name="定量指标" weight="100">
        <kpi id="k1"><indicator>问题解决率</indicator><weight>100</weight><rule>即时解决占比≥85%得满分。</rule><score>90</score></kpi>
      </category>
    </kpis>
    <signatures>
      <signature role="考核人" name="李建国" date="2026-11-03" image="$3"/>
    </signatures>
  </employee>
EOT
}
{
    cat <<EOT
<?xml version="1.0" encoding="UTF-8"?>
<batch version="1" template="kefu-monthly" status="final">
  <company>华东云联科技有限公司</company>
  <department>客户服务部</department>
  <period kind="month" year="2026" month="10" start="2026-10-01" end="2026-10-31">2026年10月</period>
EOT
    emp G01 好图一 sig.png
    emp G02 好图二 sig.jpg
    emp B01 坏图一 corrupt.png
    emp B02 坏图二 truncated.png
    emp B03 坏图三 fake.png
    emp B04 坏图四 interlaced.png
    emp B05 坏图五 sub/missing.png
    emp B06 坏图六 /etc/passwd
    emp B07 坏图七 ../../x.png
    emp B08 坏图八 link.png
    echo "</batch>"
} > "$out/data/batch.xml"

"$cli" render -d "$out/data/batch.xml" -o "$out/files" 2> "$out/files.err"; rc1=$?
# the records' pages only (no summary sheet, no blank backs): a bad
# record's pages never reach the book
"$cli" render -d "$out/data/batch.xml" --combined "$out/book.pdf" --no-summary --no-duplex \
    2> "$out/book.err"; rc2=$?
"$cli" check -d "$out/data/batch.xml" > "$out/check.out" 2> "$out/check.err"; rc3=$?
check "render exits 1 (some failed), got $rc1" '[ $rc1 = 1 ]'
check "render --combined exits 1, got $rc2" '[ $rc2 = 1 ]'
check "check exits 1, got $rc3" '[ $rc3 = 1 ]'
check "no process was killed" '! grep -qi "abort\|libpng" "$out"/*.err'
for f in files book check; do
    grep '^scorecard: .*\[employee ' "$out/$f.err" | sed 's/ (.*s)$//' > "$out/$f.msgs"
done
check "render and check report the same problems" 'cmp -s "$out/files.msgs" "$out/check.msgs"'
check "render and --combined report the same problems" 'cmp -s "$out/files.msgs" "$out/book.msgs"'
check "8 problems reported, got $(wc -l < "$out/files.msgs")" '[ "$(wc -l < "$out/files.msgs")" = 8 ]'
line() { grep -n "\"$1\"" "$out/data/batch.xml" | head -1 | cut -d: -f1; }
for case in "B01 corrupt.png CRC error" "B02 truncated.png truncated" \
            "B03 fake.png is a GIF image" "B04 interlaced.png interlaced" \
            "B05 sub/missing.png No such file" "B06 /etc/passwd absolute path" \
            "B07 ../../x.png outside the data file" "B08 link.png symbolic link"; do
    read -r id img why <<< "$case"
    l=$(line "$img")
    check "$id: message names file:line, employee, field and why ($why)" \
        'grep -F "$out/data/batch.xml:$l:" "$out/files.msgs" | grep -F "employee $id" | grep -F "field signature[@role='"'"'考核人'"'"']/@image" | grep -qF "$why"'
done
check "no secret reached the output" '! grep -rq "root:x:0" "$out/files" "$out"/*.err "$out"/book.pdf'
pdfs=$(cd "$out/files" && ls *.pdf | tr '\n' ' ')
check "only the good records' PDFs were written: $pdfs" '[ "$pdfs" = "2026-10_G01_好图一.pdf 2026-10_G02_好图二.pdf " ]'
pages=0
for f in "$out/files"/*.pdf; do
    pages=$((pages + $(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')))
    check "$(basename "$f") is a valid PDF" 'qpdf --check "$f" > /dev/null 2>&1'
    check "$(basename "$f") shows its signature image" '[ "$(pdfimages -list "$f" | tail -n +3 | wc -l)" = 1 ]'
done
book=$(pdfinfo "$out/book.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
check "the book holds exactly the good records' $pages pages (got $book)" '[ "$book" = "$pages" ]'
check "the book has two outline entries" '[ "$(mutool show "$out/book.pdf" outline | grep -c .)" = 2 ]'
check "the book's text has only the good records" 'pdftotext "$out/book.pdf" - | tr -d " \n" | grep -q 好图二 && ! pdftotext "$out/book.pdf" - | grep -q 坏图'
echo "images: $pass passed, $fail failed"
[ $fail = 0 ]
