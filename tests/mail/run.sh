#!/usr/bin/env bash
# run.sh -- e-mail through a real SMTP server: Debian's aiosmtpd on
# 127.0.0.1 (smtpd.py), started here with STARTTLS and AUTH and a
# self-signed certificate made here, stopped by its PID.
#   run.sh CLI SOURCE_DIR OUT
#
#   1. a dry run writes one .eml per employee;
#   2. the kefu batch sent (check.py sent): one message per employee,
#      To/Cc/Bcc/Reply-To right, subject and file name decode to the
#      Chinese, the attachment the PDF written and journalled, decrypted the
#      same document the dry run wrote, AES-256 R6 (qpdf --show-encryption),
#      its text the recipient's name and nobody else's (pdftotext -upw),
#      unreadable without the password; one connection; a rerun sends
#      nothing; no password in any output;
#   3. faults: 451 to one recipient (retried, delivered), 550 to another
#      (reported, the others delivered), an empty <email> (skipped);
#   4. the server killed in the middle of the batch: exit non-zero, a rerun
#      delivers the rest, nobody gets two messages;
#   5. smtps://; a plain server refused unless loopback; the certificate
#      verified; a wrong AUTH password; --rate; the progress line;
#   6. what is refused before anything is sent.
set -u
cli=$1 src=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; }
trap cleanup EXIT

export SOURCE_DATE_EPOCH=1793491200 # 2026-11-01 00:00:00 UTC
# the server's AUTH password, new each run; the client takes it from
# SCORECARD_SMTP_PASSWORD
export SMTPD_PASSWORD="t-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$out/key.pem" -out "$out/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
$py "$here/make_data.py" "$src/examples/kefu-2026-10.xml" "$out"
cp -r "$src/examples/schemes" "$out/"
addrs=$($py -c 'import json,sys; print(" ".join(p["email"] for p in json.load(open(sys.argv[1])).values()))' "$out/people.json")
passwords=$($py -c 'import json,sys; print(" ".join(p["password"] for p in json.load(open(sys.argv[1])).values()))' "$out/people.json")
ids="KF001 KF002 KF003 KF004 KF005 KF006 KF007 KF008 KF009 DK001 DK002 DK003"

# start_server NAME [smtpd.py options]: spool $out/NAME; sets $port, $pid
start_server() {
    local name=$1
    shift
    $py "$here/smtpd.py" --spool "$out/$name" --port-file "$out/$name.port" \
        --cert "$out/cert.pem" --key "$out/key.pem" --user hr "$@" 2> "$out/$name.log" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        [ -s "$out/$name.port" ] && break
        sleep 0.1
    done
    port=$(cat "$out/$name.port")
}
stop_server() { kill "$pid" && wait "$pid" 2> /dev/null; }

# mail DATA DIR [options]: the HR command, against the running server
mail() {
    local data=$1 dir=$2
    shift 2
    SCORECARD_SMTP_PASSWORD=$SMTPD_PASSWORD "$cli" mail -d "$data" -o "$dir" \
        --from '人力资源部 <hr@huadong-yun.cn>' --smtp "smtp://127.0.0.1:$port" \
        --smtp-user hr --cacert "$out/cert.pem" --password-from '{id-number:-6}' \
        --cc superior --bcc archive@huadong-yun.cn --reply-to hr-help@huadong-yun.cn "$@"
}
envelopes() { [ -f "$out/$1/envelopes.jsonl" ] && grep -c . "$out/$1/envelopes.jsonl" || echo 0; }

# ---- 1. the dry run ------------------------------------------------------------
port=9 # nothing is sent: the server is not asked
mail "$out/batch.xml" "$out/dry-out" --dry-run "$out/dry" > "$out/dry.stdout" 2> "$out/dry.stderr"
rc=$?
check "dry run: exit $rc" '[ $rc = 0 ]'
check "dry run: 12 .eml files" '[ "$(ls "$out/dry"/*.eml | wc -l)" = 12 ]'
check "dry run: the summary" 'grep -q "12 messages written to $out/dry, 0 sent before, 0 skipped, 0 failed" "$out/dry.stdout"'
check "dry run: no PDF files, no journal" '[ ! -e "$out/dry-out" ]'

