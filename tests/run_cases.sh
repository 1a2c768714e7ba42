#!/usr/bin/env bash
# run_cases.sh -- golden tests: each folder of tests/cases holds data.xml,
# an optional template.xml, and the expected layout dump (expected.dump)
# and extracted text (expected.txt).  The PDF must also pass qpdf --check
# with every font embedded.  SC_UPDATE_GOLDEN=1 rewrites the expectations
# (then read the diff before committing it).
set -u
cli=$1 cases=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
failed() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
for dir in "$cases"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    args=(-d "$dir/data.xml")
    [ -f "$dir/template.xml" ] && args+=(-t "$dir/template.xml")
    mkdir -p "$out/$name"
    if ! "$cli" render "${args[@]}" --dump -q > "$out/$name/got.dump" 2> "$out/$name/stderr"; then
        failed "$name" "render --dump failed: $(head -3 "$out/$name/stderr")"; continue
    fi
    if ! "$cli" render "${args[@]}" -o "$out/$name/pdf" -n case.pdf -q 2>> "$out/$name/stderr"; then
        failed "$name" "render failed: $(head -3 "$out/$name/stderr")"; continue
    fi
    pdf="$out/$name/pdf/case.pdf"
    pdftotext -layout "$pdf" "$out/$name/got.txt" 2> "$out/$name/pdftotext.err"
    if [ "${SC_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$out/$name/got.dump" "$dir/expected.dump"
        cp "$out/$name/got.txt" "$dir/expected.txt"
    fi
    ok=1
    if [ ! -f "$dir/expected.dump" ] || ! diff -u "$dir/expected.dump" "$out/$name/got.dump" > "$out/$name/dump.diff"; then
        failed "$name" "layout dump differs from expected.dump (see $out/$name/dump.diff)"; ok=0
    fi
    if [ ! -f "$dir/expected.txt" ] || ! diff -u "$dir/expected.txt" "$out/$name/got.txt" > "$out/$name/txt.diff"; then
        failed "$name" "pdftotext output differs from expected.txt (see $out/$name/txt.diff)"; ok=0
    fi
    if ! qpdf --check "$pdf" > "$out/$name/qpdf.log" 2>&1; then
        failed "$name" "qpdf --check: $(tail -2 "$out/$name/qpdf.log")"; ok=0
    fi
    if pdffonts "$pdf" | awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit !bad }'; then
        failed "$name" "a font is not embedded: $(pdffonts "$pdf")"; ok=0
    fi
    [ $ok = 1 ] && pass=$((pass + 1))
done
echo "cases: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
