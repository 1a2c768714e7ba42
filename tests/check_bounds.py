#!/usr/bin/python3
"""check_bounds.py -- nothing is drawn outside its page or its cell.

usage: check_bounds.py PDF DUMP

Every word that pdftotext -bbox finds in PDF must lie inside its page's
MediaBox, and no grid line of the same page in DUMP (scorecard render
--dump of the same record) may run through it: a word crossed by a cell's
edge has been drawn over the edge, into the next cell.  pdftotext does not
see what is drawn off the page, so every text baseline and line of DUMP
must lie on the page too.  Exit 1 and one line per problem.
"""
import re
import subprocess
import sys
from xml.etree import ElementTree

TOL = 0.5  # pt: boxes touching an edge are fine


def words(pdf):
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True,
                         check=True).stdout
    root = ElementTree.fromstring(out)
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        w, h = float(page.get("width")), float(page.get("height"))
        yield w, h, [(float(e.get("xMin")), float(e.get("yMin")),
                      float(e.get("xMax")), float(e.get("yMax")), e.text or "")
                     for e in page.iter("{http://www.w3.org/1999/xhtml}word")]


def grids(dump):
    """Grid lines per page; also prints what lies off the page."""
    pages, size, off = [], (0, 0), 0
    with open(dump, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"document pages=\d+ size=(\S+)x(\S+) ", line)
            if m:
                size = (float(m.group(1)), float(m.group(2)))
            m = re.match(r"  (text|line|rect) (\S+) (\S+)(?: (\S+) (\S+))?", line)
            if m and pages:
                x, y = float(m.group(2)), float(m.group(3))
                xs, ys = [x], [y]
                if m.group(1) == "line":
                    xs.append(float(m.group(4)))
                    ys.append(float(m.group(5)))
                if min(xs) < -TOL or min(ys) < -TOL or max(xs) > size[0] + TOL \
                        or max(ys) > size[1] + TOL:
                    print("page %d of the dump: off the page: %s" %
                          (len(pages), line.strip()[:100]))
                    off += 1
            if line.startswith("page "):
                pages.append([])
            m = re.match(r"  line (\S+) (\S+) (\S+) (\S+) w", line)
            if m and pages:
                x1, y1, x2, y2 = map(float, m.groups())
                pages[-1].append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return pages, off


def crosses(word, line):
    x0, y0, x1, y1 = word[:4]
    lx0, ly0, lx1, ly1 = line
    if lx1 - lx0 < 0.01:  # vertical
        return x0 + TOL < lx0 < x1 - TOL and ly0 < y1 - TOL and ly1 > y0 + TOL
    if ly1 - ly0 < 0.01:  # horizontal
        return y0 + TOL < ly0 < y1 - TOL and lx0 < x1 - TOL and lx1 > x0 + TOL
    return False


def main(pdf, dump):
    grid, bad = grids(dump)
    pages = list(words(pdf))
    if len(pages) != len(grid):
        print("%s: %d pages, the dump has %d" % (pdf, len(pages), len(grid)))
        return 1
    for n, ((w, h, ws), lines) in enumerate(zip(pages, grid), 1):
        for word in ws:
            x0, y0, x1, y1, text = word
            if x0 < -TOL or y0 < -TOL or x1 > w + TOL or y1 > h + TOL:
                print("page %d: %r at %.1f,%.1f-%.1f,%.1f is outside the "
                      "%.1fx%.1f page" % (n, text, x0, y0, x1, y1, w, h))
                bad += 1
            for line in lines:
                if crosses(word, line):
                    print("page %d: %r at %.1f,%.1f-%.1f,%.1f runs over the "
                          "cell edge %s" % (n, text, x0, y0, x1, y1, line))
                    bad += 1
                    break
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