# ---- 2. the batch sent ----------------------------------------------------------
# render encrypts with the same source, and check finds every password
"$cli" check -d "$out/batch.xml" --password-from '{id-number:-6}' > /dev/null 2>&1
rc=$?
check "check --password-from: every employee has a password, exit $rc" '[ $rc = 0 ]'
"$cli" render -q -d "$out/batch.xml" -o "$out/rendered" --password-from '{id-number:-6}'
check "render --password-from: KF003's sheet is AES-256 R6 with its password" \
    'qpdf --show-encryption --password=$(echo $passwords | cut -d" " -f3) "$out/rendered/2026-10_KF003_刘佳怡.pdf" | grep -q "R = 6" && ! pdftotext "$out/rendered/2026-10_KF003_刘佳怡.pdf" - > /dev/null 2>&1'

start_server main
mail "$out/batch.xml" "$out/sent" > "$out/sent.stdout" 2> "$out/sent.stderr"
rc=$?
check "send: exit $rc" '[ $rc = 0 ]'
check "send: the summary" 'grep -q "mail: 12 sent, 0 sent before, 0 skipped, 0 failed" "$out/sent.stdout"'
check "send: quiet stderr when not a terminal" '[ ! -s "$out/sent.stderr" ]'
$py "$here/check.py" sent "$out/main" "$out/people.json" 2026年10月 "$out/sent" "$out/dry" \
    "$out/sent/mail-journal.tsv"
check "send: the messages (check.py sent)" '[ $? = 0 ]'
$py "$here/check.py" journal "$out/sent/mail-journal.tsv" "$out/sent" $ids
check "send: the journal" '[ $? = 0 ]'
mail "$out/batch.xml" "$out/sent" > "$out/again.stdout" 2> "$out/again.stderr"
rc=$?
check "rerun: exit $rc" '[ $rc = 0 ]'
check "rerun: nothing sent again" 'grep -q "mail: 0 sent, 12 sent before, 0 skipped, 0 failed" "$out/again.stdout"'
check "rerun: the server got nothing more" '[ "$(envelopes main)" = 12 ]'
$py "$here/check.py" journal "$out/sent/mail-journal.tsv" "$out/sent" $ids
check "rerun: the journal and the PDFs unchanged" '[ $? = 0 ]'
stop_server

# ---- 3. faults: 451 once, 550, an empty <email> -----------------------------------
start_server faults --defer chenzw@huadong-yun.cn --refuse sunzq@huadong-yun.cn
mail "$out/faults.xml" "$out/f" --retry-wait 0.2 > "$out/f.stdout" 2> "$out/f.stderr"
rc=$?
check "faults: exit $rc" '[ $rc = 1 ]'
check "faults: the summary" 'grep -q "mail: 10 sent, 0 sent before, 1 skipped, 1 failed" "$out/f.stdout"'
check "faults: KF004 skipped for its empty address" 'grep -q "skipped KF004 黃麗華: no e-mail address" "$out/f.stdout"'
check "faults: KF007 refused, with the server's reply" 'grep -q "not sent KF007 孙志强: the mail server refused the message: 550 5.1.1 <sunzq@huadong-yun.cn>" "$out/f.stdout"'
check "faults: KF004 reported at its <email>" 'grep -q "faults.xml:[0-9]*: no e-mail address.*\[employee KF004 黃麗華, field email\]" "$out/f.stderr"'
check "faults: KF007 reported" 'grep -q "550 5.1.1.*\[employee KF007 孙志强, field email\]" "$out/f.stderr"'
check "faults: KF002 deferred (451) then delivered" 'grep -q "chenzw@huadong-yun.cn" "$out/faults/envelopes.jsonl"'
$py "$here/check.py" counts "$out/faults" -- $(echo $addrs | tr ' ' '\n' | grep -v -e huanglh -e sunzq)
check "faults: the others delivered once each" '[ $? = 0 ]'
$py "$here/check.py" journal "$out/f/mail-journal.tsv" "$out/f" $(echo $ids | tr ' ' '\n' | grep -v -e KF004 -e KF007)
check "faults: the journal holds the 10" '[ $? = 0 ]'
stop_server

# ---- 4. the server killed in the middle of the batch, then a rerun ---------------
start_server crash1 --hang-after 5
mail "$out/batch.xml" "$out/c" --retries 2 --retry-wait 0.2 > "$out/c1.stdout" 2> "$out/c1.stderr" &
mpid=$!
for _ in $(seq 600); do
    [ -e "$out/crash1/hung" ] && break
    sleep 0.1
