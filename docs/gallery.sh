#!/usr/bin/env bash
# docs/gallery.sh -- rebuild docs/gallery.md and docs/gallery/*.png from the
# real output: page 1 of the first employee of every example batch.
#   docs/gallery.sh            (needs ./build/scorecard: ./dev examples builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=./build/scorecard
[ -x "$cli" ] || { echo "gallery: build first (./dev examples)" >&2; exit 2; }
work=$(mktemp -d /tmp/scorecard-gallery.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -f docs/gallery/*.png
{
    echo "# Gallery"
    echo
    echo "Page 1 of the first employee of every example batch, as \`scorecard\` renders it."
    echo "Made by \`docs/gallery.sh\` from the real output; run it again after changing a"
    echo "template or an example."
    echo
    for data in examples/*.xml; do
        b=$(basename "$data" .xml)
        "$cli" render -d "$data" -o "$work/$b" -q
        # the batch's first employee, in document order (not file-name order)
        id=$(grep -o -m1 '<employee id="[^"]*"' "$data" | sed 's/.*id="\([^"]*\)"/\1/')
        first=$(ls "$work/$b"/*_"$id"_*.pdf 2>/dev/null | head -1)
        [ -n "$first" ] || first=$(ls "$work/$b"/*.pdf | head -1)
        pdftoppm -r 60 -f 1 -l 1 -singlefile -png "$first" "docs/gallery/$b"
        template=$(sed -n 's/.*<batch[^>]* template="\([^"]*\)".*/\1/p' "$data" | head -1)
        pages=$(pdfinfo "$first" | awk '/^Pages:/ { print $2 }')
        # the form's title: the first line of page 1 that names the form
        title=$(pdftotext -f 1 -l 1 -layout "$first" - 2>/dev/null |
                grep -m1 -E '考核表|评分表|績效|一览|奖金|指标|考核' | sed 's/^ *//; s/  .*//' || true)
        echo "## ${title:-$b}"
        echo
        echo "\`examples/$b.xml\` with \`templates/$template.xml\` — $(basename "$first"), $pages page(s)"
        echo
        echo "![$b](gallery/$b.png)"
        echo
    done
    # the monthly print run: a rater's stack, duplex, the summary in front
    "$cli" render -d examples/kefu-2026-10.xml --group-by evaluator --sort total \
        -o "$work/stacks" -q
    book=$(ls "$work/stacks"/*李建国*.pdf)
    pdftoppm -r 60 -f 1 -l 1 -singlefile -png "$book" docs/gallery/print-summary
    pdftoppm -r 60 -f 2 -l 2 -singlefile -png "$book" docs/gallery/print-blank
    pdftoppm -r 60 -f 3 -l 3 -singlefile -png "$book" docs/gallery/print-first
    echo "## 部门绩效汇总表 (the print run)"
    echo
    echo "\`scorecard render -d examples/kefu-2026-10.xml --group-by evaluator --sort total -o out/\`:"
    echo "$(basename "$book"), $(pdfinfo "$book" | awk '/^Pages:/ { print $2 }') pages: page 1, the"
    echo "summary of 李建国's team (\`templates/dept-summary.xml\`); page 2, the blank back"
    echo "(此页无正文) that lets the first sheet start on a front page; page 3, that sheet."
    echo
    echo "![summary](gallery/print-summary.png) ![blank back](gallery/print-blank.png)"
    echo "![first sheet](gallery/print-first.png)"
    echo
} > docs/gallery.md
echo "gallery: $(ls docs/gallery/*.png | wc -l) pages in docs/gallery.md"
