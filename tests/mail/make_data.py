"""make_data.py -- the mail test's data, made from examples/kefu-2026-10.xml.

  make_data.py KEFU OUTDIR

writes OUTDIR/batch.xml: the kefu batch (12 employees) with an
<id-number> for each (made up, the last six characters distinct) and the
superior's address on <superior email="...">; OUTDIR/faults.xml: the same
with KF004's <email> empty; OUTDIR/people.json: per employee id its name,
address, superior's address and open password (the last six characters of
its id-number), for check.py.
"""
import json
import re
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    text = open(src, encoding="utf-8").read()
    people = {}
    superiors = {}
    parts = re.split(r'(<employee id="[^"]+")', text)
    res = [parts[0]]
    for k in range(1, len(parts), 2):
        head, body = parts[k], parts[k + 1]
        eid = re.search(r'id="([^"]+)"', head).group(1)
        n = len(people) + 1
        # 18 characters; the last six: day, sequence, check digit (X or 0-9)
        idnum = "310104198803%02d%03d%s" % (n, 100 + n * 7, "X" if n % 3 == 0 else n % 10)
        name = re.search(r"<name>([^<]*)</name>", body).group(1)
        email = re.search(r"<email>([^<]*)</email>", body).group(1)
        sup = re.search(r"<superior>([^<]*)</superior>", body).group(1)
        if sup not in superiors:
            superiors[sup] = "lead%d@huadong-yun.cn" % (len(superiors) + 1)
        body = body.replace("<superior>%s</superior>" % sup,
                            '<superior email="%s">%s</superior>' % (superiors[sup], sup), 1)
        body = re.sub(r"(<email>[^<]*</email>)",
                      lambda m: m.group(1) + "\n    <id-number>%s</id-number>" % idnum, body, count=1)
        people[eid] = {"name": name, "email": email, "superior": superiors[sup],
                       "id_number": idnum, "password": idnum[-6:]}
        res += [head, body]
    batch = "".join(res)
    open(out + "/batch.xml", "w", encoding="utf-8").write(batch)
    faults = re.sub(r'(<employee id="KF004">.*?<email>)[^<]*(</email>)', r"\1\2", batch,
                    count=1, flags=re.S)
    assert faults != batch
    open(out + "/faults.xml", "w", encoding="utf-8").write(faults)
    pw = {p["password"] for p in people.values()}
    assert len(pw) == len(people), "passwords must differ"
    json.dump(people, open(out + "/people.json", "w", encoding="utf-8"), ensure_ascii=False,
              indent=1)


if __name__ == "__main__":
    main()