done
{ kill -9 "$pid" && wait "$pid"; } 2> /dev/null # bash would say "Killed"
wait "$mpid"
rc=$?
check "killed: exit $rc, not 0" '[ $rc != 0 ]'
check "killed: 5 accepted before" '[ "$(envelopes crash1)" = 5 ]'
check "killed: the summary" 'grep -q "mail: 5 sent, 0 sent before, 0 skipped, 7 failed" "$out/c1.stdout"'
start_server crash2
mail "$out/batch.xml" "$out/c" > "$out/c2.stdout" 2> "$out/c2.stderr"
rc=$?
check "killed, rerun: exit $rc" '[ $rc = 0 ]'
check "killed, rerun: the rest sent" 'grep -q "mail: 7 sent, 5 sent before, 0 skipped, 0 failed" "$out/c2.stdout"'
$py "$here/check.py" counts "$out/crash1" "$out/crash2" -- $addrs
check "killed, rerun: every employee exactly one message" '[ $? = 0 ]'
$py "$here/check.py" journal "$out/c/mail-journal.tsv" "$out/c" $ids
check "killed, rerun: the journal holds all 12" '[ $? = 0 ]'
stop_server

# ---- 5. TLS from the start; TLS required; the certificate; AUTH; pacing ----------
start_server tls --implicit-tls
mail "$out/batch.xml" "$out/t" --smtp "smtps://127.0.0.1:$port" > "$out/t.stdout" 2> "$out/t.stderr"
rc=$?
check "smtps: exit $rc" '[ $rc = 0 ] && [ "$(envelopes tls)" = 12 ]'
check "smtps: every message over TLS" '! grep -q "\"tls\": false" "$out/tls/envelopes.jsonl"'
mail "$out/batch.xml" "$out/nocert" --smtp "smtps://127.0.0.1:$port" --cacert /dev/null > "$out/nocert.stdout" 2> "$out/nocert.stderr"
rc=$?
check "certificate not trusted: exit $rc" '[ $rc = 3 ]'
check "certificate not trusted: said, with the hint" 'grep -q "certificate.*--cacert FILE" "$out/nocert.stdout"'
SMTPD_PASSWORD=not-the-password mail "$out/batch.xml" "$out/badauth" --smtp "smtps://127.0.0.1:$port" > "$out/badauth.stdout" 2> "$out/badauth.stderr"
rc=$?
check "wrong AUTH password: exit $rc" '[ $rc = 3 ]'
check "wrong AUTH password: 535 said once, the rest not tried" 'grep -q "KF001 张晓明: the mail server cannot be used: 535" "$out/badauth.stdout" && grep -q "KF002 陳志偉: not sent: the mail server failed at KF001" "$out/badauth.stdout"'
check "wrong AUTH password: nothing sent" '[ "$(envelopes tls)" = 12 ]'
check "wrong AUTH password: not printed" '! grep -q not-the-password "$out/badauth.stdout" "$out/badauth.stderr"'
t0=$(date +%s%N)
mail "$out/batch.xml" "$out/r" --smtp "smtps://127.0.0.1:$port" --rate 600/min > /dev/null 2>&1
rc=$?
t1=$(date +%s%N)
check "--rate 600/min: exit $rc, 12 messages no faster than one per 0.1 s" '[ $rc = 0 ] && [ $(( (t1 - t0) / 1000000 )) -ge 1100 ]'
# the login and password from a netrc file instead of the environment
printf 'machine 127.0.0.1 login hr password %s\n' "$SMTPD_PASSWORD" > "$out/netrc"
chmod 600 "$out/netrc"
SCORECARD_SMTP_PASSWORD= "$cli" mail -d "$out/batch.xml" -o "$out/n" --from hr@huadong-yun.cn \
    --smtp "smtps://127.0.0.1:$port" --cacert "$out/cert.pem" --netrc "$out/netrc" \
    --password-from '{id-number:-6}' > "$out/n.stdout" 2> "$out/n.stderr"
rc=$?
check "--netrc: exit $rc, 12 more messages" '[ $rc = 0 ] && [ "$(envelopes tls)" = 36 ]'
stop_server
start_server plain --plain
SCORECARD_SMTP_PASSWORD= "$cli" mail -d "$out/batch.xml" -o "$out/p" --from hr@huadong-yun.cn \
    --smtp "smtp://127.0.0.1:$port" --password-from '{id-number:-6}' > "$out/p.stdout" 2> "$out/p.stderr"
rc=$?
check "plain server on loopback: used, exit $rc" '[ $rc = 0 ] && [ "$(envelopes plain)" = 12 ]'
# the same machine, but not by a loopback address: STARTTLS is required
SCORECARD_SMTP_PASSWORD= "$cli" mail -d "$out/batch.xml" -o "$out/p2" --from hr@huadong-yun.cn \
    --smtp "smtp://[::ffff:127.0.0.1]:$port" --password-from '{id-number:-6}' > "$out/p2.stdout" 2> "$out/p2.stderr"
