#!/usr/bin/env bash
# install/missing_libs.sh -- a server without an optional library.
# libcurl, libqpdf, libxlsxwriter, ICU's collation, libcrypto, HarfBuzz's
# subsetter and fontconfig are loaded when a feature first needs them
# (src/lib/dl.h), so a server without one of them still renders; the
# feature that needs it stops before any work, with exit status 3 and a
# message naming the Debian package to install.
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
for so in libcurl.so.4 libqpdf.so.29 libxlsxwriter.so.4 libicui18n.so.72 libcrypto.so.3 \
    libharfbuzz-subset.so.0 libfontconfig.so.1; do
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

# libcrypto: sign and verify only (the digests every rendered file has
# are Nettle's, which is linked: the sheets with their manifest, the
# archive copies and the mail files are made without it, below)
mkdir -p "$out/in"
"$cli" render -q -d "$data" -o "$out/in" --manifest '' 2> /dev/null
sheet=$(ls "$out/in"/*.pdf | head -1)
echo "never read: the library is missing before the key is read" > "$out/in/key.pem"
expect sign libcrypto.so.3 signed.pdf \
    "$cli" sign "$sheet" --key "$out/in/key.pem" -o "$out/signed.pdf"
expect verify libcrypto.so.3 nothing \
    "$cli" verify "$sheet"
# HarfBuzz: a map of CFF fonts (Noto CJK) stops at the first such font,
# which the message names
expect cff libharfbuzz-subset.so.0 noto \
    "$cli" render -q -d "$data" -o "$out/noto" --fonts "$src/fonts/noto.xml"
check "cff without HarfBuzz: the message names the font file: $(head -1 "$out/cff.err")" \
    'grep -qF "cannot use font /usr/share/fonts/opentype/noto/" "$out/cff.err"'
# fontconfig: a family whose file is not there is looked for through it;
# found neither way, the message says fontconfig could not be loaded
printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' '<fonts><role name="body">' \
    '<font family="AR PL UMing CN" file="not-here/uming.ttc" index="0"/>' \
    '</role></fonts>' > "$out/by-family.xml"
expect fontconfig libfontconfig.so.1 by-family \
    "$cli" render -q -d "$data" -o "$out/by-family" --fonts "$out/by-family.xml"
check "fontconfig missing: the font is said to be not installed: $(head -1 "$out/fontconfig.err")" \
    'grep -qF "is installed (looked for AR PL UMing CN)" "$out/fontconfig.err"'
"$cli" render -q -d "$data" -o "$out/by-family-fc" --fonts "$out/by-family.xml" 2> "$out/by-family-fc.err"
rc=$?
check "the same map with fontconfig: found by its family, exit $rc: $(head -2 "$out/by-family-fc.err")" \
    '[ $rc = 0 ]'

# without every SONAME of the list $1: run the rest of the arguments
without_all() {
    local sos=$1 mounts="" so path
    shift
    for so in $sos; do
        path=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
        [ -n "$path" ] || { echo "no $so on this machine" >&2; return 99; }
        mounts="$mounts mount --bind '$out/empty' '$path' &&"
    done
    unshare -m sh -c "$mounts"' exec "$@"' sh "$@"
}
# a plain run needs none of libcrypto, HarfBuzz and fontconfig: sheets
# with their manifest, archive copies, mail files, a book, the check
# table, the default map's fonts
mkdir -p "$out/plain2"
without_all "libcrypto.so.3 libharfbuzz-subset.so.0 libfontconfig.so.1" \
    sh -c "'$cli' render -q -d '$data' -o '$out/plain2/sheets' && '$cli' render -q -d '$data' -o '$out/plain2/archived' --manifest '' --profile archive && '$cli' mail -q -d '$data' -o '$out/plain2/m' --from hr@example.com --no-encryption --dry-run '$out/plain2/eml' && '$cli' render -q -d '$data' --combined '$out/plain2/book.pdf' && '$cli' check -q -d '$data' --format csv -o '$out/plain2/table.csv' && '$cli' fonts > '$out/plain2/fonts.txt'" \
    > "$out/plain2.out" 2> "$out/plain2.err"
rc=$?
check "render, archive, mail, book, check, fonts without libcrypto, HarfBuzz, fontconfig: exit $rc: $(head -3 "$out/plain2.err")" \
    '[ $rc = 0 ]'
check "12 sheets without them" '[ "$(ls "$out/plain2/sheets"/*.pdf 2>/dev/null | wc -l)" = 12 ]'
check "their manifest, each file's SHA-256 right, without them" \
    '(for f in "$out/plain2/sheets"/*.pdf; do grep -qF "$(sha256sum "$f" | cut -c1-64)" "$out/plain2/sheets/manifest.csv" || exit 1; done)'
check "12 archive copies without them" '[ "$(ls "$out/plain2/archived"/*.pdf 2>/dev/null | wc -l)" = 12 ]'
check "12 mail files without them" '[ "$(ls "$out/plain2/eml"/*.eml 2>/dev/null | wc -l)" = 12 ]'
check "the book without them" '[ -s "$out/plain2/book.pdf" ]'
check "the CSV table without them" '[ -s "$out/plain2/table.csv" ]'
check "the default map's fonts found by their files without fontconfig" \
    'grep -q "(via file)" "$out/plain2/fonts.txt" && ! grep -q "not installed" "$out/plain2/fonts.txt"'

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
