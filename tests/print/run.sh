#!/usr/bin/env bash
# run.sh -- the monthly print run, checked with real clients (qpdf --json,
# pdftotext, pdfinfo, iconv):
#   - a duplex book: every record (and the summary) starts on an odd page,
#     the page count is the sum of each one's pages rounded up to even,
#     every inserted page carries 此页无正文 and nothing else, the viewer
#     preferences say /Duplex and /PrintScaling /None; --no-duplex has no
#     blank page and no /Duplex;
#   - --group-by evaluator on the kefu batch: a book per 考核人, their
#     records together are the batch, none twice; --sort total orders them;
#     an empty 考核人 goes to the fallback book (reported); two groups whose
#     file names clean alike are refused, never written over each other;
#   - the summary: golden cases (layout dump and text) under
#     summary-cases/; every figure of its rows equals the employee's own
#     sheet, and its sums are theirs to the fen; a 300-employee department
#     paginates with the table's header on every page;
#   - check's CSV: --excel starts with EF BB BF; GB18030 and GBK round-trip
#     through iconv; GBK refuses 𠮷.
# SC_UPDATE_GOLDEN=1 rewrites the golden summaries (read the diff first).
set -u
cli=$1 src=$2 out=$3
here=$src/tests/print
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { # check NAME COMMAND...
    if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
export SOURCE_DATE_EPOCH=1793404800
kefu=$src/examples/kefu-2026-10.xml
pages_of() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }

# ---- a duplex book ------------------------------------------------------------
"$cli" render -d "$kefu" -o "$out/per" -q 2> "$out/per.err"
"$cli" render -d "$kefu" --combined "$out/book.pdf" -q 2> "$out/book.err"
"$cli" summary -d "$kefu" -o "$out/summary.pdf" -q 2> "$out/summary.err"
check "the book passes qpdf --check" 'qpdf --check "$out/book.pdf" > /dev/null 2>&1'
qpdf --json "$out/book.pdf" > "$out/book.json"
# each unit's pages: the summary's, then each record's in data order
{
    echo "部门绩效汇总表 $(pages_of "$out/summary.pdf")"
    for f in "$out"/per/*.pdf; do
        echo "$(pdfinfo "$f" | sed -n 's/^Title: *//p') $(pages_of "$f")"
    done
} > "$out/units.txt"
python3 - "$out/book.json" "$out/units.txt" "$out/book.pdf" > "$out/duplex.txt" 2>&1 <<'EOF'
import json, subprocess, sys
j = json.load(open(sys.argv[1]))
units = [l.rsplit(" ", 1) for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
npages = len(j["pages"])
outline = [(o["title"], o["destpageposfrom1"]) for o in j["outlines"]]
problems = []
# the outline's titles are the units' (the summary's starts with its own)
titles = [t for t, _ in outline]
if len(titles) != len(units):
    problems.append(f"{len(titles)} outline entries for {len(units)} units")
odd = [f"{t} at page {p}" for t, p in outline if p % 2 == 0]
if odd:
    problems.append("not on a front page: " + ", ".join(odd))
want = sum(int(n) + int(n) % 2 for _, n in units)
if npages != want:
    problems.append(f"{npages} pages, expected {want} (each unit rounded up to even)")
# the pages no unit covers are the blank backs
covered = set()
pages_of = dict((t, int(n)) for t, n in units)
for t, p in outline:
    n = pages_of.get(t.split("（")[0]) if t.startswith("部门绩效汇总表") else pages_of.get(t)
    if n is None:
        problems.append(f"outline entry {t!r} is no unit")
        continue
    covered.update(range(p, p + n))
blanks = [p for p in range(1, npages + 1) if p not in covered]
want_blanks = sum(int(n) % 2 for _, n in units)
if len(blanks) != want_blanks:
    problems.append(f"{len(blanks)} blank pages, expected {want_blanks}")
for p in range(1, npages + 1):
    text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), sys.argv[3], "-"],
                          capture_output=True, text=True).stdout.split()
    if p in blanks and text != ["此页无正文"]:
        problems.append(f"blank page {p} reads {text[:5]}")
    if p not in blanks and "此页无正文" in text:
        problems.append(f"page {p} of a record says 此页无正文")
