#!/usr/bin/env bash
# bench/mail.sh -- what encrypting and e-mailing cost per employee: N
# employees made from the first of the kefu batch (as bench/run.sh does,
# each with its own address and id-number), then, alternately ROUNDS times:
#   render              one PDF each (the baseline)
#   render, encrypted   --password-from '{id-number:-6}'
#   mail --dry-run      encrypted, MIME-encoded, written as .eml
#   mail                encrypted and sent to Debian's aiosmtpd on 127.0.0.1
#                       (tests/mail/smtpd.py: STARTTLS, AUTH, every message
#                       fsync'd to its spool), journalled
# and prints the median seconds of each and the difference per employee.
#   bench/mail.sh [N|kefu] [ROUNDS]   (default: 1000 employees, 3 rounds;
#                                     kefu: the kefu batch itself, 12
#                                     employees on two forms)
# Needs a built ./build/scorecard and python3-aiosmtpd (./dev test).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
rounds=${2:-3}
cli=$PWD/build/scorecard
[ -x "$cli" ] || { echo "bench: build first (./dev test)" >&2; exit 2; }
work=$(mktemp -d /tmp/scorecard-mailbench.XXXXXX)
server=
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$work"' EXIT
src=examples/kefu-2026-10.xml
cp -r examples/schemes "$work/"
names=(张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄丽 周杰 吴婷 徐强 孙悦 马超 朱琳 胡军 郭蕾)
if [ "$n" = kefu ]; then
    /usr/bin/python3 tests/mail/make_data.py "$src" "$work"
    mv "$work/batch.xml" "$work/bench.xml"
    n=12
else
awk -v n="$n" -v names="${names[*]}" '
    BEGIN { split(names, nm, " "); state = 0 }
    state == 0 && /<employee[ >]/ { state = 1 }
    state == 0 { print; next }
    state == 1 { emp = emp $0 "\n"; if (/<\/employee>/) state = 2; next }
    state == 2 && /<employee[ >]/ { state = 3 }
    state == 3 { if (/<\/employee>/) state = 2; next }
    state == 2 && /<\/batch>/ {
        for (i = 1; i <= n; i++) {
            e = emp
            sub(/id="[^"]*"/, sprintf("id=\"B%06d\"", i), e)
            sub(/<name>[^<]*<\/name>/, "<name>" nm[(i - 1) % 16 + 1] "</name>", e)
            sub(/<email>[^<]*<\/email>/, sprintf("<email>e%06d@huadong-yun.cn</email>\n    <id-number>31010419880301%04d</id-number>", i, i % 10000), e)
            printf "%s", e
        }
        print; next
    }
' "$src" > "$work/bench.xml"
fi

export SOURCE_DATE_EPOCH=1793491200
export SMTPD_PASSWORD=bench-password SCORECARD_SMTP_PASSWORD=bench-password
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
/usr/bin/python3 tests/mail/smtpd.py --spool "$work/spool" --port-file "$work/port" \
    --cert "$work/cert.pem" --key "$work/key.pem" --user hr 2> /dev/null &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

secs() { # run the command, print its wall-clock seconds; its CPU seconds to $work/cpu-NAME
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$work/time" bash -c "$(declare -f "$1"); cli='$cli' work='$work' port='$port' $1" > /dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
    t1=$(date +%s%N)
    awk '{ printf " %.3f", $1 + $2 }' "$work/time" >> "$work/cpu-$1"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}
plain() { rm -rf "$work/o"; "$cli" render -q -d "$work/bench.xml" -o "$work/o"; }
encrypted() { rm -rf "$work/o"; "$cli" render -q -d "$work/bench.xml" -o "$work/o" --password-from '{id-number:-6}'; }
dry() { rm -rf "$work/o" "$work/eml"; "$cli" mail -q -d "$work/bench.xml" --from 'HR <hr@huadong-yun.cn>' --password-from '{id-number:-6}' --dry-run "$work/eml" -o "$work/o"; }
sent() {
    rm -rf "$work/o" "$work/spool"/*.eml
    "$cli" mail -q -d "$work/bench.xml" -o "$work/o" --from 'HR <hr@huadong-yun.cn>' \
        --password-from '{id-number:-6}' --smtp "smtp://127.0.0.1:$port" --smtp-user hr \
        --cacert "$work/cert.pem"
}
declare -A t
for r in $(seq "$rounds"); do
    for k in plain encrypted dry sent; do t[$k]="${t[$k]:-} $(secs $k)"; done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p=$(echo "${t[plain]}" | median) e=$(echo "${t[encrypted]}" | median)
d=$(echo "${t[dry]}" | median) s=$(echo "${t[sent]}" | median)
cp_=$(median < "$work/cpu-plain") ce=$(median < "$work/cpu-encrypted")
cd_=$(median < "$work/cpu-dry") cs=$(median < "$work/cpu-sent")
echo "bench: $n employees, median of $rounds rounds, wall (CPU of scorecard) in s:"
echo "  render $p ($cp_), encrypted $e ($ce), mail --dry-run $d ($cd_), mail $s ($cs)"
awk -v n="$n" -v p="$p" -v e="$e" -v d="$d" -v s="$s" -v cp="$cp_" -v ce="$ce" -v cs="$cs" 'BEGIN {
    printf "per employee: render %.1f ms; encryption +%.1f ms (CPU +%.1f); sending, over the encrypted render, +%.1f ms (CPU +%.1f); %.1f ms in all\n",
           1000 * p / n, 1000 * (e - p) / n, 1000 * (ce - cp) / n, 1000 * (s - e) / n, 1000 * (cs - ce) / n, 1000 * s / n }'
echo "server: $(ls "$work/spool" | grep -c '\.eml$') messages in its spool, $(wc -l < "$work/spool/connections.log") connections"
