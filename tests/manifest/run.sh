#!/usr/bin/env bash
# manifest/run.sh -- the manifest of a run (manifest.csv, manifest.json)
# and sheets an earlier run left behind (issue: a rerun into the same
# folder).  Checked with outside tools: every listed file's SHA-256
# (sha256sum), size (stat) and page count (pdfinfo) are the file's; the
# JSON (python3) says what the CSV says; a refused record has its line
# with no file; an earlier sheet under a refused record's name is warned
# about, and --remove-stale removes it and nothing else (never through a
# link).
set -u
cli=$1 dir=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
# manifest.json of folder $1 says what its manifest.csv says, in $2 entries
json_is_csv() {
    python3 - "$1" "$2" <<"PY"
import csv, json, sys
d, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(d + "/manifest.csv", newline="", encoding="utf-8")))
docs = json.load(open(d + "/manifest.json", encoding="utf-8"))["documents"]
assert len(rows) == len(docs) == n, (len(rows), len(docs))
for r, j in zip(rows, docs):
    for k in r:
        v = j[k]
        assert (str(v) if v is not None else "") == r[k], (k, v, r[k])
PY
}

# 1. a clean run: 3 sheets, every line true to its file
"$cli" render -q -d "$dir/data.xml" -o "$out/a" 2> "$out/a.err"; rc=$?
check "clean run exit $rc" '[ $rc = 0 ]'
check "manifest.csv written" '[ -f "$out/a/manifest.csv" ] && [ -f "$out/a/manifest.json" ]'
check "header" '[ "$(head -1 "$out/a/manifest.csv" | tr -d "\r")" = "file,id,name,pages,bytes,sha256,total,grade,bonus,status,problem" ]'
check "3 lines" '[ "$(tail -n +2 "$out/a/manifest.csv" | grep -c ,ok,)" = 3 ]'
while IFS=, read -r file id name pages bytes sha total grade bonus status problem; do
    [ "$file" = file ] && continue
    f="$out/a/$file"
    check "$id: $file exists" '[ -f "$f" ]'
    check "$id: sha256" '[ "$(sha256sum "$f" | cut -d" " -f1)" = "$sha" ]'
    check "$id: bytes" '[ "$(stat -c %s "$f")" = "$bytes" ]'
    check "$id: pages" '[ "$(pdfinfo "$f" | awk "/^Pages:/ {print \$2}")" = "$pages" ]'
    check "$id: total as check says" '"$cli" check -q -d "$dir/data.xml" --format csv | tr -d "\r" | grep -q "^$id,$name,$total,$grade,$bonus,ok"'
done < <(tr -d '\r' < "$out/a/manifest.csv")
check "JSON = CSV" 'json_is_csv "$out/a" 3'
# same input, same manifest
"$cli" render -q -d "$dir/data.xml" -o "$out/b" 2> /dev/null
check "same batch, same manifest bytes" 'cmp -s "$out/a/manifest.csv" "$out/b/manifest.csv" && cmp -s "$out/a/manifest.json" "$out/b/manifest.json"'

# 2. a rerun into the same folder where XZ002 is now refused (KPI id typo)
sed '0,/<employee id="XZ002">/b; 0,/<kpi id="p1">/s//<kpi id="P1">/' "$dir/data.xml" > "$out/bad.xml"
check "bad.xml differs" '! cmp -s "$dir/data.xml" "$out/bad.xml"'
ln -s /etc/hostname "$out/a/planted.pdf"
"$cli" render -q -d "$out/bad.xml" -o "$out/a" 2> "$out/rerun.err"; rc=$?
check "rerun exit $rc" '[ $rc = 1 ]'
check "warned about the earlier sheet" 'grep -q "2026-11_XZ002_赵强.pdf is from an earlier run and was not replaced" "$out/rerun.err"'
check "earlier sheet left" '[ -f "$out/a/2026-11_XZ002_赵强.pdf" ]'
check "refused line" 'grep -q "^,XZ002,赵强,,,,,,,error,\"KPI P1 (weight 40)" "$out/a/manifest.csv"'
check "2 ok lines" '[ "$(grep -c ",ok," "$out/a/manifest.csv")" = 2 ]'
"$cli" render -q -d "$out/bad.xml" -o "$out/a" --remove-stale 2> "$out/remove.err"; rc=$?
check "--remove-stale exit $rc" '[ $rc = 1 ]'
check "earlier sheet removed" '[ ! -e "$out/a/2026-11_XZ002_赵强.pdf" ]'
check "said so" 'grep -q "the sheet of an earlier run, was removed" "$out/remove.err"'
check "others kept" '[ -f "$out/a/2026-11_XZ001_王丽华.pdf" ] && [ -f "$out/a/2026-11_XZ003_孙悦.pdf" ]'
check "a link is not followed" '[ -L "$out/a/planted.pdf" ] && [ -f /etc/hostname ]'
# a link planted at the refused record's name is neither followed nor removed
ln -s "$out/a/2026-11_XZ001_王丽华.pdf" "$out/a/2026-11_XZ002_赵强.pdf"
"$cli" render -q -d "$out/bad.xml" -o "$out/a" --remove-stale 2> /dev/null
check "link at the name kept, its target too" '[ -L "$out/a/2026-11_XZ002_赵强.pdf" ] && [ -f "$out/a/2026-11_XZ001_王丽华.pdf" ]'

