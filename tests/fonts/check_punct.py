#!/usr/bin/python3
"""check_punct.py -- where the ink of ，。、；：！？ lies on a rendered page.

usage: check_punct.py DUMP PAGE.pgm DPI centred|mainland

DUMP is the layout dump of a one-page record (scorecard render --dump),
PAGE.pgm the same page rasterised (pdftoppm -r DPI -gray).  For every
mark of every text run made only of full-width characters (each one em
wide, so the mark's em box is known from the run's start), the ink inside
the em box is found on the page and its middle compared with the box's:
the em box spans the run's width em by em, and 0.88 em above to 0.12 em
below the baseline (the ideographic em box of these faces).

  centred   (Traditional text): every mark's ink is in the middle, within
            0.08 em across and 0.12 em up or down;
  mainland  (Simplified text): ，；： lie in the left half (their middle
            more than 0.15 em left of the box's), as the faces draw them.

Prints one line per mark; exit 1 if one is not where it should be.
"""
import re
import sys

MARKS = "，。、；：！？"
LINE = re.compile(r'^\s*text (\S+) (\S+) (\w+)/(.*) (\S+) b(\d) g(\S+) "(.*)"( centre-punct)?$')


def read_pgm(path):
    data = open(path, "rb").read()
    # P5 header: magic, width, height, maxval, each after whitespace
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5":
        sys.exit(f"{path}: not a binary PGM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h]


def ink_box(img, x0, y0, x1, y1):
    w, h, px = img
    xs, ys = [], []
    for y in range(max(0, y0), min(h, y1)):
        row = px[y * w:(y + 1) * w]
        for x in range(max(0, x0), min(w, x1)):
            if row[x] < 140:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def full_width(ch):
    return 0x2E80 <= ord(ch) <= 0x9FFF or 0xFF00 <= ord(ch) <= 0xFF60


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("centred", "mainland"):
        sys.exit(__doc__)
    dump, pgm, dpi, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    img = read_pgm(pgm)
    k = dpi / 72.0
    bad = checked = 0
    for line in open(dump, encoding="utf-8"):
        m = LINE.match(line.rstrip("\n"))
        if not m:
            continue
        x, y, size, text = float(m.group(1)), float(m.group(2)), float(m.group(5)), m.group(8)
        if not all(full_width(c) for c in text):
            continue
        for i, ch in enumerate(text):
            if ch not in MARKS:
                continue
            bx0, bx1 = x + i * size, x + (i + 1) * size
            by0, by1 = y - 0.88 * size, y + 0.12 * size
            ink = ink_box(img, int(bx0 * k), int(by0 * k), int(bx1 * k), int(by1 * k))
            if ink is None:
                print(f"{ch} at {bx0:.1f},{y:.1f} ({m.group(4)}): no ink in its em box")
                bad += 1
                continue
            ox = ((ink[0] + ink[2]) / 2 / k - (bx0 + bx1) / 2) / size
            oy = ((ink[1] + ink[3]) / 2 / k - (by0 + by1) / 2) / size
            if mode == "centred":
                ok = abs(ox) <= 0.08 and abs(oy) <= 0.12
            else:
                ok = ch not in "，；：" or ox < -0.15
            checked += 1
            print(f"{'ok ' if ok else 'BAD'} {ch} {m.group(4)}: ink middle {ox:+.3f} em across, "
                  f"{oy:+.3f} em down from the em box's")
            bad += not ok
    if checked == 0:
        print("no marks found in the dump")
        bad += 1
    sys.exit(1 if bad else 0)


main()
