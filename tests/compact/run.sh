#!/usr/bin/env bash
# compact/run.sh -- the form declared once (docs/data-format.md): the
# example examples/dakehu-specialist-2026-10.xml gives per employee only
# the results, its scheme the definitions and the bonus base; this folder
# holds the same batch with every sheet in full (as the example was
# before).  Both must give the same table and byte for byte the same PDFs.
set -u
cli=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
fail=0
"$cli" check -d "$src/examples/dakehu-specialist-2026-10.xml" --format csv -q > "$out/compact.csv" || fail=1
"$cli" check -d "$src/tests/compact/dakehu-specialist-full.xml" --format csv -q > "$out/full.csv" || fail=1
cmp -s "$out/compact.csv" "$out/full.csv" || { echo "FAIL: check tables differ"; diff "$out/compact.csv" "$out/full.csv"; fail=1; }
[ "$(grep -c ',ok,' "$out/compact.csv")" = 3 ] || { echo "FAIL: 3 ok lines expected"; cat "$out/compact.csv"; fail=1; }
"$cli" render -q -d "$src/examples/dakehu-specialist-2026-10.xml" -o "$out/compact" || fail=1
"$cli" render -q -d "$src/tests/compact/dakehu-specialist-full.xml" -o "$out/full" || fail=1
n=0
for f in "$out/full"/*.pdf; do
    n=$((n + 1))
    cmp -s "$f" "$out/compact/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs"; fail=1; }
done
[ $n = 3 ] || { echo "FAIL: $n PDFs, expected 3"; fail=1; }
[ $fail = 0 ] && echo "compact: the form declared once gives the same sheets"
exit $fail
