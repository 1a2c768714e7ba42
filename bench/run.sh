#!/usr/bin/env bash
# bench/run.sh -- repeatable benchmark: generate N employees from the
# employees of an example batch, render one PDF each, and report documents
# per second, KB per document, peak RSS and font work per document.
#   bench/run.sh [N] [example.xml]       (default: 1000, examples/kefu-2026-10.xml)
# Needs a built ./build/scorecard (./dev examples or ./dev test builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
src=${2:-examples/kefu-2026-10.xml}
cli=./build/scorecard
[ -x "$cli" ] || { echo "bench: build first (./dev test)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d /tmp/scorecard-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
data=$work/bench.xml
# a batch may name a shared scheme file relative to itself
[ -d "$(dirname "$src")/schemes" ] && cp -r "$(dirname "$src")/schemes" "$work/"

# Header, N employees: the employees of the batch's own form (those without
# a template of their own) in turn, with fresh ids and names.  Rotating them
# keeps comments and results as varied as a real department's; N copies of
# one employee would let a document share its comment with all the others.
names=(张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄丽 周杰 吴婷 徐强 孙悦 马超 朱琳 胡军 郭蕾)
awk -v n="$n" -v names="${names[*]}" '
    BEGIN { split(names, nm, " "); state = 0; k = 0 }
    state == 0 && /<employee[ >]/ { state = 1 }
    state == 0 { print; next }
    state == 1 && /<employee[ >]/ { emp = ""; own = /template="/ }
    state == 1 && !/<\/batch>/ {
        emp = emp $0 "\n"
        if (/<\/employee>/ && !own) emps[++k] = emp
        next
    }
    state == 1 && /<\/batch>/ {
        for (i = 1; i <= n; i++) {
            e = emps[(i - 1) % k + 1]
            sub(/id="[^"]*"/, sprintf("id=\"B%06d\"", i), e)
            sub(/<name>[^<]*<\/name>/, "<name>" nm[(i - 1) % 16 + 1] "</name>", e)
            printf "%s", e
        }
        print; next
    }
' "$src" > "$data"

echo "bench: $n employees from $src ($(du -k "$data" | cut -f1) KB of XML)"
/usr/bin/time -f "%e %M" -o "$work/time" "$cli" render -d "$data" -o "$work/out" -q
read -r secs rss_kb < "$work/time"
docs=$(ls "$work/out"/*.pdf | wc -l) # the sheets, not the run's manifest
# file sizes, not disk blocks (du -sk counted 4 KB blocks: 76.1 "KB")
kb=$(find "$work/out" -type f -name '*.pdf' -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1024 }')
awk -v d="$docs" -v s="$secs" -v kb="$kb" -v rss="$rss_kb" 'BEGIN {
    printf "documents: %d\nseconds: %.2f\ndocuments/second: %.1f\nKB/document: %.1f\npeak RSS: %.1f MB\n",
           d, s, (s > 0 ? d / s : 0), kb / d, rss / 1024 }'
# The font share of each document, timed inside the library (bench/fontwork.c)
if [ -x ./build/scorecard-fontwork ]; then
    ./build/scorecard-fontwork "$data" "$work"
fi
