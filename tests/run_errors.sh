#!/usr/bin/env bash
# run_errors.sh -- error cases: each folder of tests/errors holds the input
# (data.xml, maybe template.xml), `args` (CLI arguments with DATA, TEMPLATE
# and OUT placeholders), `status` (expected exit code), `expected` (lines
# that must appear in stderr; a line starting with ! must appear nowhere in
# stdout or stderr) and optionally `expected-files` (the files OUT must
# hold, one per line, and nothing else: no other sheet, no temporary file;
# nothing may be written anywhere else) and `expected-stdout` (lines that
# must appear in stdout; a line starting with ! must not).
set -u
cli=$1 cases=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
for dir in "$cases"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    work="$out/$name" && mkdir -p "$work/out"
    read -r -a words < "$dir/args"
    args=()
    for w in "${words[@]}"; do
        w=${w//DATA/$dir/data.xml}; w=${w//TEMPLATE/$dir/template.xml}; w=${w//OUT/$work/out}
        args+=("$w")
    done
    (cd "$work" && "$cli" "${args[@]}" > stdout 2> stderr); got=$?
    want=$(cat "$dir/status")
    ok=1
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit status $got, expected $want"; ok=0
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        if [ "${line:0:1}" = "!" ]; then
            if grep -qF -- "${line:1}" "$work/stdout" "$work/stderr"; then
                echo "FAIL $name: output contains forbidden '${line:1}'"; ok=0
            fi
        elif ! grep -qF -- "$line" "$work/stderr"; then
            echo "FAIL $name: stderr lacks '$line'"; ok=0
        fi
    done < "$dir/expected"
    if [ -f "$dir/expected-stdout" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -z "$line" ] && continue
            if [ "${line:0:1}" = "!" ]; then
                ! grep -qF -- "${line:1}" "$work/stdout" ||
                    { echo "FAIL $name: stdout contains forbidden '${line:1}'"; ok=0; }
                continue
            fi
            grep -qF -- "$line" "$work/stdout" || { echo "FAIL $name: stdout lacks '$line'"; ok=0; }
        done < "$dir/expected-stdout"
    fi
    if [ -f "$dir/expected-files" ]; then
        while IFS= read -r f || [ -n "$f" ]; do
            [ -z "$f" ] && continue
            [ -f "$work/out/$f" ] || { echo "FAIL $name: $f not written in OUT"; ok=0; }
        done < "$dir/expected-files"
        # the run's manifest is in every -o folder (tests/manifest checks it)
        extra=$(cd "$work/out" && find . -type f ! -name manifest.csv ! -name manifest.json \
            -printf '%P\n' | grep -vxF -f "$dir/expected-files")
        [ -z "$extra" ] || { echo "FAIL $name: OUT also holds: $extra"; ok=0; }
        # nothing may escape an output folder (each case writes only there)
        stray=$(find "$out" -type f -name '*.pdf' ! -path "$out/*/out/*" | head -3)
        [ -z "$stray" ] || { echo "FAIL $name: wrote outside OUT: $stray"; ok=0; }
    fi
    # exit 3 promises no sheet; the manifest of the run (its refused
    # records) is written all the same
    if [ "$want" = 3 ] && [ -n "$(find "$work/out" -type f ! -name 'manifest.*' | head -1)" ]; then
        echo "FAIL $name: exit 3 promises nothing written, but OUT has $(ls "$work/out")"; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); sed 's/^/    stderr: /' "$work/stderr" | head -8; fi
done
echo "errors: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
