#!/usr/bin/env bash
# tests/faults/run.sh -- what a hostile or careless run still finds: a full
# disk, a failing fsync, symbolic links planted in the output folder,
# output streams that cannot be written.
#   run.sh CLI SHIM EXAMPLES OUT
# CLI: the scorecard binary; SHIM: tests/faults/shim.c built as a shared
# object (LD_PRELOAD fault injector); EXAMPLES: the examples folder; OUT: a
# scratch folder.
#
# A full disk is made for real where the machine allows it: a 300 KB tmpfs
# mounted by this script (as root), else inside a user namespace (unshare
# -rm); where neither works, the shim's SC_FAULT_SPACE stands in.  The
# injected run is always made too (it is the one that also covers fsync);
# the script says which ran.
set -u
cli=$1 shim=$2 examples=$3 out=$4
data=$examples/kefu-2026-10.xml
ids="KF001 KF002 KF003 KF004 KF005 KF006 KF007 KF008 KF009 DK001 DK002 DK003"
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# scorecard with the shim preloaded (ASan, if built in, need not come first)
faulty() { env LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$cli" "$@"; }

# ---- a full disk ---------------------------------------------------------

# check_full DIR STATUS STDOUT STDERR: after a per-record render into the
# full folder DIR: exit 1; every file there a whole PDF (or the run's
# whole manifest, if it fitted), no temporary file; each employee either
# has a sheet or is named with the reason; the summary (on stderr) counts
# the sheets that are there.
check_full() {
    local dir=$1 st=$2 so=$3 se=$4 written=0 failed=0
    [ "$st" = 1 ] || fail "full disk: exit status $st, expected 1"
    for f in "$dir"/* "$dir"/.[!.]*; do
        [ -e "$f" ] || continue
        case $f in
        *.pdf) qpdf --check "$f" > /dev/null 2>&1 || fail "full disk: $f is not a whole PDF" ;;
        */manifest.json) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" ||
            fail "full disk: $f is not whole" ;;
        */manifest.csv) [ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = '\r\n' ] ||
            fail "full disk: $f is not whole" ;;
        *) fail "full disk: left behind: $f" ;;
        esac
    done
    for id in $ids; do
        if ls "$dir" | grep -q "_${id}_"; then
            written=$((written + 1))
        elif grep -q "No space left on device.*\[employee $id " "$se"; then
            failed=$((failed + 1))
        else
            fail "full disk: $id has no sheet and no message naming it"
        fi
    done
    [ $written -gt 0 ] && [ $failed -gt 0 ] || fail "full disk: $written written, $failed failed (want some of each)"
    grep -q "scorecard: $written documents" "$se" || fail "full disk: summary does not say $written documents: $(cat "$se")"
    echo "  $written sheets written whole, $failed employees named as not written"
}

# full_disk DIR MODE: the per-record render with about 300 KB free in DIR
# (tmpfs, or the shim's budget), then the combined book with less room
# than it needs.  Logs go outside DIR.
full_disk() {
    local dir=$1 mode=$2 st so=$out/$2.stdout se=$out/$2.stderr
    local run=("$cli") budget=300000
    [ "$mode" = injected ] && run=(faulty)
    mkdir -p "$dir/sheets"
    SC_FAULT_SPACE=$budget "${run[@]}" render -d "$data" -o "$dir/sheets" > "$so" 2> "$se"
    st=$?
    check_full "$dir/sheets" $st "$so" "$se"
    rm -rf "$dir/sheets"
    # the book (about 190 KB) does not fit: no book, the old one kept
    printf 'old book\n' > "$dir/book.pdf"
    if [ "$mode" = tmpfs ]; then
        head -c 150000 /dev/zero > "$dir/filler"
    else
        budget=100000
    fi
    SC_FAULT_SPACE=$budget "${run[@]}" render -d "$data" --combined "$dir/book.pdf" > "$so" 2> "$se"
    st=$?
    [ $st = 3 ] || fail "full disk, book: exit status $st, expected 3"
    [ "$(cat "$dir/book.pdf")" = "old book" ] || fail "full disk, book: the old book was overwritten"
    grep -q "cannot write .*book.pdf: No space left on device" "$se" || fail "full disk, book: no message: $(cat "$se")"
    [ "$(ls -A "$dir" | grep -v -x -e book.pdf -e filler)" = "" ] || fail "full disk, book: left behind: $(ls -A "$dir")"
    rm -f "$dir/book.pdf" "$dir/filler"
}

tmpfs_run() { # DIR: mount, run, unmount (as root or in a user namespace)
    mount -t tmpfs -o size=300k scorecard-test "$1" 2> /dev/null || return 2
    full_disk "$1" tmpfs
    umount "$1"
    [ $fails = 0 ]
}
if [ "${FAULTS_IN_NAMESPACE:-}" = 1 ]; then # this script again, under unshare
    tmpfs_run "$out/tmpfs"
    exit
fi

rm -rf "$out" && mkdir -p "$out/tmpfs"
echo "full disk, tmpfs:"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4k scorecard-probe "$out/tmpfs" 2> /dev/null; then
    umount "$out/tmpfs"
    tmpfs_run "$out/tmpfs"
    echo "  (a 300 KB tmpfs, mounted as root)"
elif ! unshare --user --map-root-user --mount true 2> /dev/null; then
    echo "  not run: no tmpfs can be mounted here (not root, no user namespaces)"
