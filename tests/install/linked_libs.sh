#!/usr/bin/env bash
# install/linked_libs.sh -- what the dynamic loader maps before main().
# Every shared object linked into the program is mapped and relocated at
# every start, used or not (docs/performance.md, issue 15's start-up
# budget), so the program links only what every run uses; the rest is
# loaded by SONAME when a feature first needs it (src/lib/dl.h).  A new
# library in the link has to be added here on purpose.
set -u
cli=$1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
needed=$(readelf -d "$cli" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }')
check "readelf lists the program's NEEDED libraries" 'grep -q "^libc\.so" <<< "$needed"'
# what every run uses: libxml2 (data, templates), libharu (the PDF),
# libdeflate and zlib (streams, font programs), libpng (images), Nettle
# (each file's SHA-256), libm, libc; the sanitizers' runtimes in their
# builds
for so in $needed; do
    case $so in
    libxml2.so.* | libhpdf-*.so | libdeflate.so.* | libz.so.* | libpng16.so.* | libnettle.so.* | \
        libm.so.* | libc.so.*) ;;
    libasan.so.* | libubsan.so.* | libtsan.so.* | libgcc_s.so.*) ;;
    *) check "$so is linked: a library every run maps (load it on first use: src/lib/dl.h)" false ;;
    esac
done
# nor does any of them bring one of the lazily loaded libraries, or what
# those depend on, into the process (ldd: the whole closure).  libstdc++
# stays: libxml2 needs ICU's libicuuc, which is C++.
closure=$(ldd "$cli" | awk '{ print $1 }')
for stem in libcrypto libssl libharfbuzz libharfbuzz-subset libfontconfig libfreetype libglib-2.0 \
    libgraphite2 libpcre2-8 libbrotlidec libexpat libcurl libqpdf libxlsxwriter libicui18n libgnutls; do
    check "$stem is loaded at start (ldd: $(grep -F "$stem" <<< "$closure" | head -1))" \
        '! grep -q "^$stem\.so" <<< "$closure"'
done
check "libstdc++ is not linked by the program itself" '! grep -q "^libstdc++" <<< "$needed"'
echo "linked libraries: $pass passed, $fail failed"
[ $fail = 0 ]
