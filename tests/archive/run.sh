#!/usr/bin/env bash
# archive/run.sh -- archive copies checked by outside clients, end to end:
#
#   * Apache PDFBox Preflight (Debian libpdfbox2-java), a PDF/A-1b
#     validator: every example rendered with --profile pdfa1 must pass it;
#     the --profile archive copies (PDF/A-3b) may fail it only on the rules
#     where PDF/A-1 and PDF/A-3 differ (ALLOWED_A3 below), nothing else;
#   * pdfdetach extracts each record: xmllint validates it against
#     schema/data.rng, `scorecard check` scores it to the total pdftotext
#     finds on the page and the embedded results state;
#   * a test CA and certificates made here with openssl; `scorecard sign`
#     signs every archive copy, poppler's pdfsig says "Signature is Valid"
#     and "Total document signed", mutool sign -v agrees, `scorecard
#     verify --ca` passes;
#   * the employee signs their own field with poppler (pdfsig -sign, as
#     Okular does) before the company signs, and with mupdf (mutool sign)
#     after: every earlier signature stays valid;
#   * one flipped byte: pdfsig says Digest Mismatch, verify names the field;
#     a changed score in the embedded record and an unsigned required field
#     are reported by name; an encrypted file is refused by sign;
#   * pdf.js lists the unsigned fields as signature fields; a combined book
#     names them per employee;
#   * the same record archived twice, alone or in its batch: the same bytes.
#
# usage: run.sh CLI SOURCE_DIR OUT_DIR   (PDFJS_DIR from the environment)
set -u
cli=$1 src=$2 out=$3
pdfjs=${PDFJS_DIR:-$src/.deps/pdfjs}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
# the pixels of a PPM that are the seal's red (the sheet has none)
red_pixels() {
    python3 -c 'import sys
d = open(sys.argv[1], "rb").read().split(b"\n", 3)[3]
print(sum(1 for i in range(0, len(d) - 2, 3) if d[i] > 150 and d[i + 1] < 90 and d[i + 2] < 90))' "$1"
}
export SOURCE_DATE_EPOCH=1793491200 # 2026-10-31: documents and signatures dated alike

# PDF/A-1 rules a PDF/A-3 archive copy breaks on purpose: attachments
# (1.4.7 EmbeddedFiles in the names, 1.2.9 EF in a file spec), its part
# (7.11.2 "part must be 1"), and transparency, which PDF/A-2 and -3 allow
# (4.1.2 the watermark's alpha, 2.2.2 a seal's soft mask).
ALLOWED_A3='^(1\.4\.7|1\.2\.9|7\.11\.2|4\.1\.2|2\.2\.2) '
cp=""
for j in preflight pdfbox2 xmpbox fontbox2 commons-logging javax.activation jaxb-api; do
    cp="$cp:/usr/share/java/$j.jar"
done
preflight() { java -cp "${cp#:}" org.apache.pdfbox.preflight.Validator_A1b "$1" 2>&1; }
check "PDFBox Preflight is installed (Debian libpdfbox2-java; ./dev installs it)" \
    '[ -f /usr/share/java/preflight.jar ]'

# ---- every example, both profiles --------------------------------------
for data in "$src"/examples/*.xml; do
    b=$(basename "$data" .xml)
    "$cli" render -q -d "$data" -o "$out/a3/$b" --profile archive 2> "$out/$b.a3.err"; rc=$?
    check "$b: render --profile archive: $(head -2 "$out/$b.a3.err")" '[ $rc = 0 ]'
    "$cli" render -q -d "$data" -o "$out/a1/$b" --profile pdfa1 2> "$out/$b.a1.err"; rc=$?
    check "$b: render --profile pdfa1: $(head -2 "$out/$b.a1.err")" '[ $rc = 0 ]'
done
# a draft's watermark is drawn without transparency in PDF/A-1
"$cli" render -q -d "$src/examples/kefu-2026-10.xml" -o "$out/a1/watermark" --profile pdfa1 \
    --watermark 草稿
"$cli" render -q -d "$src/examples/kefu-2026-10.xml" -o "$out/a3/watermark" --profile archive \
    --watermark 草稿

# PDF/A-1b: every document passes Preflight (two at a time: a JVM each)
ls "$out"/a1/*/*.pdf > "$out/a1.list"
tr '\n' '\0' < "$out/a1.list" | xargs -0 -P 2 -I{} sh -c \
    'java -cp "$1" org.apache.pdfbox.preflight.Validator_A1b "$2" > "$2.preflight" 2>&1' _ "${cp#:}" {}