else
    FAULTS_IN_NAMESPACE=1 unshare --user --map-root-user --mount "$0" "$@" > "$out/ns.log" 2>&1
    case $? in
    0) cat "$out/ns.log"; echo "  (a 300 KB tmpfs, mounted in a user namespace)" ;;
    2) echo "  not run: no tmpfs can be mounted here, even in a user namespace" ;;
    *) cat "$out/ns.log"; fail "full disk on a tmpfs in a user namespace" ;;
    esac
fi
echo "full disk, injected (SC_FAULT_SPACE):"
mkdir -p "$out/injected"
full_disk "$out/injected" injected

# fsync fails: nothing counts as written, nothing is left
echo "fsync fails, injected (SC_FAULT_FSYNC):"
mkdir -p "$out/fsync"
SC_FAULT_FSYNC=1 faulty render -d "$data" -o "$out/fsync" > "$out/stdout" 2> "$out/stderr"
st=$?
[ $st = 3 ] || fail "fsync: exit status $st, expected 3"
[ -z "$(ls -A "$out/fsync")" ] || fail "fsync: left behind: $(ls -A "$out/fsync")"
for id in $ids; do
    grep -q "cannot flush .*Input/output error.*\[employee $id " "$out/stderr" || fail "fsync: $id not named"
done

# ---- links planted in the output folder -----------------------------------

echo "planted links:"
d=$out/links && mkdir -p "$d/out"
printf 'precious\n' > "$d/victim"
printf 'precious\n' > "$d/victim2"
name=2026-10_KF001_张晓明.pdf
ln -s "$d/victim" "$d/out/$name"                # at a final name
ln -s "$d/victim2" "$d/out/book.pdf"            # at the book's name
"$cli" render -d "$data" -o "$d/out" > /dev/null 2>&1 || fail "links: render failed"
"$cli" render -d "$data" --combined "$d/out/book.pdf" > /dev/null 2>&1 || fail "links: book failed"
for f in "$d/out/$name" "$d/out/book.pdf"; do
    [ -f "$f" ] && [ ! -L "$f" ] && qpdf --check "$f" > /dev/null 2>&1 ||
        fail "links: $f is not a regular, whole PDF"
done
[ "$(cat "$d/victim")" = precious ] && [ "$(cat "$d/victim2")" = precious ] ||
    fail "links: a link at a final name was followed"
# At the temporary names, made predictable by the shim: the record (or
# the book) is refused, the links and their targets are left alone, and a
# dangling link does not create its target.
rm -rf "$d/out" && mkdir "$d/out"
ln -s "$d/victim" "$d/out/.$name.000000000000.tmp"
ln -s "$d/created" "$d/out/.2026-10_KF002_陳志偉.pdf.000000000000.tmp"
ln -s "$d/victim2" "$d/out/.book.pdf.000000000000.tmp"
SC_FAULT_RANDOM=1 faulty render -d "$data" -o "$d/out" > "$d/stdout" 2> "$d/stderr"
st=$?
[ $st = 1 ] || fail "links at temporary names: exit status $st, expected 1"
grep -q "cannot create a temporary file for .*$name: File exists \[employee KF001 " "$d/stderr" ||
    fail "links at temporary names: KF001 not refused: $(head -3 "$d/stderr")"
grep -q "\[employee KF002 " "$d/stderr" || fail "links at temporary names: KF002 not refused"
[ "$(ls "$d/out"/*.pdf | wc -l)" = 10 ] || fail "links at temporary names: $(ls "$d/out"/*.pdf | wc -l) sheets, expected the 10 others"
SC_FAULT_RANDOM=1 faulty render -d "$data" --combined "$d/out/book.pdf" > /dev/null 2> "$d/stderr"
[ $? = 3 ] && [ ! -e "$d/out/book.pdf" ] || fail "links at temporary names: the book was written through a link"
[ "$(cat "$d/victim")" = precious ] && [ "$(cat "$d/victim2")" = precious ] && [ ! -e "$d/created" ] ||
    fail "links at temporary names: a link was followed"
for l in ".$name.000000000000.tmp" ".book.pdf.000000000000.tmp"; do
    [ -L "$d/out/$l" ] || fail "links at temporary names: $l was removed or replaced"
done
# Without the shim the names are random: the same links stop nothing.
"$cli" render -d "$data" -o "$d/out" > /dev/null 2>&1 || fail "links: random temporary names collided with the planted ones"
[ "$(cat "$d/victim")" = precious ] || fail "links: a link was followed"

# ---- output streams that cannot be written --------------------------------

echo "output streams:"
for args in "check -d $data" "check -d $data --format csv" "render -d $data --dump" \
            "fonts 张晓明" "--help" "--version"; do
    # shellcheck disable=SC2086
    "$cli" $args > /dev/full 2> "$out/stderr"
    st=$?
    [ $st = 3 ] || fail "scorecard $args > /dev/full: exit status $st, expected 3"
    grep -q "cannot write the output" "$out/stderr" ||
        fail "scorecard $args > /dev/full: no message"
done
# problems that could not be shown: a batch with one bad record exits 1,
# but 3 when stderr cannot take its messages
bad=$out/bad.xml
sed 's|<name>张晓明</name>|<name></name>|' "$data" > "$bad"
cp -r "$examples/schemes" "$out/"
"$cli" check -d "$bad" > /dev/null 2>&1
[ $? = 1 ] || fail "one bad record: expected exit status 1"
"$cli" check -d "$bad" > /dev/null 2> /dev/full
[ $? = 3 ] || fail "one bad record, stderr full: expected exit status 3"

if [ $fails = 0 ]; then echo "faults: all passed"; else echo "faults: $fails failed"; exit 1; fi
