#!/usr/bin/env bash
# install/run.sh -- scorecard installed on a server (README.md, "Install on
# a server"): `cmake --install` into a fresh prefix, then the installed
# program run from an unrelated folder, with no SCORECARD_* variable, on a
# batch copied elsewhere.  It must find its templates and font map beside
# itself (PREFIX/share/scorecard), not in the source tree: a marker put
# into the installed template shows on the sheet, and `scorecard fonts`
# names the installed map.  The man page is installed and lists every
# option of --help.  Every shared library the program needs, linked or
# loaded on demand, comes from a package README.md lists.
set -u
build=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out/elsewhere" "$out/batch"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
prefix=$out/prefix
cmake --install "$build" --prefix "$prefix" > "$out/install.log" 2>&1; rc=$?
check "cmake --install exit $rc: $(tail -2 "$out/install.log")" '[ $rc = 0 ]'
bin=$prefix/bin/scorecard
check "program installed" '[ -x "$bin" ]'
check "templates installed" '[ -f "$prefix/share/scorecard/templates/kefu-monthly.xml" ]'
check "font map installed" '[ -f "$prefix/share/scorecard/fonts/fonts.xml" ]'
check "man page installed" '[ -f "$prefix/share/man/man1/scorecard.1" ]'

cp "$src/examples/kefu-2026-10.xml" "$out/batch/"
cp -r "$src/examples/schemes" "$out/batch/"
# a marker in the installed template: if the sheet shows it, that is the
# template read (not the source tree's)
sed -i 's/ 月度绩效考核表<\/text>/ 月度绩效考核表（安装版）<\/text>/' \
    "$prefix/share/scorecard/templates/kefu-monthly.xml"
run() { (cd "$out/elsewhere" && env -u SCORECARD_TEMPLATES -u SCORECARD_FONTS "$bin" "$@"); }
run render -q -d "$out/batch/kefu-2026-10.xml" -o sheets 2> "$out/render.err"; rc=$?
check "render exit $rc: $(head -2 "$out/render.err")" '[ $rc = 0 ]'
check "12 sheets in the folder it was run from" '[ "$(ls "$out/elsewhere/sheets"/*.pdf | wc -l)" = 12 ]'
check "the installed template was used" \
    'pdftotext "$out/elsewhere/sheets/2026-10_KF001_张晓明.pdf" - | grep -q "月度绩效考核表（安装版）"'
check "the installed font map is used" \
    'run fonts | head -1 | grep -qF "font map: $prefix/bin/../share/scorecard/fonts/fonts.xml"'
# $SCORECARD_TEMPLATES still comes first
mkdir -p "$out/mine" && cp "$src/templates/kefu-monthly.xml" "$out/mine/"
sed -i 's/ 月度绩效考核表<\/text>/ 月度绩效考核表（本地）<\/text>/' "$out/mine/kefu-monthly.xml"
(cd "$out/elsewhere" && SCORECARD_TEMPLATES=$out/mine "$bin" render -q -d "$out/batch/kefu-2026-10.xml" -o local 2> /dev/null)
check "\$SCORECARD_TEMPLATES before the installed templates" \
    'pdftotext "$out/elsewhere/local/2026-10_KF001_张晓明.pdf" - | grep -q "月度绩效考核表（本地）"'

# the man page: renders, and has every option --help has
LANG=C.UTF-8 MANWIDTH=100 man -l "$prefix/share/man/man1/scorecard.1" > "$out/man.txt" 2> "$out/man.err"
check "man renders cleanly: $(head -2 "$out/man.err")" '[ -s "$out/man.txt" ] && [ ! -s "$out/man.err" ]'
for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    check "man page lacks $opt" 'grep -qF -- "$opt" "$out/man.txt"'
done
check "man page has the exit statuses" 'tr -s " " < "$out/man.txt" | grep -q "a data file breaks off"'

# runtime packages: each library the program needs is from a package the
# README's install section names, or one apt installs with them (their
# Depends); libc6 is always there, the sanitizers' runtimes only in the
# test build
readme=$(sed -n '/^## Install on a server/,/^## /p' "$src/README.md")
listed=$(sed -n '/apt-get install/,/^```/p' <<< "$readme" | tr -s ' \\' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$')
depends=$(for p in $listed; do dpkg-query -W -f='${Depends}\n' "$p" 2>/dev/null; done)
# The libraries loaded when a feature needs them (src/lib/dl.h) are named
# in the program's read-only data, not NEEDED: they are checked the same
# way, so the README cannot leave one out.
dlopened=$(readelf -p .rodata "$bin" | grep -oE 'lib[A-Za-z0-9_+-]+\.so(\.[0-9]+)+' | sort -u)
check "the libraries loaded on demand are found in the program (libcurl among them)" \
    'grep -q "^libcurl\.so\." <<< "$dlopened"'
for so in $(readelf -d "$bin" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }') $dlopened; do
    path=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null)
    pkg=${pkg%%:*}
    case $pkg in libc6 | libasan* | libubsan* | libtsan*) continue ;; esac
    check "$so: package '$pkg' not in README's install section" \
        '[ -n "$pkg" ] && { grep -qxF -- "$pkg" <<< "$listed" || grep -qw -- "$pkg" <<< "$depends"; }'
done
echo "install: $pass passed, $fail failed"
[ $fail = 0 ]
