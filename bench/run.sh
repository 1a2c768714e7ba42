#!/usr/bin/env bash
# bench/run.sh -- repeatable benchmark of `scorecard render` (one PDF per
# employee into a fresh folder) on generated batches: N employees made
# from those of an example batch (make_data), each with its own id and
# name.
#
#   bench/run.sh [N...]            default: 1000 10000
#
# For each shape (basic: the one-page sheet of tests/cases/basic; kefu:
# the two-page 客服 sheet of examples/kefu-2026-10.xml), each N and each
# --jobs value it prints documents/s, pages/s, KiB per document (file
# sizes), peak RSS and CPU (user + system) per document.  Environment:
#
#   SHAPES="basic kefu"   JOBS="1 2"   ROUNDS=1
#   CLI=./build/scorecard            the binary measured
#   KEEP_MB=4000                     outputs kept before they are removed
#                                    (see spare below)
#   BASELINE=path/to/scorecard       also run this one, alternately with
#                                    CLI (A B A B ...), and print the
#                                    median of each and their ratio
#   FONTWORK=1                       font work per document (kefu, first N)
#   TYPST_TS=/tmp/typst-npm/node_modules   Typst's documents/s for the same
#                                    basic sheet (bench/compare/typst-ts.js),
#                                    when @myriaddreamin/typst-ts-node-compiler
#                                    is installed there
#
# The machine has 2 cores and is shared: compare only runs made
# alternately, and quote medians (docs/performance.md says how).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(1000 10000)
shapes=${SHAPES:-basic kefu}
jobs_list=${JOBS:-1 2}
rounds=${ROUNDS:-1}
cli=${CLI:-./build/scorecard}
base=${BASELINE:-}
[ -x "$cli" ] || { echo "bench: build first (./dev test), or set CLI" >&2; exit 2; }
[ -z "$base" ] || [ -x "$base" ] || { echo "bench: BASELINE $base is not a program" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d /tmp/scorecard-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# a batch may name a shared scheme file relative to itself
cp -r examples/schemes "$work/"

source_of() {
    case $1 in
    basic) echo tests/cases/basic/data.xml ;;
    kefu) echo examples/kefu-2026-10.xml ;;
    *) echo "bench: unknown shape $1 (basic, kefu)" >&2; exit 2 ;;
    esac
}

# Header, N employees: the employees of the batch's own form (those without
# a template of their own) in turn, with fresh ids and names.  Rotating them
# keeps comments and results as varied as a real department's; N copies of
# one employee would let a document share its comment with all the others.
make_data() { # SRC N OUT
    local names=(张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄丽 周杰 吴婷 徐强 孙悦 马超 朱琳 胡军 郭蕾)
    awk -v n="$2" -v names="${names[*]}" '
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
    ' "$1" > "$3"
}

# One run: prints "docs/s pages/s KiB/doc RSS-MiB CPU-ms/doc".  A binary
# from before --jobs runs one job: with more, "0 0 0 0 0".
#
# Outputs are not deleted right after a run: this machine's ext4 has no
# journal, and then creating a file scans past every inode freed in the
# last ~30 s (ext4 recently_deleted), which in a delete-and-recreate loop
# costs ~1 ms of kernel time per file that a real run into a new month's
# folder never pays.  Each run writes into a folder of its own; when the
# kept folders pass KEEP_MB (default 4000) they are removed together and
# the next run waits until 31 s have passed.
keep_mb=${KEEP_MB:-4000}
runs=0
freed_at=0
spare() {
    local mb
    mb=$(du -sm "$work" | awk '{ print $1 }')
    if [ "$mb" -gt "$keep_mb" ]; then
        rm -rf "$work"/out.*
        sync
        freed_at=$(date +%s)
    fi
    local wait=$((freed_at + 31 - $(date +%s)))
    [ "$wait" -le 0 ] || sleep "$wait"
}
measure() { # BIN DATA JOBS
    runs=$((runs + 1))
    local out=$work/out.$runs jobs=(--jobs "$3")
    "$1" --help | grep -q -- --jobs || {
        [ "$3" = 1 ] || { echo "0 0 0 0 0"; return; }
        jobs=()
    }
    spare
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        "$1" render -d "$2" -o "$out" "${jobs[@]}" > "$work/says" 2>&1 ||
        { cat "$work/says" >&2; exit 1; }
    local secs user sys rss docs pages bytes
    read -r secs user sys rss < "$work/time"
    docs=$(find "$out" -type f -name '*.pdf' | wc -l)
    pages=$(sed -n 's/.*documents, \([0-9]*\) pages.*/\1/p' "$work/says")
    bytes=$(find "$out" -type f -name '*.pdf' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    awk -v d="$docs" -v p="${pages:-0}" -v s="$secs" -v u="$user" -v y="$sys" -v r="$rss" -v b="$bytes" 'BEGIN {
        if (s <= 0) s = 0.01
        printf "%.0f %.0f %.2f %.1f %.3f\n", d / s, p / s, b / 1024 / d, r / 1024, (u + y) * 1000 / d }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the column k (1-5) of a file of runs, as its median
col() { awk -v k="$2" '{ print $k }' "$1" | median; }

hdr="%-6s %6s %4s | %8s %8s %8s %8s %9s"
[ -z "$base" ] || hdr="%-6s %6s %4s | %20s %20s %20s %20s %22s"
printf "$hdr\n" shape N jobs docs/s pages/s KiB/doc RSS-MiB CPU-ms/doc
[ -z "$base" ] || echo "(each cell: this build / baseline $base = ratio; medians of $rounds alternated rounds)"
for shape in $shapes; do
    src=$(source_of "$shape")
    for n in "${ns[@]}"; do
        data=$work/$shape-$n.xml
        make_data "$src" "$n" "$data"
        for j in $jobs_list; do
            : > "$work/a"
            : > "$work/b"
            for _ in $(seq "$rounds"); do
                measure "$cli" "$data" "$j" >> "$work/a"
                [ -z "$base" ] || measure "$base" "$data" "$j" >> "$work/b"
            done
            row=()
            for k in 1 2 3 4 5; do
                a=$(col "$work/a" $k)
                if [ -n "$base" ]; then
                    b=$(col "$work/b" $k)
                    row+=("$a / $b = $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')")
                else
                    row+=("$a")
                fi
            done
            printf "$hdr\n" "$shape" "$n" "$j" "${row[@]}"
        done
    done
done

# The font share of each kefu document, timed inside the library
# (bench/fontwork.c), and Typst on the same basic sheet.
if [ -n "${FONTWORK:-}" ] && [ -x ./build/scorecard-fontwork ]; then
    make_data "$(source_of kefu)" "${ns[0]}" "$work/fw.xml"
    ./build/scorecard-fontwork "$work/fw.xml" "$work"
fi
TYPST_TS=${TYPST_TS:-/tmp/typst-npm/node_modules}
if [ -d "$TYPST_TS/@myriaddreamin/typst-ts-node-compiler" ] && command -v node > /dev/null; then
    n=${ns[0]}
    spd=$(cd bench/compare && NODE_PATH=$TYPST_TS TYPST_TAGS=1 node typst-ts.js basic.typ "$work/typst.pdf" "$n")
    awk -v s="$spd" -v n="$n" 'BEGIN { printf "typst  %6d    1 | %8.0f   (Typst 0.14 via typst-ts, the basic sheet, one process)\n", n, (s > 0 ? 1 / s : 0) }'
fi
