#!/usr/bin/env bash
# check_examples.sh -- render every example batch as a user would and check
# each employee's PDF: tests/fonts/check_pdf.sh (qpdf --check clean, every
# font embedded, subset and with ToUnicode, pdftotext silent, mutool and
# pdftotext extract the same text); the form's title
# (tests/example-titles.txt) and, in the extracted text, the
# employee's name and every KPI indicator of the record.  Then the figures:
# `scorecard check` lists each sheet's figures (total, grade, bonus, … as
# the template declares them, those the engine computes verified against it
# by the library); every one of them must be printed whole on the sheet,
# and its label must be the sheet's (check_figures below).  The layout dump
# of each batch goes through tests/check_typography.py: no lone last
# character, no number split from its unit, no operator at a line end; the
# sheets of the batches in tests/example-one-page.txt (monthly forms) each
# print on one page.  Then the combined print book: the department
# summary, then one outline entry per employee.
set -u
cli=$1 examples=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
# check_figures CSV LABELS ID TEXT: the figures `check` reports for ID (the
# CSV row), each whole in the sheet's text, each under a label (the text
# table's header: labels joined by / when a batch has several forms) that
# the sheet prints.  Prints what is wrong, nothing if all is right.
check_figures() {
    python3 - "$@" <<'PY'
import csv, re, sys
csvf, labf, emp, txtf = sys.argv[1:]
rows = list(csv.reader(open(csvf, encoding="utf-8", newline="")))
keys, row = rows[0], next((r for r in rows[1:] if r and r[0] == emp), None)
heads = re.split(r"\s{2,}", open(labf, encoding="utf-8").read().strip())
text = open(txtf, encoding="utf-8").read()
flat = re.sub(r"\s", "", text)
bad = []
# the figures: between name and status (period and department follow)
for i, key in enumerate(keys[2:keys.index("status")], start=2):
    value = row[i] if row else ""
    label = heads[i] if i < len(heads) else ""
    if value and not re.search(r"(?<![\d.])" + re.escape(value) + r"(?![\d])", text):
        bad.append("figure %s = %s is not printed whole" % (key, value))
    if value and not any(l and l in flat for l in label.split("/")):
        bad.append("figure %s: no label of '%s' on the sheet" % (key, label))
print("; ".join(bad))
PY
}
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
titles="$(dirname "$0")/example-titles.txt"
one_page="$(dirname "$0")/example-one-page.txt"
typo="$(dirname "$0")/check_typography.py"
fontcheck="$(dirname "$0")/fonts/check_pdf.sh"
for data in "$examples"/*.xml; do
    b=$(basename "$data" .xml)
    title=$(awk -v b="$b" '$1 == b { print $2 }' "$titles")
    check "$b: no title in $(basename "$titles")" '[ -n "$title" ]'
    "$cli" render -d "$data" -o "$out/$b" -q 2> "$out/$b.stderr"; rc=$?
    check "$b: render exit status $rc: $(head -3 "$out/$b.stderr")" '[ $rc = 0 ]'
    n_emp=$(grep -c '<employee ' "$data")
    n_pdf=$(ls "$out/$b"/*.pdf 2>/dev/null | wc -l)
    check "$b: $n_pdf PDFs for $n_emp employees" '[ "$n_pdf" = "$n_emp" ]'
    "$cli" check -d "$data" --format csv -q > "$out/$b.csv" 2>> "$out/$b.stderr"
    "$cli" check -d "$data" -q 2>> "$out/$b.stderr" | head -1 > "$out/$b.labels"
    check "$b: check lists no figures" '[ "$(head -1 "$out/$b.csv" | tr -d "\r")" != "id,name,status,period,department" ]' 
    # e.g. a total broken inside because its column is too narrow
    check "$b: warnings: $(grep -m1 warning "$out/$b.stderr")" '! grep -q warning "$out/$b.stderr"'
    "$cli" render -d "$data" --dump -q > "$out/$b.dump" 2>> "$out/$b.stderr"
    ty=$("$typo" "$out/$b.dump" 2>&1); tyrc=$?
    check "$b: line breaks: $(echo "$ty" | head -3)" '[ $tyrc = 0 ]'
    if grep -qx "$b" "$one_page"; then
        multi=$(grep '^document pages=' "$out/$b.dump" | grep -v '^document pages=1 ' | head -1)
        check "$b: a monthly sheet on more than one page: $multi" '[ -z "$multi" ]'
    fi
    for pdf in "$out/$b"/*.pdf; do
        [ -f "$pdf" ] || continue
        p=$(basename "$pdf" .pdf)
        id=$(echo "$p" | cut -d_ -f2)
        name=${p#*_*_}
        # qpdf clean; fonts emb/sub/uni; pdftotext silent; mutool agrees
        fc=$(sh "$fontcheck" "$pdf" 2>&1); fcrc=$?
        check "$p: $(echo "$fc" | head -3)" '[ $fcrc = 0 ]'
        pdftotext -raw "$pdf" "$out/$p.txt" 2> /dev/null
        # whitespace removed: a name wrapped inside a cell still matches
        flat=$(tr -d ' \n\t' < "$out/$p.txt")
        check "$p: name '$name' not in text" '[[ "$flat" == *"$name"* ]]'
        # a department batch may hold several forms: titles are A|B
        has_title=0
        IFS='|' read -r -a alts <<< "$title"
        for a in "${alts[@]}"; do [[ "$flat" == *"$a"* ]] && has_title=1; done
        check "$p: title '$title' not in text" '[ $has_title = 1 ]'
        while IFS= read -r kpi; do
            kpi=$(echo "$kpi" | tr -d ' \t')
            [ -n "$kpi" ] || continue
            check "$p: KPI '$kpi' not in text" '[[ "$flat" == *"$kpi"* ]]'
        done < <(xmllint --xpath "//employee[@id='$id']//kpi/indicator/text()" "$data" 2>/dev/null)
        # not flattened: a figure must never be broken over two lines
        fig=$(check_figures "$out/$b.csv" "$out/$b.labels" "$id" "$out/$p.txt")
        check "$p: $fig" '[ -z "$fig" ]'
    done
    "$cli" render -d "$data" --combined "$out/$b-all.pdf" -q 2>> "$out/$b.stderr"
    check "$b: combined qpdf --check" 'qpdf --check "$out/$b-all.pdf" > /dev/null 2>&1'
    # the department summary first, then one entry per employee
    n_out=$(mutool show "$out/$b-all.pdf" outline 2>/dev/null | grep -c .)
    check "$b: combined outline has $n_out entries for $n_emp employees and the summary" \
        '[ "$n_out" = "$((n_emp + 1))" ]'
    check "$b: the summary comes first in the outline" \
        'mutool show "$out/$b-all.pdf" outline | head -1 | grep -q 部门绩效汇总表'
done
echo "examples: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
