#!/bin/sh
# check_pdf.sh -- the font-related checks every example PDF must pass.
#
# usage: check_pdf.sh FILE.pdf...
#   - qpdf --check is clean;
#   - pdffonts lists every font as embedded, subset and with ToUnicode
#     (emb, sub, uni all "yes");
#   - pdftotext prints no warning or error;
#   - mutool and pdftotext extract the same text (whitespace ignored);
#   - with PDFJS_DIR set (where npm installed pdfjs-dist; ./dev puts it in
#     .deps/pdfjs): pdf.js loads every font without a warning and extracts
#     the same text too (tests/fonts/pdfjs_text.mjs; ~0.5 s a file, so
#     only the tests that ask for it).
# Exit 0 if every file passes; 77 if a tool is missing.
for t in qpdf pdffonts pdftotext mutool; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t is not installed"; exit 77; }
done
rc=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
    if ! qpdf --check "$f" >"$tmp/qpdf" 2>&1; then
        echo "$f: qpdf --check failed:"; cat "$tmp/qpdf"; rc=1
    fi
    pdffonts "$f" >"$tmp/fonts" 2>/dev/null || { echo "$f: pdffonts failed"; rc=1; }
    # columns from the right: object ID (2), uni, sub, emb
    awk 'NR > 2 { if ($(NF-2) != "yes" || $(NF-3) != "yes" || $(NF-4) != "yes") { print FILENAME ": font not embedded/subset/unicode: " $0; bad = 1 } }
         END { exit bad }' "$tmp/fonts" || { echo "  (in $f)"; rc=1; }
    if [ "$(awk 'NR > 2' "$tmp/fonts" | wc -l)" -eq 0 ]; then
        echo "$f: no fonts at all"; rc=1
    fi
    # -raw: content-stream order, as mutool reads it
    pdftotext -raw -enc UTF-8 "$f" "$tmp/poppler.txt" 2>"$tmp/warn"
    if [ -s "$tmp/warn" ]; then
        echo "$f: pdftotext warns:"; cat "$tmp/warn"; rc=1
    fi
    mutool draw -q -F txt -o "$tmp/mupdf.txt" "$f" 2>/dev/null
    tr -d ' \t\n\f\r' <"$tmp/poppler.txt" >"$tmp/a"
    tr -d ' \t\n\f\r' <"$tmp/mupdf.txt" >"$tmp/b"
    if ! cmp -s "$tmp/a" "$tmp/b"; then
        echo "$f: mutool and pdftotext extract different text:"
        echo "  pdftotext: $(head -c 300 "$tmp/a")"
        echo "  mutool:    $(head -c 300 "$tmp/b")"
        rc=1
    fi
    if [ -n "${PDFJS_DIR:-}" ]; then
        node "$(dirname "$0")/pdfjs_text.mjs" "$PDFJS_DIR" "$f" >"$tmp/pdfjs.txt"
        jsrc=$?
        [ $jsrc = 77 ] && exit 77
        [ $jsrc = 0 ] || { echo "$f: pdf.js failed"; rc=1; }
        tr -d ' \t\n\f\r' <"$tmp/pdfjs.txt" >"$tmp/c"
        if ! cmp -s "$tmp/a" "$tmp/c"; then
            echo "$f: pdf.js and pdftotext extract different text:"
            echo "  pdftotext: $(head -c 300 "$tmp/a")"
            echo "  pdf.js:    $(head -c 300 "$tmp/c")"
            rc=1
        fi
    fi
done
exit $rc
