#!/usr/bin/env bash
# check_examples.sh -- render every example batch as a user would and check
# each PDF: qpdf --check clean, every font embedded, the employee's name and
# the form title in the extracted text; then the combined print file: one
# outline entry per employee, each employee starting on a new page.
set -u
cli=$1 examples=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
for data in "$examples"/*.xml; do
    b=$(basename "$data" .xml)
    "$cli" render -d "$data" -o "$out/$b" -q 2> "$out/$b.stderr"; rc=$?
    check "$b: render exit status $rc: $(head -3 "$out/$b.stderr")" '[ $rc = 0 ]'
    n_emp=$(grep -c '<employee ' "$data")
    n_pdf=$(ls "$out/$b"/*.pdf 2>/dev/null | wc -l)
    check "$b: $n_pdf PDFs for $n_emp employees" '[ "$n_pdf" = "$n_emp" ]'
    for pdf in "$out/$b"/*.pdf; do
        [ -f "$pdf" ] || continue
        p=$(basename "$pdf")
        check "$p: qpdf --check" 'qpdf --check "$pdf" > /dev/null 2>&1'
        check "$p: fonts not all embedded" '! pdffonts "$pdf" | awk "NR > 2 && \$(NF-4) != \"yes\" { bad = 1 } END { exit !bad }"'
        txt=$(pdftotext -layout "$pdf" - 2>/dev/null)
        # file name is period_id_name.pdf: the name must be on the page
        pname=${p%.pdf}; pname=${pname##*_}
        check "$p: name '$pname' not in text" '[[ "$txt" == *"$pname"* ]]'
        check "$p: title not in text" '[[ "$txt" == *考核表* ]]'
        check "$p: signature note not in text" '[[ "$txt" == *被考核人* ]]'
    done
    "$cli" render -d "$data" --combined "$out/$b-all.pdf" -q 2>> "$out/$b.stderr"
    check "$b: combined qpdf --check" 'qpdf --check "$out/$b-all.pdf" > /dev/null 2>&1'
    n_out=$(mutool show "$out/$b-all.pdf" outline 2>/dev/null | grep -c .)
    check "$b: combined outline has $n_out entries for $n_emp employees" '[ "$n_out" = "$n_emp" ]'
done
echo "examples: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
