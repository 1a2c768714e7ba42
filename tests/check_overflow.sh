#!/usr/bin/env bash
# check_overflow.sh -- a row taller than a page loses nothing and draws
# nothing outside its page or cell.  The 客服专员 form of
# tests/cases/one-page-fit with a 评分标准 of 3,990 characters (the data
# format allows 4,000): 甲乙丙丁戊己庚辛壬癸 399 times, characters found
# nowhere else on the sheet.  The record must render (exit 0) on several
# pages, pdftotext must find each of the ten characters 399 times, and
# tests/check_bounds.py must find every word inside the MediaBox and
# crossed by no cell edge.  The same for a merged 考核项目 cell.
set -u
cli=$1 cases=$2 out=$3
here=$(dirname "$0")
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

unit=甲乙丙丁戊己庚辛壬癸
rule=$(for i in $(seq 399); do printf %s "$unit"; done)
check "the rule is 3990 characters" '[ "$(printf %s "$rule" | wc -m)" = 3990 ]'
# q1's rule replaced; the other nine KPIs, raters and comment as they are
awk -v rule="$rule" '/<kpi id="q1">/ { q1 = 1 }
    q1 && /<rule>/ { sub(/<rule>.*<\/rule>/, "<rule>" rule "</rule>"); q1 = 0 }
    { print }' "$cases/one-page-fit/data.xml" > "$out/tall.xml"
check "tall.xml holds the rule" 'grep -q "$unit$unit" "$out/tall.xml"'

"$cli" render -d "$out/tall.xml" -o "$out/pdf" -n tall.pdf -q 2> "$out/stderr"; rc=$?
check "render exit status $rc: $(head -3 "$out/stderr")" '[ $rc = 0 ]'
"$cli" render -d "$out/tall.xml" --dump -q > "$out/tall.dump" 2>> "$out/stderr"
pdf="$out/pdf/tall.pdf"
pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
check "the tall row takes several pages, not $pages" '[ "${pages:-0}" -ge 4 ]'
pdftotext "$pdf" "$out/tall.txt"
for ((i = 0; i < ${#unit}; i++)); do
    c=${unit:i:1}
    n=$(grep -o "$c" "$out/tall.txt" | wc -l)
    check "'$c' printed $n times, not 399" '[ "$n" = 399 ]'
done
b=$("$here/check_bounds.py" "$pdf" "$out/tall.dump" 2>&1); brc=$?
check "outside page or cell: $(echo "$b" | head -3)" '[ $brc = 0 ]'
# the merged category and the row's short cells on every page it reaches
n=$(grep -c "定量指标" "$out/tall.txt")
check "定量指标 on $n of $pages pages" '[ "$n" -ge "$pages" ]'
n=$(grep -c "首次响应" "$out/tall.txt")
check "首次响应时间 on $n of $((pages - 1)) pages" '[ "$n" -ge $((pages - 1)) ]'

echo "overflow: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
