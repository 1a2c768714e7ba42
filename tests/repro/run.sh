#!/usr/bin/env bash
# run.sh -- same input, same bytes: a record's PDF does not depend on the
# rest of its batch.
#   1. the kefu batch, the batch reversed, and every record alone in a batch
#      of its own (same header): every record's PDF is byte for byte the
#      same, with SOURCE_DATE_EPOCH set and without it (the date then comes
#      from the data: the period's last day);
#   2. a rare character in employee 1's comment (鬯) and another in employee
#      2's (爨): each one's own PDF holds that outline, no other employee's
#      PDF holds either (outlines compared with the source font,
#      tests/fonts/has_outline.py);
#   3. every example batch, one PDF per employee and as a book, made with
#      --jobs 1, 2 and 4: the same files, bytes and messages;
#   4. 60 sheets of 400 unions under [last()] and [1] (union-race.xml), laid
#      out by 4 workers 10 times: the same layout as with one.  libxml2 2.9
#      swaps a union's operands inside the shared compiled expression while
#      it evaluates it; unguarded, 9 runs in 10 differed here.
set -u
cli=$1 examples=$2 out=$3
rm -rf "$out" && mkdir -p "$out/in"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
here=$(dirname "$0")
uming=/usr/share/fonts/truetype/arphic/uming.ttc
cp "$examples/kefu-2026-10.xml" "$out/in/batch.xml"
cp -r "$examples/schemes" "$out/in/"
/usr/bin/python3 "$here/split.py" "$out/in/batch.xml" "$out/in" 鬯 爨
ids=$(ls "$out/in" | sed -n 's/^alone-\(.*\)\.xml$/\1/p')
check "split made $(echo $ids | wc -w) records" '[ "$(echo $ids | wc -w)" = 12 ]'

for sde in 1790000000 ""; do
    tag=${sde:-data}
    render() { # DATA DIR
        if [ -n "$sde" ]; then SOURCE_DATE_EPOCH=$sde "$cli" render -q -d "$1" -o "$2"
        else env -u SOURCE_DATE_EPOCH "$cli" render -q -d "$1" -o "$2"; fi
    }
    render "$out/in/batch.xml" "$out/$tag/batch"
    render "$out/in/reversed.xml" "$out/$tag/reversed"
    for id in $ids; do render "$out/in/alone-$id.xml" "$out/$tag/alone"; done
    n=0
    for f in "$out/$tag/batch"/*.pdf; do
        b=$(basename "$f")
        n=$((n + 1))
        check "$tag: $b differs in the reversed batch" 'cmp -s "$f" "$out/$tag/reversed/$b"'
        check "$tag: $b differs when rendered alone" 'cmp -s "$f" "$out/$tag/alone/$b"'
    done
    check "$tag: $n PDFs" '[ $n = 12 ]'
done
# the date: SOURCE_DATE_EPOCH's, else the period's last day (2026-10-31)
check "CreationDate from SOURCE_DATE_EPOCH" \
    'pdfinfo -isodates "$out/1790000000/batch/2026-10_KF001_张晓明.pdf" | grep -q "2026-09-21T"'
check "CreationDate from the data" \
    'pdfinfo -isodates "$out/data/batch/2026-10_KF001_张晓明.pdf" | grep -q "2026-10-31T00:00:00"'

SOURCE_DATE_EPOCH=1790000000 "$cli" render -q -d "$out/in/rare.xml" -o "$out/rare"
first=$(ls "$out/rare"/2026-10_KF001_*.pdf) second=$(ls "$out/rare"/2026-10_KF002_*.pdf)
check "KF001's own PDF holds 鬯 (the test can see it)" '/usr/bin/python3 "$here/../fonts/has_outline.py" "$first" 鬯 "$uming" > /dev/null'
check "KF002's own PDF holds 爨" '/usr/bin/python3 "$here/../fonts/has_outline.py" "$second" 爨 "$uming" > /dev/null'
for f in "$out/rare"/*.pdf; do
    b=$(basename "$f")
    [ "$f" = "$first" ] || check "$b holds KF001's 鬯" '! /usr/bin/python3 "$here/../fonts/has_outline.py" "$f" 鬯 "$uming" > /dev/null'
    [ "$f" = "$second" ] || check "$b holds KF002's 爨" '! /usr/bin/python3 "$here/../fonts/has_outline.py" "$f" 爨 "$uming" > /dev/null'
done
for data in "$examples"/*.xml; do
    b=$(basename "$data" .xml)
    for j in 1 2 4; do
        mkdir -p "$out/jobs$j"
        SOURCE_DATE_EPOCH=1790000000 "$cli" render -d "$data" -o "$out/jobs$j/$b" \
            --jobs $j > "$out/jobs$j/$b.says" 2>&1
        SOURCE_DATE_EPOCH=1790000000 "$cli" render -d "$data" --jobs $j -q \
            --combined "$out/jobs$j/$b-all.pdf" 2>> "$out/jobs$j/$b.says"
        # the summary line's seconds differ
        sed -i 's/ in [0-9.]* s/ in - s/' "$out/jobs$j/$b.says"
    done
    for j in 2 4; do
        check "$b: --jobs $j makes other files than --jobs 1" 'diff -r "$out/jobs1/$b" "$out/jobs$j/$b" > /dev/null'
        check "$b: --jobs $j makes another book than --jobs 1" 'cmp -s "$out/jobs1/$b-all.pdf" "$out/jobs$j/$b-all.pdf"'
        check "$b: --jobs $j says other things than --jobs 1" 'cmp -s "$out/jobs1/$b.says" "$out/jobs$j/$b.says"'
    done
done
/usr/bin/python3 - "$here/../cases/basic/data.xml" "$out/in/race.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
emp = re.search(r'  <employee id="KF001">.*?</employee>\n', s, re.S)
one = re.sub(r'\s*<department>[^<]*</department>', '', emp.group(0), count=1)
many = "".join(one.replace('id="KF001"', 'id="R%03d"' % i) for i in range(1, 61))
rest = re.sub(r'  <employee id="KF00[2-9]">.*?</employee>\n', '', s[emp.end():], flags=re.S)
open(sys.argv[2], "w", encoding="utf-8").write(s[:emp.start()] + many + rest)
PY
race() { "$cli" render -q --dump -d "$out/in/race.xml" -t "$here/union-race.xml" --jobs "$1"; }
race 1 > "$out/race1.dump" 2>&1
check "union-race: 60 sheets with the batch's department 200 times each" \
    '[ "$(grep -o 客户服务部 "$out/race1.dump" | wc -l)" = 12000 ]'
for i in 1 2 3 4 5 6 7 8 9 10; do
    race 4 > "$out/race4.dump" 2>&1
    check "union-race: run $i with 4 workers differs from 1 worker" 'cmp -s "$out/race1.dump" "$out/race4.dump"'
done
echo "repro: $pass passed, $fail failed"
[ $fail = 0 ]
