#!/usr/bin/env bash
# bench/compare/run.sh -- render the one-page sheet of tests/cases/basic/data.xml
# with scorecard and, where installed, Apache FOP (basic.fo + fop.xconf),
# WeasyPrint (basic.html) and Typst (basic.typ); print bytes, embedded fonts
# (name emb/sub/uni from pdffonts), seconds for one document (process start to
# PDF, best of 5) and seconds per document in a batch of N in one process.
#   bench/compare/run.sh [N]     (default 100; 0 skips the batch timings)
# Typst: a `typst` >= 0.11 on PATH, else Typst 0.14 from the npm package
# @myriaddreamin/typst-ts-node-compiler installed under $TYPST_TS:
#   npm install --prefix /tmp/typst-npm @myriaddreamin/typst-ts-node-compiler@0.7.0
# FOP, WeasyPrint, mutool: apt-get install fop weasyprint mupdf-tools
# Results of 2026-11-23 are in docs/performance.md ("Against FOP, ...").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
n=${1:-100}
out=$(mktemp -d /tmp/compare.XXXXXX); trap 'rm -rf "$out"' EXIT
TYPST_TS=${TYPST_TS:-/tmp/typst-npm/node_modules}
cd "$here"

best5() {  # best wall-clock seconds of 5 runs of "$@"
    local best=999 t0 t1
    for _ in 1 2 3 4 5; do
        t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
        best=$(awk -v a="$t0" -v b="$t1" -v c="$best" 'BEGIN { d = b - a; printf "%.3f", d < c ? d : c }')
    done
    echo "$best"
}
row() {  # tool version pdf one-doc-seconds batch-seconds-per-doc
    local fonts
    fonts=$(pdffonts "$3" | awk 'NR > 2 { n = $1; sub(/^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/, "", n);
                                          printf "%s %s/%s/%s  ", n, $(NF-4), $(NF-3), $(NF-2) }')
    printf '%-12s %-10s %7d  %-6s %-8s %s\n' "$1" "$2" "$(stat -c %s "$3")" "$4" "$5" "$fonts"
}
printf '%-12s %-10s %7s  %-6s %-8s %s\n' tool version bytes '1doc s' 's/doc' 'fonts (emb/sub/uni)'

# scorecard: batch figure is bench/run.sh N (examples/kefu-2026-10.xml, another sheet)
sc() { "$root/build/scorecard" render -d "$root/tests/cases/basic/data.xml" -o "$out" -n scorecard.pdf -q; }
t=$(best5 sc); sc; b=-
[ "$n" -gt 0 ] && b=$("$root/bench/run.sh" "$n" | awk '/documents\/second/ { printf "%.4f", 1 / $2 }')
row scorecard "$("$root/build/scorecard" --version | cut -d' ' -f2)" "$out/scorecard.pdf" "$t" "$b"

if command -v fop >/dev/null; then  # batch: one JVM, one FopFactory (FopBatch.java)
    f() { fop -q -c fop.xconf -fo basic.fo -pdf "$out/fop.pdf"; }
    t=$(best5 f); f 2>/dev/null; b=-
    cp=$(ls /usr/share/java/{fop,commons-io,commons-logging,batik-all,xmlgraphics-commons,xml-apis-ext,fontbox2}.jar | paste -sd:)
    [ "$n" -gt 0 ] && b=$(java -cp "$cp" FopBatch.java fop.xconf basic.fo "$out/fopb.pdf" "$n" 2>/dev/null)
    row fop "$(fop -version 2>/dev/null | awk '{ print $3 }')" "$out/fop.pdf" "$t" "$b"
else echo "fop: not installed (apt-get install fop), skipped"; fi

if command -v weasyprint >/dev/null; then  # batch: one Python process
    w() { weasyprint basic.html "$out/weasy.pdf"; }
    t=$(best5 w); w; b=-
    [ "$n" -gt 0 ] && b=$(/usr/bin/python3 -c 'import sys, time, weasyprint
t = time.time(); n = int(sys.argv[1])
for _ in range(n): weasyprint.HTML("basic.html").write_pdf(sys.argv[2])
print("%.4f" % ((time.time() - t) / n))' "$n" "$out/weasyb.pdf" 2>/dev/null)
    row weasyprint "$(weasyprint --version | awk '{ print $3 }')" "$out/weasy.pdf" "$t" "$b"
else echo "weasyprint: not installed (apt-get install weasyprint), skipped"; fi

fp="--font-path /usr/share/fonts/truetype/arphic --font-path /usr/share/fonts/truetype/wqy"
if command -v typst >/dev/null && typst compile $fp basic.typ "$out/typst.pdf" 2>/dev/null; then
    ty() { typst compile $fp basic.typ "$out/typst.pdf"; }   # no batch mode in the CLI
    row typst "$(typst --version | awk '{ print $2 }')" "$out/typst.pdf" "$(best5 ty)" -
elif [ -d "$TYPST_TS/@myriaddreamin/typst-ts-node-compiler" ]; then  # batch: typst-ts.js N
    export NODE_PATH=$TYPST_TS
    for tags in 1 0; do
        ty() { TYPST_TAGS=$tags node typst-ts.js basic.typ "$out/typst$tags.pdf"; }
        t=$(best5 ty); ty; b=-
        [ "$n" -gt 0 ] && b=$(TYPST_TAGS=$tags node typst-ts.js basic.typ "$out/typstb.pdf" "$n")
        row "typst$([ $tags = 0 ] && echo ' -tags')" 0.14/ts0.7 "$out/typst$tags.pdf" "$t" "$b"
    done
else echo "typst: no typst >= 0.11 on PATH and no typst-ts in $TYPST_TS, skipped"; fi

# where the bytes go: font programs (stored/raw, glyphs, sfnt tables) per PDF
rm -f "$out"/*b.pdf
if command -v mutool >/dev/null; then /usr/bin/python3 fontstat.py "$out"/*.pdf 2>/dev/null
else echo "fontstat.py: needs mutool (apt-get install mupdf-tools)"; fi