while IFS= read -r f; do
    check "$(basename "$f"): PDF/A-1b per Preflight: $(grep -m3 '^[0-9]' "$f.preflight")" \
        'grep -q "is a valid PDF/A-1b file" "$f.preflight"'
done < "$out/a1.list"
# PDF/A-3b copies against the PDF/A-1b validator: the first of each example
for d in "$out"/a3/*/; do
    f=$(ls "$d"*.pdf | head -1)
    preflight "$f" > "$f.preflight"
    other=$(grep '^[0-9]' "$f.preflight" | grep -Ev "$ALLOWED_A3" | head -3)
    check "$(basename "$f"): PDF/A-3 copy breaks PDF/A-1 rules beyond attachments, part and transparency: $other" \
        '[ -z "$other" ]'
    check "$(basename "$f"): Preflight did not run" 'grep -q "PDF/A-1b file" "$f.preflight"'
done
check "the archive copy carries its attachments (Preflight 1.4.7 reports them)" \
    'grep -q "^1.4.7" "$(ls "$out"/a3/kefu-2026-10/*.pdf.preflight | head -1)"'

# ---- the record inside: pdfdetach, the schema, the scores --------------
for f in "$out"/a3/*/*.pdf; do
    x="$f.files" && mkdir -p "$x"
    (cd "$x" && pdfdetach -saveall "$f" 2> /dev/null)
    rec=$(ls "$x"/*-record.xml 2> /dev/null | head -1) res=$(ls "$x"/*-results.xml 2> /dev/null | head -1)
    check "$(basename "$f"): pdfdetach finds the record and its results" '[ -n "$rec" ] && [ -n "$res" ]'
    [ -n "$rec" ] || continue
    check "$(basename "$f"): the embedded record is valid against data.rng" \
        'xmllint --noout --nonet --relaxng "$src/schema/data.rng" "$rec" 2> /dev/null'
    check "$(basename "$f"): the embedded record holds one employee" \
        '[ "$(grep -c "<employee " "$rec")" = 1 ]'
    total=$("$cli" check -q -d "$rec" --format csv 2> /dev/null | awk -F, 'NR == 2 { print $3 }')
    stated=$(xmllint --xpath 'string(/results/@total)' "$res" 2> /dev/null)
    check "$(basename "$f"): the record scores again to the embedded total ($total vs $stated)" \
        '[ "$total" = "$stated" ]'
    if [ -n "$total" ]; then
        check "$(basename "$f"): the page prints the total $total" \
            'pdftotext -raw "$f" - 2> /dev/null | grep -qF -- "$total"'
    fi
done

# ---- signatures: a test CA, the company, an employee -------------------
pki=$out/pki && mkdir -p "$pki"
cat > "$pki/ext.cnf" << 'EOF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 3650 \
    -subj "/CN=Test HR CA" -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null
for who in company:华东云联科技有限公司 employee:张晓明 other:Someone; do
    n=${who%%:*}
    openssl req -newkey rsa:2048 -nodes -keyout "$pki/$n.key" -out "$pki/$n.csr" \
        -subj "/CN=${who#*:}" -utf8 2> /dev/null
    openssl x509 -req -in "$pki/$n.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
        -out "$pki/$n.pem" -days 3650 -extfile "$pki/ext.cnf" -extensions signer 2> /dev/null
    openssl pkcs12 -export -inkey "$pki/$n.key" -in "$pki/$n.pem" -certfile "$pki/ca.pem" \
        -out "$pki/$n.p12" -passout pass:secret 2> /dev/null
done
echo secret > "$pki/pass"
check "openssl made the test certificates" '[ -s "$pki/company.p12" ] && [ -s "$pki/employee.p12" ]'
cat "$pki/company.pem" "$pki/ca.pem" > "$pki/company-chain.pem"

# the company signs every archive copy; three outside checks of each
for f in "$out"/a3/*/*.pdf; do
    s=${f%.pdf}.signed.pdf
    "$cli" sign "$f" -o "$s" --key "$pki/company.p12" --pass-file "$pki/pass" \
        --reason "人力资源部存档" > /dev/null 2> "$s.err"
    check "$(basename "$f"): sign: $(head -2 "$s.err")" '[ -s "$s" ]'
    pdfsig "$s" > "$s.pdfsig" 2>&1
    check "$(basename "$f"): pdfsig: Signature is Valid" 'grep -q "Signature is Valid" "$s.pdfsig"'
    check "$(basename "$f"): pdfsig: Total document signed" 'grep -q "Total document signed" "$s.pdfsig"'
    check "$(basename "$f"): pdfsig: ETSI.CAdES.detached" 'grep -q "ETSI.CAdES.detached" "$s.pdfsig"'
    mutool sign -v "$s" > "$s.mutool" 2>&1
    check "$(basename "$f"): mutool sign -v: unchanged since signing" \
        'grep -q "The document is unchanged since signing" "$s.mutool"'
    "$cli" verify --ca "$pki/ca.pem" "$s" > "$s.verify" 2>&1; rc=$?
    check "$(basename "$f"): scorecard verify: $(grep -m3 FAIL "$s.verify")" '[ $rc = 0 ]'
done
check "the sign options: a password on the command line is refused" \
    '! "$cli" sign "$f" --key "$pki/company.p12" --password secret 2> /dev/null'
check "signed copies still pass Preflight but for the A-1/A-3 differences" \
    '[ -z "$(preflight "$s" | grep "^[0-9]" | grep -Ev "$ALLOWED_A3")" ]'

kf=$(ls "$out"/a3/kefu-2026-10/*KF001*.pdf | grep -v signed)
s=$out/kf001-company.pdf
"$cli" sign "$kf" -o "$s" --key "$pki/company.key" --cert "$pki/company-chain.pem" > /dev/null

# the employee signs their own field after the company: mupdf
emp=$out/kf001-company-employee.pdf
wid=$(mutool show "$s" trailer/Root/AcroForm/Fields 2> /dev/null | grep -o '[0-9]* 0 R' | head -1 | cut -d' ' -f1)
mutool sign -s "$pki/employee.p12" -P secret -o "$emp" "$s" "$wid" > /dev/null 2>&1
pdfsig "$emp" > "$emp.pdfsig" 2>&1
check "mutool signs the employee's field" \
    '[ "$(grep -c "Signature is Valid" "$emp.pdfsig")" = 2 ]'
check "after the employee signed, the company's signature is still valid" \
    'grep -A12 "公司签章" "$emp.pdfsig" | grep -q "Signature is Valid"'
check "the employee's signature covers the whole document" \
    'grep -A12 "被考核人" "$emp.pdfsig" | grep -q "Total document signed"'
"$cli" verify --ca "$pki/ca.pem" "$emp" > "$emp.verify" 2>&1; rc=$?
check "verify: both signatures, the last over the whole file: $(grep -m2 FAIL "$emp.verify")" '[ $rc = 0 ]'
check "verify says who signed which field" \
    'grep -q "field 被考核人: signed by 张晓明" "$emp.verify" && grep -q "field 公司签章: signed by 华东云联科技有限公司" "$emp.verify"'

# the employee signs first, in poppler (Okular's library), then the company
if command -v certutil > /dev/null && command -v pk12util > /dev/null; then
    nss=$out/nss && mkdir -p "$nss"
    certutil -N -d "sql:$nss" --empty-password
    pk12util -i "$pki/employee.p12" -d "sql:$nss" -W secret > /dev/null 2>&1
    e1=$out/kf001-employee.pdf e2=$out/kf001-employee-company.pdf
    pdfsig -nssdir "sql:$nss" -nick 张晓明 -sign 被考核人 -etsi -reason 本人已阅 "$kf" "$e1" > /dev/null 2>&1
    check "pdfsig signs the employee's field" '[ -s "$e1" ]'
    "$cli" sign "$e1" -o "$e2" --key "$pki/company.p12" --pass-file "$pki/pass" > /dev/null
    pdfsig "$e2" > "$e2.pdfsig" 2>&1
    check "the company signs after the employee: both valid" \
        '[ "$(grep -c "Signature is Valid" "$e2.pdfsig")" = 2 ]'
    check "the company's signature covers the whole document" \
        'grep -A12 "公司签章" "$e2.pdfsig" | grep -q "Total document signed"'
    check "verify passes on it" '"$cli" verify --ca "$pki/ca.pem" "$e2" > /dev/null 2>&1'
else
    check "certutil and pk12util (Debian libnss3-tools; ./dev installs them)" false
fi

# a seal, in a new visible field and in an existing one
python3 - "$out/seal.png" << 'EOF'
import math, struct, sys, zlib
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
w = h = 96
rows = b""
for y in range(h):
    rows += b"\0"
    for x in range(w):
        r = math.hypot(x - 48, y - 48)
        rows += bytes([200, 20, 20, 230 if 38 <= r <= 45 or r < 16 else 0])
sys.stdout.buffer  # the PNG goes to the file named
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF
"$cli" sign "$kf" -o "$out/seal-new.pdf" --key "$pki/company.p12" --pass-file "$pki/pass" \
    --seal "$out/seal.png" --at 1:140,160,40,40 > /dev/null
"$cli" sign "$kf" -o "$out/seal-field.pdf" --key "$pki/company.p12" --pass-file "$pki/pass" \
    --seal "$out/seal.png" --field 复核人 > /dev/null
for f in "$out/seal-new.pdf" "$out/seal-field.pdf"; do
    check "$(basename "$f"): pdfsig: valid" 'pdfsig "$f" 2>&1 | grep -q "Signature is Valid"'
    check "$(basename "$f"): verify" '"$cli" verify --ca "$pki/ca.pem" "$f" > /dev/null 2>&1'
    pdftoppm -r 30 -f 1 -l 1 "$f" "${f%.pdf}"
    check "$(basename "$f"): the seal is drawn (red on page 1)" \
        '[ "$(red_pixels "${f%.pdf}-1.ppm")" -gt 20 ]'
done

# ---- what verify must catch --------------------------------------------
flip=$out/flipped.pdf
python3 - "$s" "$flip" << 'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"/Producer")          # a byte the signature covers
b[i + 12] ^= 1
open(sys.argv[2], "wb").write(b)
EOF
check "one flipped byte: pdfsig reports a digest mismatch" 'pdfsig "$flip" 2>&1 | grep -q "Digest Mismatch"'
"$cli" verify "$flip" > "$flip.verify" 2>&1; rc=$?
check "one flipped byte: verify exits 1 (got $rc)" '[ $rc = 1 ]'
check "one flipped byte: verify names the field and the digest" \
    'grep -q "FAIL.*field 公司签章: digest mismatch" "$flip.verify"'

# a changed score inside the embedded record (edited with qpdf's QDF form)
qpdf --qdf --object-streams=disable "$s" "$out/qdf.pdf"
python3 - "$out/qdf.pdf" "$out/qdf2.pdf" << 'EOF'
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(b'<kpi id="q1">')
j = b.find(b"<score>10</score>", i)
open(sys.argv[2], "wb").write(b[:j] + b"<score>8</score>" + b[j + 17:])
EOF
fix-qdf "$out/qdf2.pdf" > "$out/score-changed.pdf"
"$cli" verify "$out/score-changed.pdf" > "$out/score-changed.verify" 2>&1; rc=$?
check "a changed score: verify exits 1 (got $rc)" '[ $rc = 1 ]'
check "a changed score: verify names the total it now scores" \
    'grep -q "embedded results say total 102.00, the embedded record scores 100.00" "$out/score-changed.verify"'

# an unsigned required field: a template that requires 被考核人
sed 's/roles="被考核人 考核人 复核人"/roles="被考核人 考核人 复核人" required="被考核人"/' \
    "$src/templates/kefu-monthly.xml" > "$out/kefu-required.xml"
check "the test template requires a field" 'grep -q required= "$out/kefu-required.xml"'
"$cli" render -q -d "$src/examples/kefu-2026-10.xml" -t "$out/kefu-required.xml" \
    -o "$out/required" --profile archive 2> /dev/null
r=$(ls "$out"/required/*KF001*.pdf)
"$cli" sign "$r" -o "$out/required-company.pdf" --key "$pki/company.p12" --pass-file "$pki/pass" > /dev/null
"$cli" verify "$out/required-company.pdf" > "$out/required.verify" 2>&1; rc=$?
check "an unsigned required field: verify exits 1 (got $rc)" '[ $rc = 1 ]'
check "an unsigned required field is named" \
    'grep -q "FAIL.*field 被考核人 (被考核人签字) must be signed" "$out/required.verify"'
wid=$(mutool show "$out/required-company.pdf" trailer/Root/AcroForm/Fields 2> /dev/null | grep -o '[0-9]* 0 R' | head -1 | cut -d' ' -f1)
mutool sign -s "$pki/employee.p12" -P secret -o "$out/required-signed.pdf" "$out/required-company.pdf" "$wid" > /dev/null 2>&1
check "once the employee signed it, verify passes" \
    '"$cli" verify "$out/required-signed.pdf" > /dev/null 2>&1'
check "not signed at all: verify fails" '! "$cli" verify "$kf" > /dev/null 2>&1'

# encrypted: refused, with the reason
qpdf --encrypt "" owner 256 -- "$kf" "$out/encrypted.pdf"
"$cli" sign "$out/encrypted.pdf" -o "$out/x.pdf" --key "$pki/company.p12" --pass-file "$pki/pass" \
    2> "$out/encrypted.err"; rc=$?
check "an encrypted file is refused by sign (exit $rc)" '[ $rc = 2 ] && [ ! -e "$out/x.pdf" ]'
check "... saying why" 'grep -q "signed and not encrypted" "$out/encrypted.err"'

# ---- pdf.js, the book, same bytes ---------------------------------------
node "$here/pdfjs_fields.mjs" "$pdfjs" "$kf" > "$out/pdfjs.txt" 2> "$out/pdfjs.err"; rc=$?
check "pdf.js reads the fields (exit $rc: $(head -2 "$out/pdfjs.err"))" '[ $rc = 0 ]'
check "pdf.js lists the three unsigned signature fields on page 1 (the one-page form)" \
    '[ "$(cat "$out/pdfjs.txt")" = "$(printf "1 Sig 被考核人\n1 Sig 考核人\n1 Sig 复核人")" ]'
"$cli" render -q -d "$src/examples/kefu-2026-10.xml" --combined "$out/book.pdf" --profile archive
node "$here/pdfjs_fields.mjs" "$pdfjs" "$out/book.pdf" > "$out/book-fields.txt" 2> /dev/null
check "the book: one field per role and employee (36)" '[ "$(wc -l < "$out/book-fields.txt")" = 36 ]'
check "the book: the field names are unique" \
    '[ "$(awk "{ print \$3 }" "$out/book-fields.txt" | sort -u | wc -l)" = 36 ]'
check "the book: each employee's record inside (24 files)" \
    '[ "$(pdfdetach -list "$out/book.pdf" | grep -c "record.xml\|results.xml")" = 24 ]'
"$cli" render -q -d "$src/examples/kefu-2026-10.xml" -o "$out/again" --profile archive
check "archiving the batch twice gives identical files" \
    'for f in "$out"/again/*.pdf; do cmp -s "$f" "$out/a3/kefu-2026-10/$(basename "$f")" || exit 1; done'
mkdir -p "$out/split" && cp -r "$src/examples/schemes" "$out/split/"
python3 "$src/tests/repro/split.py" "$src/examples/kefu-2026-10.xml" "$out/split"
"$cli" render -q -d "$out/split/alone-KF001.xml" -o "$out/alone" --profile archive
check "KF001 archived alone is the same file as in its batch" \
    'cmp -s "$out"/alone/*KF001*.pdf "$kf"'

echo "archive: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