# a refused record's name is listed whole, however long (300 characters)
python3 - "$out/bad.xml" "$out/long.xml" <<"PY"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
i = s.index('<employee id="XZ002">')
s = s[:i] + re.sub(r"<name>[^<]*</name>", "<name>" + "长" * 300 + "</name>", s[i:], count=1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
"$cli" render -q -d "$out/long.xml" -o "$out/long" 2> /dev/null
check "a long refused name whole" 'grep -q "^,XZ002,$(printf "长%.0s" $(seq 300)),,,,,,,error," "$out/long/manifest.csv"'

# 3. --manifest "" writes none; a name the manifest has is refused
"$cli" render -q -d "$dir/data.xml" -o "$out/c" --manifest "" 2> /dev/null
check "--manifest \"\": none" '[ ! -e "$out/c/manifest.csv" ] && [ "$(ls "$out/c" | wc -l)" = 3 ]'
"$cli" render -q -d "$dir/data.xml" -o "$out/d" --name 'manifest.csv' 2> "$out/d.err"; rc=$?
check "a sheet named manifest.csv is refused" '[ $rc = 3 ] && grep -q "the run.s manifest" "$out/d.err"'

# 4. a batch whose lists outgrow what is kept in memory (they are spilled
# to a nameless file and copied at the end): every line there, in record
# order, true to its file; the same bytes when no temporary folder can
# take the spill (it is then kept in memory)
python3 - "$dir/data.xml" "$out/many.xml" <<"PY"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
emps = re.findall(r"(?s)  <employee id=.*?</employee>\n", s)
head, tail = s[:s.index(emps[0])], s[s.rindex(emps[-1]) + len(emps[-1]):]
out = []
for i in range(600):
    e = re.sub(r'id="[^"]*"', 'id="M%04d"' % i, emps[i % len(emps)], count=1)
    out.append(e)
open(sys.argv[2], "w", encoding="utf-8").write(head + "".join(out) + tail)
PY
"$cli" render -q -d "$out/many.xml" -o "$out/m" 2> /dev/null; rc=$?
check "600 records exit $rc" '[ $rc = 0 ]'
check "CSV larger than one spill" '[ "$(stat -c %s "$out/m/manifest.csv")" -gt 65536 ]'
check "600 lines in record order" '[ "$(tail -n +2 "$out/m/manifest.csv" | cut -d, -f2 | tr "\n" " ")" = "$(seq -f "M%04g" 0 599 | tr "\n" " ")" ]'
check "every SHA-256 true" '(cd "$out/m" && tail -n +2 manifest.csv | tr -d "\r" | awk -F, "{print \$6 \"  \" \$1}" | sha256sum -c --quiet)'
check "JSON = CSV, 600 entries" 'json_is_csv "$out/m" 600'
TMPDIR=/nonexistent "$cli" render -q -d "$out/many.xml" -o "$out/n" 2> /dev/null
check "no temporary folder: same manifest" 'cmp -s "$out/m/manifest.csv" "$out/n/manifest.csv" && cmp -s "$out/m/manifest.json" "$out/n/manifest.json"'
echo "manifest: $pass passed, $fail failed"
[ $fail = 0 ]
