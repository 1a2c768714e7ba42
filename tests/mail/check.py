"""check.py -- what the mail test asserts about messages, with Python's
email parser, qpdf and pdftotext.  Every failed assertion is a line
"FAIL ..."; the exit status is the number of failures (capped).

  check.py sent SPOOL PEOPLE PERIOD_LABEL OUT DRY JOURNAL
      the messages a server stored (SPOOL) for the batch described by
      PEOPLE (make_data.py): one per employee, To/Cc/envelope right,
      subject and file name in Chinese decoded, the attachment the bytes
      written to OUT and journalled, its decrypted document the one the dry
      run (DRY) wrote, AES-256 R6 with the recipient's password and the
      permissions, the recipient's name in its text and no colleague's,
      unreadable without the password or with a colleague's
  check.py counts SPOOL... -- ADDR...
      each ADDR received exactly one message over all SPOOLs (duplicates
      and losses are failures), and no message went to anyone else
  check.py journal JOURNAL OUT ID...
      the journal holds exactly one line for each ID, none for the others,
      and the sha256 of each is that of the PDF in OUT
"""
import email
import email.policy
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from email.header import decode_header, make_header

fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL " + what)


def messages(spool):
    """(envelope, parsed message, raw bytes) for each stored message."""
    out = []
    path = os.path.join(spool, "envelopes.jsonl")
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        env = json.loads(line)
        raw = open(os.path.join(spool, env["file"]), "rb").read()
        out.append((env, email.message_from_bytes(raw, policy=email.policy.default), raw))
    return out


def attachment(msg):
    parts = list(msg.iter_attachments())
    return parts[0] if len(parts) == 1 else None


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def decrypted(pdf, password, tmp, tag):
    """The document inside an encrypted PDF, without its file identifier
    (qpdf gives each encryption a new one)."""
    src = os.path.join(tmp, tag + ".pdf")
    dst = os.path.join(tmp, tag + "-plain.pdf")
    open(src, "wb").write(pdf)
    rc, _ = run("qpdf", "--decrypt", "--password=" + password, src, dst)
    if rc not in (0, 3):
        return None
    return re.sub(rb"/ID \[<[0-9a-f]*><[0-9a-f]*>\]", b"/ID []", open(dst, "rb").read())


def text_of(pdf, password, tmp, tag):
    src = os.path.join(tmp, tag + ".pdf")
    open(src, "wb").write(pdf)
    args = ["pdftotext"] + (["-upw", password] if password is not None else []) + [src, "-"]
    return run(*args)


