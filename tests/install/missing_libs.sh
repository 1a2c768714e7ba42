#!/usr/bin/env bash
# install/missing_libs.sh -- a server without an optional library.
# libcurl, libqpdf, libxlsxwriter and ICU's collation are loaded when a
# feature first needs them (src/lib/dl.h), so a server without one of
# them still renders; the feature that needs it stops before any work,
# with exit status 3 and a message naming the Debian package to install.
# The machine is simulated as the Noto test does: in a mount namespace an
# empty file is bound over the library (needs root and unshare).
set -u
cli=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null; then
    echo "FAIL a machine without a library needs root and unshare to be simulated"
    exit 1
fi
: > "$out/empty"
data=$src/examples/kefu-2026-10.xml
# without SONAME: run the rest of the arguments
without() {
    local so=$1; shift
    local path
    path=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
    [ -n "$path" ] || { echo "no $so on this machine" >&2; return 99; }
    unshare -m sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' "$out/empty" "$path" "$@"
}
# the Debian package that has SONAME, as dpkg knows it
package() {
    local path pkg
    path=$(ldconfig -p | awk -v s="$1" '$1 == s { print $NF; exit }')
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null)
    echo "${pkg%%:*}"
}
sonames=$(readelf -p .rodata "$cli" | grep -oE 'lib[A-Za-z0-9_+-]+\.so(\.[0-9]+)+' | sort -u)
for so in libcurl.so.4 libqpdf.so.29 libxlsxwriter.so.4 libicui18n.so.72; do
    check "$so is loaded by name (the binary has no such string: the build links another version?)" \
        'grep -qxF "$so" <<< "$sonames"'
done

# expect NAME SONAME STEM COMMAND...: exit 3, the message names SONAME and
# its package, and nothing is left at $out/STEM
expect() {
    local name=$1 so=$2 stem=$3; shift 3
    without "$so" "$@" > "$out/$name.out" 2> "$out/$name.err"
    local rc=$? pkg
    pkg=$(package "$so")
    check "$name without $so: exit $rc, not 3: $(head -3 "$out/$name.err")" '[ $rc = 3 ]'
    check "$name without $so: the message names $so and the package '$pkg': $(head -3 "$out/$name.err")" \
        '[ -n "$pkg" ] && grep -qF "$so" "$out/$name.err" && grep -qF "install the Debian package $pkg" "$out/$name.err"'
    check "$name without $so: one line, no record's: $(wc -l < "$out/$name.err") lines" \
        '[ "$(wc -l < "$out/$name.err")" = 1 ]'
    check "$name without $so: nothing written at $stem" '[ ! -e "$out/$stem" ]'
}
expect mail libcurl.so.4 mailed \
    env -u SCORECARD_SMTP_PASSWORD "$cli" mail -q -d "$data" -o "$out/mailed" --from hr@example.com --no-encryption \
    --smtp smtp://127.0.0.1:1
expect encrypt libqpdf.so.29 encrypted \
    "$cli" render -q -d "$data" -o "$out/encrypted" --password-from '{id-number:-6}'
expect xlsx libxlsxwriter.so.4 table.xlsx \
    "$cli" check -q -d "$data" --format xlsx -o "$out/table.xlsx"
expect sort libicui18n.so.72 book.pdf \
    "$cli" render -q -d "$data" --combined "$out/book.pdf" --sort name

# the rest of the program does not need them: every one of them hidden
mkdir -p "$out/plain"
without libcurl.so.4 sh -c 'mount --bind "$0" "$1" && mount --bind "$0" "$2" && mount --bind "$0" "$3" && shift 3 && exec "$@"' \
    "$out/empty" "$(ldconfig -p | awk '$1 == "libqpdf.so.29" { print $NF; exit }')" \
    "$(ldconfig -p | awk '$1 == "libxlsxwriter.so.4" { print $NF; exit }')" \
    "$(ldconfig -p | awk '$1 == "libicui18n.so.72" { print $NF; exit }')" \
    sh -c "'$cli' render -q -d '$data' -o '$out/plain/sheets' && '$cli' render -q -d '$data' --combined '$out/plain/book.pdf' --sort total && '$cli' check -q -d '$data' --format csv -o '$out/plain/table.csv' && '$cli' mail -q -d '$data' -o '$out/plain/m' --from hr@example.com --no-encryption --dry-run '$out/plain/eml'" \
    > "$out/plain.out" 2> "$out/plain.err"
rc=$?
check "render, book, check and mail --dry-run without any of them: exit $rc: $(head -3 "$out/plain.err")" '[ $rc = 0 ]'
check "12 sheets without them" '[ "$(ls "$out/plain/sheets"/*.pdf 2>/dev/null | wc -l)" = 12 ]'
check "the book without them" '[ -s "$out/plain/book.pdf" ]'
check "the CSV table without them" '[ -s "$out/plain/table.csv" ]'
check "12 dry-run messages without them" '[ "$(ls "$out/plain/eml" 2>/dev/null | wc -l)" -ge 12 ]'
echo "missing libraries: $pass passed, $fail failed"
[ $fail = 0 ]
