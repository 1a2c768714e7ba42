#!/usr/bin/env bash
# run.sh -- check --format xlsx, read back with zipfile + ElementTree and
# with openpyxl (read.py):
#   - every cell equals the CSV's cell (the same columns, labels, rows and
#     statuses; --headers zh too); figures are number cells with a number
#     format of the printed decimals, holding the printed decimal's value;
#     words (an id 001) are text; 𠮷 survives; a refused record's row says
#     error; the problems are a second sheet, and only when there are any;
#   - the header row is bold and frozen, the columns fit their widest cell;
#   - same input, same bytes: two runs give identical files, dated by
#     SOURCE_DATE_EPOCH or else by the data, the zip entries 1980-01-01;
#   - nothing lost or overwritten: a link planted at the destination is
#     replaced, its target untouched; an unwritable or missing folder is a
#     clear error (exit 3) and a file already there keeps what it had; no
#     private temporary folder is left behind, also after a failure;
#     standard output is refused (exit 2).
set -u
cli=$1 src=$2 out=$3
here=$src/tests/xlsx
rm -rf "$out" && mkdir -p "$out/tmp"
# every run's temporary folders go here: it must be empty at the end
export TMPDIR=$out/tmp
pass=0 fail=0
check() { # check NAME COMMAND...
    if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
read_py() { /usr/bin/python3 "$here/read.py" "$@"; }
export SOURCE_DATE_EPOCH=1793404800 # 2026-10-31
kefu=$src/examples/kefu-2026-10.xml
as=$src/examples/aftersales-specialist-2026-10.xml
bad=$src/tests/errors/check-table/data.xml

# ---- the cells are the CSV's ------------------------------------------------
for h in en zh; do
    "$cli" check -d "$kefu" --headers $h --format csv -q > "$out/kefu-$h.csv"
    "$cli" check -d "$kefu" --headers $h --format xlsx -o "$out/kefu-$h.xlsx" -q
    rc=$?
    sheet=check
    [ $h = zh ] && sheet=考核结果
    read_py cells "$out/kefu-$h.xlsx" $sheet "$out/kefu-$h.csv" > "$out/kefu-$h.diff" 2>&1
    check "kefu, --headers $h: exit 0 ($rc), every cell the CSV's: $(head -3 "$out/kefu-$h.diff")" \
        '[ $rc = 0 ] && [ ! -s "$out/kefu-$h.diff" ]'
done
read_py facts "$out/kefu-zh.xlsx" > "$out/kefu-zh.facts" 2>&1
check "kefu: one sheet (no problems), named 考核结果: $(grep sheets= "$out/kefu-zh.facts")" \
    'grep -qx "sheets=考核结果" "$out/kefu-zh.facts"'
check "kefu: figures (columns 2-4) are numbers shown with 2 decimals: $(grep numeric= "$out/kefu-zh.facts")" \
    'grep -qx "考核结果.numeric=2:0.00 4:0.00" "$out/kefu-zh.facts"'
check "kefu: id, name, grade, status, period, department are text" \
    'grep -qx "考核结果.text-columns=0 1 3 5 6 7" "$out/kefu-zh.facts"'
check "kefu: the header row is bold and frozen: $(grep -e frozen= -e bold- "$out/kefu-zh.facts" | tr '\n' ' ')" \
    'grep -qx "考核结果.frozen=1/A2/frozen" "$out/kefu-zh.facts" && grep -qx "考核结果.bold-header=True" "$out/kefu-zh.facts"'
check "kefu: every column fits its widest cell (CJK counted two): $(grep narrow= "$out/kefu-zh.facts")" \
    'grep -qx "考核结果.narrow=" "$out/kefu-zh.facts"'
# Excel sums the bonus column to the fen of the CSV's
/usr/bin/python3 - "$out/kefu-zh.xlsx" "$out/kefu-zh.csv" > "$out/sum.txt" 2>&1 <<'EOF'
import csv, sys, openpyxl
from decimal import Decimal
ws = openpyxl.load_workbook(sys.argv[1])["考核结果"]
rows = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
col = rows[0].index("当月绩效奖金")
want = sum(Decimal(r[col]) for r in rows[1:] if r[col])
got = sum(ws.cell(row=i, column=col + 1).value for i in range(2, ws.max_row + 1))
print("ok" if round(Decimal(repr(got)), 2) == want else "sum %r, the CSV's %s" % (got, want))
EOF
check "kefu: the bonus column sums to the CSV's, to the fen: $(cat "$out/sum.txt")" \
    '[ "$(cat "$out/sum.txt")" = ok ]'

# 𠮷 (outside the BMP), an id 001 that must stay text
mkdir -p "$out/ex" && cp -r "$src/examples/schemes" "$out/ex/"
sed 's/KF001/001/g' "$kefu" > "$out/ex/ids.xml"
for d in "$as" "$out/ex/ids.xml"; do
    n=$(basename "$d" .xml)
    "$cli" check -d "$d" --format csv -q > "$out/$n.csv" 2> /dev/null
    "$cli" check -d "$d" --format xlsx -o "$out/$n.xlsx" -q 2> /dev/null
    read_py cells "$out/$n.xlsx" check "$out/$n.csv" > "$out/$n.diff" 2>&1
    check "$n: every cell the CSV's: $(head -3 "$out/$n.diff")" '[ ! -s "$out/$n.diff" ]'
done
check "𠮷 survives (邓𠮷祥 in the workbook and in the CSV)" \
    'grep -q "邓𠮷祥" "$out/aftersales-specialist-2026-10.csv" && unzip -p "$out/aftersales-specialist-2026-10.xlsx" xl/worksheets/sheet1.xml | grep -q "<t>邓𠮷祥</t>"'
check "an id 001 is the text 001, not the number 1" \
    'unzip -p "$out/ids.xlsx" xl/worksheets/sheet1.xml | grep -q "<c r=\"A2\" t=\"inlineStr\"><is><t>001</t>"'

# a refused record: status error, no figures; the problems on a second sheet
"$cli" check -d "$bad" --format csv -q > "$out/bad.csv" 2> /dev/null
"$cli" check -d "$bad" --format xlsx -o "$out/bad.xlsx" --problems "$out/bad-problems.csv" -q 2> "$out/bad.err"
rc=$?
read_py cells "$out/bad.xlsx" check "$out/bad.csv" > "$out/bad.diff" 2>&1
read_py cells "$out/bad.xlsx" problems "$out/bad-problems.csv" >> "$out/bad.diff" 2>&1
read_py facts "$out/bad.xlsx" > "$out/bad.facts" 2>&1
check "a refused record: exit 1 ($rc), both sheets equal their CSVs: $(head -3 "$out/bad.diff")" \
    '[ $rc = 1 ] && [ ! -s "$out/bad.diff" ] && grep -qx "sheets=check,problems" "$out/bad.facts"'
check "the refused row: KF002 王小红 with no figures and status error" \
    'grep -qx "KF002,王小红,,,,error,2026-10,客户服务部" <(tr -d "\r" < "$out/bad.csv")'
check "the problems sheet: line and column are numbers, its header bold and frozen" \
    'grep -qx "problems.numeric=4:0" "$out/bad.facts" && grep -qx "problems.frozen=1/A2/frozen" "$out/bad.facts" && grep -qx "problems.bold-header=True" "$out/bad.facts"'

# ---- same input, same bytes -------------------------------------------------
"$cli" check -d "$kefu" --headers zh --format xlsx -o "$out/again.xlsx" -q
check "two runs give the same bytes" 'cmp -s "$out/kefu-zh.xlsx" "$out/again.xlsx"'
check "dated SOURCE_DATE_EPOCH, zip entries 1980-01-01: $(grep -e created= -e zipdates= "$out/kefu-zh.facts" | tr '\n' ' ')" \
    'grep -qx "created=2026-10-31T00:00:00Z" "$out/kefu-zh.facts" && grep -qx "zipdates=1980-01-01" "$out/kefu-zh.facts"'
SOURCE_DATE_EPOCH=1700000000 "$cli" check -d "$kefu" --format xlsx -o "$out/sde.xlsx" -q
read_py facts "$out/sde.xlsx" > "$out/sde.facts" 2>&1
check "another SOURCE_DATE_EPOCH, another date" \
    'grep -qx "created=2023-11-14T22:13:20Z" "$out/sde.facts"'
(unset SOURCE_DATE_EPOCH; "$cli" check -d "$src/examples/kefu-supervisor-2026-q3.xml" --format xlsx -o "$out/q3a.xlsx" -q
 sleep 1.1
 "$cli" check -d "$src/examples/kefu-supervisor-2026-q3.xml" --format xlsx -o "$out/q3b.xlsx" -q)
read_py facts "$out/q3a.xlsx" > "$out/q3a.facts" 2>&1
check "no SOURCE_DATE_EPOCH: dated by the data (2026-Q3 ends 2026-09-30), the same bytes a second later" \
    'grep -qx "created=2026-09-30T00:00:00Z" "$out/q3a.facts" && cmp -s "$out/q3a.xlsx" "$out/q3b.xlsx"'

# ---- nothing lost or overwritten --------------------------------------------
echo "the victim" > "$out/victim"
ln -s "$out/victim" "$out/planted.xlsx"
"$cli" check -d "$kefu" --format xlsx -o "$out/planted.xlsx" -q
rc=$?
check "a planted link: exit 0 ($rc), its target untouched, the link replaced by the workbook" \
    '[ $rc = 0 ] && [ "$(cat "$out/victim")" = "the victim" ] && [ ! -L "$out/planted.xlsx" ] && cmp -s "$out/planted.xlsx" "$out/kefu-en.xlsx"'

"$cli" check -d "$kefu" --format xlsx -o /proc/scorecard-test.xlsx -q 2> "$out/proc.err"
rc=$?
check "an unwritable folder (/proc, for root too): exit 3 ($rc), the file named, what to do: $(head -2 "$out/proc.err")" \
    '[ $rc = 3 ] && grep -q "/proc/scorecard-test.xlsx not written" "$out/proc.err" && grep -q "a folder that exists and that you can write to" "$out/proc.err"'
"$cli" check -d "$kefu" --format xlsx -o "$out/no/such/folder.xlsx" -q 2> "$out/nodir.err"
rc=$?
check "a missing folder: exit 3 ($rc), the file named" \
    '[ $rc = 3 ] && grep -q "folder.xlsx not written" "$out/nodir.err" && [ ! -e "$out/no" ]'
echo "yesterday's workbook" > "$out/old.xlsx"
mkdir -p "$out/full"
TMPDIR=/proc "$cli" check -d "$kefu" --format xlsx -o "$out/old.xlsx" -q 2> "$out/old.err"
rc=$?
check "no temporary folder can be made: exit 3 ($rc), the workbook named, the old file kept: $(head -1 "$out/old.err")" \
    '[ $rc = 3 ] && grep -q "old.xlsx" "$out/old.err" && grep -q "TMPDIR" "$out/old.err" && [ "$(cat "$out/old.xlsx")" = "yesterday'"'"'s workbook" ]'
"$cli" check -d "$kefu" --format xlsx -q > "$out/stdout.bin" 2> "$out/stdout.err"
rc=$?
check "xlsx without -o: refused, exit 2 ($rc), nothing on standard output" \
    '[ $rc = 2 ] && [ ! -s "$out/stdout.bin" ] && grep -q -- "-o FILE.xlsx" "$out/stdout.err"'
"$cli" check -d "$kefu" --format csv -o "$out/kefu-o.csv" -q
check "check --format csv -o FILE: the same bytes as on standard output" \
    'cmp -s "$out/kefu-o.csv" "$out/kefu-en.csv"'

check "no temporary folder or file left in TMPDIR: $(ls -A "$out/tmp" | head -3)" \
    '[ -z "$(ls -A "$out/tmp")" ]'
check "no temporary file left beside the workbooks" \
    '[ -z "$(find "$out" -maxdepth 1 -name ".*.tmp*")" ]'

echo "xlsx: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