def cmd_sent(spool, people_file, period_label, out, dry, journal):
    people = json.load(open(people_file, encoding="utf-8"))
    by_addr = {p["email"]: eid for eid, p in people.items() if p["email"]}
    got = messages(spool)
    check(len(got) == len(by_addr), "%d messages for %d employees with an address"
          % (len(got), len(by_addr)))
    jlines = [l.rstrip("\n").split("\t") for l in open(journal, encoding="utf-8")
              if not l.startswith("#")]
    jsha = {l[2]: l[4] for l in jlines}
    conns = open(os.path.join(spool, "connections.log")).read().split()
    check(len(conns) == 1, "one connection for the batch, not %d" % len(conns))
    seen_ids = set()
    tmp = tempfile.mkdtemp(prefix="sc-mail-check-")
    for env, msg, raw in got:
        to = msg["To"].addresses[0]
        eid = by_addr.get(to.addr_spec)
        check(eid is not None, "To %s is an employee's address" % to.addr_spec)
        if eid is None:
            continue
        p = people[eid]
        tag = "%s: " % eid
        check(eid not in seen_ids, tag + "only one message")
        seen_ids.add(eid)
        check(to.display_name == p["name"], tag + "To's name %r" % to.display_name)
        check(env["rcpt"] == [p["email"], p["superior"], "archive@huadong-yun.cn"],
              tag + "envelope recipients %r" % env["rcpt"])
        check(env["tls"] and env["authenticated"] and env["login"] == "hr",
              tag + "sent over TLS after AUTH as hr")
        check(env["from"] == "hr@huadong-yun.cn", tag + "envelope sender")
        check(str(msg["Cc"]) == p["superior"], tag + "Cc the superior")
        check(msg["Bcc"] is None and b"archive@" not in raw, tag + "no Bcc in the message")
        check(str(msg["Reply-To"]) == "hr-help@huadong-yun.cn", tag + "Reply-To")
        check(msg["From"].addresses[0].display_name == "人力资源部", tag + "From's name")
        subject = "%s绩效考核表（%s）" % (period_label, p["name"])
        check(str(msg["Subject"]) == subject, tag + "subject %r" % str(msg["Subject"]))
        check(msg["Date"] == "Sun, 01 Nov 2026 00:00:00 +0000", tag + "Date from SOURCE_DATE_EPOCH")
        for line in raw.split(b"\r\n"):
            check(len(line) <= 78, tag + "a line of %d characters" % len(line))
            if len(line) > 78:
                break
        att = attachment(msg)
        check(att is not None, tag + "one attachment")
        if att is None:
            continue
        fname = "2026-10_%s_%s.pdf" % (eid, p["name"])
        check(att.get_filename() == fname, tag + "RFC 2231 file name %r" % att.get_filename())
        legacy = email.message_from_bytes(raw)
        for part in legacy.walk():
            if part.get_content_type() == "application/pdf":
                name = str(make_header(decode_header(part.get_param("name"))))
                check(name == fname, tag + "RFC 2047 name= %r" % name)
        pdf = att.get_content()
        written = open(os.path.join(out, fname), "rb").read()
        check(pdf == written, tag + "attachment = the PDF written beside the journal")
        check(jsha.get(eid) == hashlib.sha256(pdf).hexdigest(), tag + "journal's sha256")
        body = msg.get_body(("plain",)).get_content()
        check(p["name"] in body, tag + "the body names the recipient")
        for other in people.values():
            if other is not p:
                check(other["name"] not in body, tag + "the body names " + other["name"])
        check(p["id_number"] not in body and p["password"] not in body
              and p["password"].encode() not in raw, tag + "the password is not in the message")
        # what qpdf says of the encryption
        rc, enc = run("qpdf", "--show-encryption", "--password=" + p["password"],
                      os.path.join(out, fname))
        check("Supplied password is user password" in enc and "is owner password" not in enc,
              tag + "the open password is not the owner password")
        check("R = 6" in enc and "file encryption method: AESv3" in enc,
              tag + "AES-256 R6: " + enc.replace("\n", "; ")[:120])
        for perm in ["print high resolution: allowed", "modify forms: allowed",
                     "modify other: not allowed", "modify annotations: not allowed",
                     "modify document assembly: not allowed"]:
            check(perm in enc, tag + perm)
        # its text: the recipient's, nobody else's; no text without the password
        rc, text = text_of(pdf, p["password"], tmp, eid)
        check(rc == 0 and p["name"] in text, tag + "pdftotext -upw finds the name")
        for oid, other in people.items():
            if oid != eid:
                check(other["name"] not in text, tag + "the sheet holds %s's name" % oid)
        rc, _ = text_of(pdf, None, tmp, eid + "-nopw")
        check(rc != 0, tag + "opens without a password")
        colleague = next(o for o in people.values() if o is not p)
        rc, _ = text_of(pdf, colleague["password"], tmp, eid + "-other")
        check(rc != 0, tag + "opens with a colleague's password")
        # the same message as the dry run's: headers, text, the document
        dry_raw = open(os.path.join(dry, fname[:-4] + ".eml"), "rb").read()
        dmsg = email.message_from_bytes(dry_raw, policy=email.policy.default)
        for h in ["Date", "From", "To", "Cc", "Reply-To", "Subject"]:
            check(str(dmsg[h]) == str(msg[h]), tag + "dry run's %s" % h)
        check(dmsg.get_body(("plain",)).get_content() == body, tag + "dry run's text")
        datt = attachment(dmsg)
        a = decrypted(pdf, p["password"], tmp, eid + "-sent")
        b = decrypted(datt.get_content(), p["password"], tmp, eid + "-dry") if datt else None
        check(a is not None and a == b, tag + "decrypted, the dry run's document")
    check(seen_ids == set(by_addr.values()), "messages for every employee with an address")
    ids = [str(m["Message-ID"]) for _, m, _ in got]
    check(len(set(ids)) == len(ids), "Message-IDs unique")


def cmd_counts(spools, addrs):
    count = {}
    for s in spools:
        for env, msg, raw in messages(s):
            to = msg["To"].addresses[0].addr_spec
            count[to] = count.get(to, 0) + 1
    for a in addrs:
        check(count.get(a, 0) == 1, "%s received %d messages" % (a, count.get(a, 0)))
    for a in count:
        check(a in addrs, "%s received a message" % a)


def cmd_journal(journal, out, ids):
    lines = [l.rstrip("\n").split("\t") for l in open(journal, encoding="utf-8")
             if not l.startswith("#")]
    got = sorted(l[2] for l in lines)
    check(got == sorted(ids), "journal ids %r, not %r" % (got, sorted(ids)))
    check(all(len(l) == 7 and re.fullmatch("[0-9a-f]{64}", l[4]) for l in lines),
          "journal lines have 7 fields and a sha256")
    for l in lines:
        files = glob.glob(os.path.join(out, "*_%s_*.pdf" % l[2]))
        check(len(files) == 1 and hashlib.sha256(open(files[0], "rb").read()).hexdigest()
              == l[4], "%s: the PDF beside the journal is the one sent" % l[2])


def main():
    cmd = sys.argv[1]
    if cmd == "sent":
        cmd_sent(*sys.argv[2:8])
    elif cmd == "counts":
        k = sys.argv.index("--")
        cmd_counts(sys.argv[2:k], sys.argv[k + 1:])
    elif cmd == "journal":
        cmd_journal(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit("check.py: unknown command " + cmd)
    sys.exit(min(len(fails), 100))


if __name__ == "__main__":
    main()
