#!/usr/bin/python3
"""split.py -- batches made from one batch, for the reproducibility test.

usage: split.py BATCH.xml OUTDIR [RARE1 RARE2]

Writes, beside each other in OUTDIR:
  reversed.xml       the employees in reverse order
  alone-<id>.xml     each employee alone, with the batch header
  rare.xml           (with RARE1 RARE2) the batch with RARE1 added to the
                     first employee's comment and RARE2 to the second's
The header (everything of <batch> but its employees) is kept as it is.
"""
import copy
import os
import sys
import xml.etree.ElementTree as ET


def write(root, path):
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def main():
    src, out = sys.argv[1], sys.argv[2]
    rare = sys.argv[3:5]
    root = ET.parse(src).getroot()
    emps = [e for e in root if e.tag == "employee"]
    head = copy.deepcopy(root)
    for e in [e for e in head if e.tag == "employee"]:
        head.remove(e)
    rev = copy.deepcopy(head)
    for e in reversed(emps):
        rev.append(copy.deepcopy(e))
    write(rev, os.path.join(out, "reversed.xml"))
    for e in emps:
        one = copy.deepcopy(head)
        one.append(copy.deepcopy(e))
        write(one, os.path.join(out, "alone-%s.xml" % e.get("id")))
    if rare:
        r = copy.deepcopy(root)
        for e, ch in zip([e for e in r if e.tag == "employee"], rare):
            c = e.find("comments/comment")
            if c is None:
                raise SystemExit("employee %s has no comment" % e.get("id"))
            c.text = (c.text or "") + ch
        write(r, os.path.join(out, "rare.xml"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
