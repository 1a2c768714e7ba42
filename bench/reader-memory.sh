#!/usr/bin/env bash
# bench/reader-memory.sh -- peak memory of reading a data file whatever lies
# between its records: the first two employees of an example batch with
# MB megabytes of padding between them, of each kind below, through
# `scorecard check` (read, score, lay out; no PDF) under GNU time.
#   bench/reader-memory.sh [MB] [CLI] [BASELINE-CLI]
#     MB        padding per file (default 200)
#     CLI       the binary to measure (default ./build/scorecard)
#     BASELINE  another binary, run alternately with CLI for comparison
# Kinds: whitespace lines, one unbroken run of whitespace, comments, processing
# instructions, comments and whitespace mixed, one 50 MB comment (past the
# XML parser's 10 MB limit for one piece of markup).  Prints the exit status,
# the records checked and the peak RSS of each run; memory should stay flat
# (the same few MB) for every kind and size.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
cli=${2:-./build/scorecard}
base=${3:-}
src=examples/kefu-2026-10.xml
[ -x "$cli" ] || { echo "bench: build first (./dev test)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d /tmp/scorecard-readmem.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r examples/schemes "$work/"

# make KIND FILE: header, employee 1, MB of KIND, employee 2, </batch>
make() {
    python3 - "$1" "$mb" "$src" > "$2" <<'EOF'
import sys
kind, mb, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(src, encoding='utf-8').read()
head, rest = text.split('<employee', 1)
emps = ['<employee' + e.split('</employee>')[0] + '</employee>\n'
        for e in rest.split('<employee')[:2]]
out = sys.stdout
out.write(head + emps[0])
unit = {'lines': ' ' * 79 + '\n',
        'comments': '<!-- ' + '填充' * 30 + ' -->\n',
        'pis': '<?pad ' + 'y' * 73 + '?>\n',
        'mixed': '<!-- x -->' + ' ' * 69 + '\n'}.get(kind)
n = mb << 20
if kind == 'unbroken':
    block = ' ' * (1 << 20)
    for _ in range(mb):
        out.write(block)
elif kind == 'onecomment':
    out.write('<!--' + 'x' * (50 << 20) + '-->\n')
else:
    out.write(unit * (n // len(unit.encode())))
out.write(emps[1] + '</batch>\n')
EOF
}

run() { # run CLI FILE: "exit records peak-MB"
    local st=0
    /usr/bin/time -f "%M" -o "$work/time" "$1" check -d "$2" > "$work/out" 2> "$work/err" || st=$?
    local recs
    recs=$(grep -c -E '^(KF|DK)[0-9]' "$work/out" || true)
    printf '%d %d %.1f' "$st" "$recs" "$(tail -1 "$work/time" | awk '{ print $1 / 1024 }')"
}

printf '%-11s %5s  %-28s %s\n' kind MB "$cli" "${base:+$base}"
for kind in lines unbroken comments pis mixed onecomment; do
    make "$kind" "$work/pad.xml"
    size=$(du -m "$work/pad.xml" | cut -f1)
    a=$(run "$cli" "$work/pad.xml")
    b=""
    [ -n "$base" ] && b=$(run "$base" "$work/pad.xml")
    # exit status, employees checked (of 2), peak RSS in MB
    printf '%-11s %5s  %-28s %s\n' "$kind" "$size" "exit ${a% * *} rec ${a#* }" "${b:+exit ${b% * *} rec ${b#* }}" |
        sed 's/rec \([0-9]*\) \([0-9.]*\)/rec \1  \2 MB/g'
    rm -f "$work/pad.xml"
done