rc=$?
check "plain server, not loopback: refused, exit $rc" '[ $rc = 3 ] && grep -q "does not offer STARTTLS" "$out/p2.stdout" && [ "$(envelopes plain)" = 12 ]'
stop_server
# the progress line, on a terminal only
script -qec "SCORECARD_SMTP_PASSWORD= '$cli' mail -d '$out/batch.xml' --from hr@huadong-yun.cn --password-from '{id-number:-6}' --dry-run '$out/tty'" /dev/null > "$out/tty.out" 2>&1
check "a progress line on a terminal" 'grep -q "scorecard: mail 12/12, 12 written" "$out/tty.out" && grep -q "ETA" "$out/tty.out"'

# ---- 6. refused before anything is sent ---------------------------------------------
refused() { # WHAT PATTERN args...: exit 2 and the message
    local what=$1 pattern=$2
    shift 2
    "$cli" mail -d "$out/batch.xml" --from hr@huadong-yun.cn "$@" > "$out/refused.out" 2>&1
    local rc=$?
    check "refused, $what: exit $rc" '[ $rc = 2 ] && grep -q -- "$pattern" "$out/refused.out" && [ ! -e "$out/refused" ]'
}
dry=(--dry-run "$out/refused")
refused "a password option" "no password on the command line" "${dry[@]}" --password-from '{id-number:-6}' --password secret
refused "a password as the source" "placeholders only" "${dry[@]}" --password-from 123456
refused "text around a placeholder" "placeholders only" "${dry[@]}" --password-from 'x{id-number}'
refused "no encryption asked" "--password-from SOURCE" "${dry[@]}"
refused "a login in the URL" "no login in the server URL" --password-from '{id-number}' --smtp smtp://hr:pw@127.0.0.1:25
refused "a login without its password" "SCORECARD_SMTP_PASSWORD" --password-from '{id-number}' --smtp smtp://127.0.0.1:25 --smtp-user hr
refused "encryption with the archive profile" "archive profile" "${dry[@]}" --password-from '{id-number}' --profile archive
refused "{id-number} in the message" "cannot be in a message" "${dry[@]}" --password-from '{id-number}' --message <(printf 'Subject: x\n\nyour password: {id-number}\n')
# a password file others can read
printf 'KF001\tsecret-1\n' > "$out/pw.tsv"
chmod 644 "$out/pw.tsv"
"$cli" mail -d "$out/batch.xml" --from hr@huadong-yun.cn --dry-run "$out/pwf" --password-from "file:$out/pw.tsv" > "$out/pwf.out" 2>&1
rc=$?
check "a password file others can read: refused, exit $rc" '[ $rc != 0 ] && grep -q "chmod 600" "$out/pwf.out" && [ ! -e "$out/pwf"/*.eml ]'
chmod 600 "$out/pw.tsv"
"$cli" mail -d "$out/batch.xml" --from hr@huadong-yun.cn --dry-run "$out/pwf" --password-from "file:$out/pw.tsv" > "$out/pwf.out" 2>&1
rc=$?
check "a password file: KF001 written, the others without a line fail, exit $rc" '[ $rc = 1 ] && [ "$(ls "$out/pwf" | wc -l)" = 1 ] && grep -q "employee KF002 has no line in the password file" "$out/pwf.out"'

# ---- an archive copy carries the record, never its secrets ------------------------
"$cli" render -q -d "$out/batch.xml" -o "$out/archive" --profile archive
mkdir -p "$out/embedded"
for f in "$out/archive"/*.pdf; do (cd "$out/embedded" && pdfdetach -saveall "$f"); done
check "archive: 12 embedded records" '[ "$(ls "$out/embedded"/*-record.xml | wc -l)" = 12 ]'
check "archive: no <id-number> or <password> in an embedded record" \
    '! grep -l -e "<id-number" -e "<password" "$out/embedded"/*.xml'

# ---- no password anywhere ---------------------------------------------------------------
for pw in $passwords secret-1 "$SMTPD_PASSWORD"; do
    check "password $pw printed, journalled or in a message" \
        '! grep -rqF -- "$pw" "$out"/*.stdout "$out"/*.stderr "$out"/*.out "$out"/*/mail-journal.tsv "$out/dry" "$out/main" "$out/embedded"'
done

echo "mail: $pass passed, $fail failed"
[ $fail = 0 ]