root = j["qpdf"][1]["obj:" + j["qpdf"][1]["trailer"]["value"]["/Root"]]["value"]
vp = root.get("/ViewerPreferences", {})
if vp.get("/Duplex") != "/DuplexFlipLongEdge" or vp.get("/PrintScaling") != "/None":
    problems.append(f"ViewerPreferences {vp}")
print("\n".join(problems) if problems else f"ok: {npages} pages, {len(blanks)} blank")
EOF
check "duplex book: $(tail -1 "$out/duplex.txt")" 'grep -q "^ok:" "$out/duplex.txt"'
check "the book has blank backs at all (the kefu batch has 1-page sheets)" \
    'grep -q "^ok: .* [1-9][0-9]* blank" "$out/duplex.txt"'

"$cli" render -d "$kefu" --combined "$out/simplex.pdf" --no-duplex --no-summary -q 2>> "$out/book.err"
n_simplex=$(pages_of "$out/simplex.pdf")
n_records=$(for f in "$out"/per/*.pdf; do pages_of "$f"; done | awk "{ s += \$1 } END { print s }")
check "--no-duplex --no-summary: the records' $n_records pages (got $n_simplex)" '[ "$n_simplex" = "$n_records" ]'
check "--no-duplex: no page says 此页无正文" '! pdftotext "$out/simplex.pdf" - | grep -q 此页无正文'
check "--no-duplex: no /Duplex, still /PrintScaling /None" \
    'qpdf --json "$out/simplex.pdf" | python3 -c "
import json, sys
j = json.load(sys.stdin)[\"qpdf\"][1]
vp = j[\"obj:\" + j[\"trailer\"][\"value\"][\"/Root\"]][\"value\"][\"/ViewerPreferences\"]
sys.exit(0 if \"/Duplex\" not in vp and vp[\"/PrintScaling\"] == \"/None\" else 1)"'

# ---- stacks: one book per 考核人 ---------------------------------------------------
"$cli" render -d "$kefu" --group-by evaluator --sort total -o "$out/stacks" 2> "$out/stacks.err"
rc=$?
check "--group-by evaluator exits 0, got $rc" '[ $rc = 0 ]'
ls "$out/stacks" > "$out/stacks.ls"
evaluators=$(xmllint --xpath '//employee/evaluator/text()' "$kefu" | sort -u | sed 's/^/2026-10_/; s/$/.pdf/')
check "a book per 考核人: $(tr '\n' ' ' < "$out/stacks.ls")" '[ "$(cat "$out/stacks.ls")" = "$(echo "$evaluators" | sort)" ]'
"$cli" check -d "$kefu" --format csv -q > "$out/kefu.csv"
for f in "$out"/stacks/*.pdf; do
    check "$(basename "$f") passes qpdf --check" 'qpdf --check "$f" > /dev/null 2>&1'
    mutool show "$f" outline | sed 's/^[^"]*"//; s/".*//' | grep -v '^部门绩效汇总表' >> "$out/stacks.titles"
done
sort "$out/stacks.titles" > "$out/stacks.sorted"
tail -n +2 "$out/kefu.csv" | tr -d '\r' | awk -F, '{ print $1 " " $2 }' | sort > "$out/batch.sorted"
check "the books' records together are the batch" 'cmp -s "$out/stacks.sorted" "$out/batch.sorted"'
check "no record is in two books" '[ -z "$(uniq -d "$out/stacks.sorted")" ]'
for f in "$out"/stacks/*.pdf; do
    ev=$(basename "$f" .pdf); ev=${ev#2026-10_}
    ids=$(mutool show "$f" outline | sed 's/^[^"]*"//; s/ .*//' | grep -v '^部门绩效汇总表')
    want=$(xmllint --xpath "//employee[evaluator='$ev']/@id" "$kefu" | sed 's/ id="\([^"]*\)"/\1\n/g' | grep .)
    check "$ev's book holds exactly $ev's records" '[ "$(echo "$ids" | sort)" = "$(echo "$want" | sort)" ]'
    # --sort total: highest first
    totals=$(for id in $ids; do awk -F, -v id="$id" '$1 == id { print $3 }' "$out/kefu.csv"; done)
    check "$ev's book is in order of total, highest first" '[ "$totals" = "$(echo "$totals" | sort -rn)" ]'
    check "$ev's book starts with the summary of 考核人 $ev" \
        'pdftotext -f 1 -l 1 "$f" - | tr -d " " | grep -q "考核人：$ev"'
done

# an empty 考核人 goes to the fallback group, reported; names that clean
# alike are refused, never written over each other
python3 "$here/make_dept.py" 40 "$out/d40.xml"
sed -i '0,/<evaluator>李建国<\/evaluator>/s//<evaluator>a\/b<\/evaluator>/; 0,/<evaluator>高振华<\/evaluator>/s//<evaluator>a:b<\/evaluator>/' "$out/d40.xml"
"$cli" render -d "$out/d40.xml" --group-by evaluator -o "$out/d40" 2> "$out/d40.err"
rc=$?
check "a refused group: exit 1, got $rc" '[ $rc = 1 ]'
check "the fallback book 2026-10_未指定考核人.pdf is written" '[ -f "$out/d40/2026-10_未指定考核人.pdf" ]'
check "the record without 考核人 is reported" \
    'grep -F "warning:" "$out/d40.err" | grep -F "employee KF037" | grep -qF "未指定考核人"'
check "a/b and a:b: one book a_b, the other refused with a message" \
    '[ "$(ls "$out/d40" | grep -c "a_b")" = 1 ] && grep -q "already is in this run, and a book is never overwritten" "$out/d40.err"'

# ---- the summary ---------------------------------------------------------------------
for dir in "$here"/summary-cases/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    "$cli" summary -d "$dir/data.xml" --dump -q > "$out/$name.dump" 2> "$out/$name.err"
    "$cli" summary -d "$dir/data.xml" -o "$out/$name.pdf" -q 2>> "$out/$name.err"
    pdftotext -layout "$out/$name.pdf" "$out/$name.txt"
    if [ "${SC_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$out/$name.dump" "$dir/expected.dump"
        cp "$out/$name.txt" "$dir/expected.txt"
    fi
    check "summary $name: layout dump as expected" 'diff -u "$dir/expected.dump" "$out/$name.dump" > "$out/$name.dump.diff"'
    check "summary $name: text as expected" 'diff -u "$dir/expected.txt" "$out/$name.txt" > "$out/$name.txt.diff"'
    check "summary $name: qpdf --check" 'qpdf --check "$out/$name.pdf" > /dev/null 2>&1'
done
g=$out/ties-forced.txt
check "ties share a rank: 1, 1 and 3, 3" \
    '[ "$(grep -E "^ +[0-9]+ +KF00[1-6]" "$g" | awk "{ print \$NF }" | tr "\n" " ")" = "1 1 3 3 6 5 " ]'
check "the forced distribution exceeded is a visible warning" 'grep -q "※ 强制分布超限：“优秀”2人，占33.3%" "$g"'
check "and a warning on stderr" 'grep -q "warning: .*优秀 is given to 2 of 6" "$out/ties-forced.err"'
check "the bad record is listed as an error, not a zero" \
    'grep -q "KF007 .*赵敏 .*the KPI weights sum to 90" "$g" && ! grep KF007 "$g" | grep -qE "[0-9]\.[0-9]{2}"'

ra=$out/ranking-award.txt
check "the ranking award: the engine's, ties share 2nd place and 300 each, 1100 in all" \
    '[ "$(sed -n "/综合排名奖励/,/名次并列/p" "$ra" | grep -E "^ +[0-9] +KF" | awk "{ print \$1, \$2, \$NF }" | tr "\n" ";")" = "1 KF004 500.00;2 KF001 300.00;2 KF003 300.00;" ] && grep -q "合计（3人） *1100.00" "$ra"'

# every row equals the employee's own sheet; the sums are theirs to the fen
python3 - "$out/summary.pdf" "$out/per" "$out/kefu.csv" > "$out/sums.txt" 2>&1 <<'EOF'
import glob, re, subprocess, sys
def text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                          text=True).stdout
def fen(s):
    a, b = s.split(".")
    return int(a) * 100 + int(b)
problems = []
sheets = {}
for path in glob.glob(sys.argv[2] + "/*.pdf"):
    t = text(path).splitlines()
    eid = re.search(r"_([A-Z]+[0-9]+)_", path).group(1)
    for i, line in enumerate(t):
        amounts = re.findall(r"[0-9]+\.[0-9]{2}", line)
        if "月度绩效奖金基数" in line:                      # month sheet: the next line
            sheets[eid] = re.findall(r"[0-9]+\.[0-9]{2}", t[i + 1])[-1]
        elif line.strip().startswith("当月绩效奖金") and len(amounts) >= 10:
            sheets[eid] = amounts[10 - 1]                   # year sheet: October's
rows = {}
summary = text(sys.argv[1])
for line in summary.splitlines():
    m = re.match(r"\s*\d+\s+([A-Z]+[0-9]+)\s+\S+.*?\s([0-9]+\.[0-9]{2})\s+\S+\s+([0-9]+\.[0-9]{2})\s+\d+\s*$", line)
    if m:
        rows[m.group(1)] = (m.group(2), m.group(3))
if sorted(rows) != sorted(sheets):
    problems.append(f"summary rows {sorted(rows)} but sheets {sorted(sheets)}")
for eid, (total, bonus) in rows.items():
    if sheets.get(eid) != bonus:
        problems.append(f"{eid}: summary bonus {bonus}, sheet {sheets.get(eid)}")
csv = {l.split(",")[0]: l.split(",")[2] for l in open(sys.argv[3]).read().splitlines()[1:]}
for eid, (total, bonus) in rows.items():
    if csv.get(eid) != total:
        problems.append(f"{eid}: summary total {total}, check {csv.get(eid)}")
m = re.search(r"合计（(\d+)人）\s+([0-9]+\.[0-9]{2})\s+([0-9]+\.[0-9]{2})", summary)
if not m:
    problems.append("no 合计 line")
else:
    if fen(m.group(3)) != sum(fen(b) for b in sheets.values()):
        problems.append(f"bonus sum {m.group(3)} != sheets' {sum(fen(b) for b in sheets.values())} fen")
    if fen(m.group(2)) != sum(fen(t) for t, _ in rows.values()):
        problems.append(f"total sum {m.group(2)} != rows'")
print("\n".join(problems) if problems else f"ok: {len(rows)} rows, sums to the fen")
EOF
check "summary = the sheets: $(tail -1 "$out/sums.txt")" 'grep -q "^ok:" "$out/sums.txt"'

# a 300-employee department: pages with the header row on each
python3 "$here/make_dept.py" 300 "$out/d300.xml"
"$cli" summary -d "$out/d300.xml" -o "$out/d300.pdf" -q 2> "$out/d300.err"
n=$(pages_of "$out/d300.pdf")
check "300 employees: several pages ($n)" '[ "${n:-0}" -ge 5 ]'
rows=0
for p in $(seq 1 "${n:-0}"); do
    t=$(pdftotext -layout -f "$p" -l "$p" "$out/d300.pdf" -)
    r=$(echo "$t" | grep -cE "^ *[0-9]+ +KF[0-9]{3} ")
    rows=$((rows + r))
    [ "$r" -gt 0 ] && check "page $p of 300: the header row is repeated" \
        'echo "$t" | tr -s " " | grep -q "序号 工号 姓名 岗位 考核人 总分 等级"'
    check "page $p of 300: its number" 'echo "$t" | grep -q "第 $p 页 / 共 $n 页"'
done
check "300 employees: 300 rows ($rows)" '[ $rows = 300 ]'
pdftoppm -r 40 -png -f 2 -l 2 "$out/d300.pdf" "$out/d300-page"   # to look at

# ---- check's CSV for a spreadsheet --------------------------------------------------------
as=$src/examples/aftersales-specialist-2026-10.xml   # 邓𠮷祥
"$cli" check -d "$kefu" --format csv --excel -q > "$out/excel.csv"
check "--excel starts with EF BB BF" '[ "$(head -c 3 "$out/excel.csv" | od -An -tx1 | tr -d " ")" = efbbbf ]'
check "--excel: the rest is the UTF-8 CSV" 'cmp -s <(tail -c +4 "$out/excel.csv") "$out/kefu.csv"'
"$cli" check -d "$as" --format csv -q > "$out/as.csv"
"$cli" check -d "$as" --format csv --encoding gb18030 -q > "$out/as-gb18030.csv"
check "GB18030 carries 𠮷 and round-trips through iconv" \
    'grep -q 𠮷 "$out/as.csv" && iconv -f GB18030 -t UTF-8 "$out/as-gb18030.csv" | cmp -s - "$out/as.csv"'
check "GB18030 is not UTF-8 (the names are converted)" '! cmp -s "$out/as-gb18030.csv" "$out/as.csv"'
"$cli" check -d "$kefu" --format csv --encoding gbk -q > "$out/kefu-gbk.csv"
check "GBK round-trips through iconv" 'iconv -f GBK -t UTF-8 "$out/kefu-gbk.csv" | cmp -s - "$out/kefu.csv"'
"$cli" check -d "$as" --format csv --encoding gbk -q > "$out/as-gbk.csv" 2> "$out/as-gbk.err"
rc=$?
check "GBK refuses 𠮷: exit 3 ($rc), nothing written, the line and U+20BB7 named" \
    '[ $rc = 3 ] && [ ! -s "$out/as-gbk.csv" ] && grep -q "𠮷 (U+20BB7) has no GBK code" "$out/as-gbk.err"'

# a CSV longer than one converted piece (64 KB): 𠮷 in the last line still
# refuses all of it, and the line named is the line in the whole CSV
python3 - "$as" "$out/as-long.xml" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
head, rest = src.split("<employee", 1)
body, tail = rest.rsplit("</employee>", 1)
parts = ("<employee" + body).split("</employee>")
emps = [e.strip() + "</employee>" for e in parts if "<employee" in e]
last = [e for e in emps if "𠮷" in e][0]
plain = [e for e in emps if "𠮷" not in e][0]
out = [re.sub(r'id="[^"]*"', 'id="L%05d"' % i, plain, count=1) for i in range(1, 2001)]
open(sys.argv[2], "w", encoding="utf-8").write(head + "\n".join(out + [last]) + tail)
PY
cp -r "$src/examples/schemes" "$out/" 2>/dev/null
"$cli" check -d "$out/as-long.xml" --format csv -q > "$out/as-long.csv"
"$cli" check -d "$out/as-long.xml" --format csv --encoding gbk -q > "$out/as-long-gbk.csv" 2> "$out/as-long.err"
rc=$?
check "GBK, 2,001 lines (several pieces): exit 3 ($rc), nothing written, line 2002 named" \
    '[ $(stat -c %s "$out/as-long.csv") -gt 70000 ] && [ $rc = 3 ] && [ ! -s "$out/as-long-gbk.csv" ] && grep -q "line 2002 of the CSV (SZ013)" "$out/as-long.err"'

echo "print: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
