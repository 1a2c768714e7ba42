#!/usr/bin/python3
"""check_typography.py -- read layout dumps (scorecard render --dump) and
fail on the line breaks a reader of the printed sheet notices:

  * a lone last character: a paragraph or cell of two lines or more whose
    last line holds a single hanzi (perhaps with punctuation after it:
    度, 分。) -- clreq's 孤字;
  * a number split from its unit (30 | 秒, 10 | 分）) or from the slash of a
    compound unit (3分 | /次), and an operator left at a line end (× | 100%).

It does not reuse the layout's code: lines are rebuilt from the text items
of the dump (runs on one baseline that touch, measured with the fonts'
own advance widths through fontTools), and the lines of one paragraph or
cell are consecutive lines of the same size, one line height apart, whose
horizontal extents overlap.

usage: check_typography.py DUMP...   (exit 1 and one line per problem)
"""
import re
import subprocess
import sys

from fontTools.ttLib import TTCollection, TTFont

CLOSING = set("，。、；：？！）」』】》〉”’…‥％・～,.;:!?)]}%°℃")
OPERATORS = set("+=<>*/±×÷−∕≈≠≤≥＋／＜＝＞")


def wide(ch):
    c = ord(ch)
    return (0x1100 <= c <= 0x115F or 0x2E80 <= c <= 0x303E or
            0x3041 <= c <= 0x33FF or 0x3400 <= c <= 0x4DBF or
            0x4E00 <= c <= 0x9FFF or 0xA000 <= c <= 0xA4CF or
            0xAC00 <= c <= 0xD7A3 or 0xF900 <= c <= 0xFAFF or
            0xFE10 <= c <= 0xFE19 or 0xFE30 <= c <= 0xFE6F or
            0xFF00 <= c <= 0xFF60 or 0xFFE0 <= c <= 0xFFE6 or
            0x20000 <= c <= 0x3FFFD)


def hanzi(ch):
    """A wide character that is not punctuation or a space."""
    return wide(ch) and ch not in CLOSING and ch not in "（「『【《〈“‘　"


def digit(ch):
    return "0" <= ch <= "9" or "０" <= ch <= "９"


class Faces:
    """Advance widths by the dump's face names (family without spaces,
    "AR PL " dropped), found through fontconfig."""

    def __init__(self):
        self.files = {}
        out = subprocess.run(["fc-list", "--format", "%{file}\t%{index}\t%{family}\n"],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            path, index, families = line.split("\t", 2)
            for fam in families.split(","):
                key = fam.replace("AR PL ", "").replace(" ", "")
                self.files.setdefault(key, (path, int(index)))
        self.loaded = {}

    def advance(self, face, ch):
        if face not in self.loaded:
            path, index = self.files[face]
            font = (TTCollection(path, lazy=True).fonts[index]
                    if path.endswith((".ttc", ".otc")) else TTFont(path, lazy=True))
            self.loaded[face] = (font.getBestCmap(), font["hmtx"].metrics,
                                 font["head"].unitsPerEm)
        cmap, hmtx, upem = self.loaded[face]
        glyph = cmap.get(ord(ch))
        return hmtx[glyph][0] / upem if glyph else 1.0


TEXT = re.compile(r'^  text (\S+) (\S+) (\S+)/(\S+) (\S+) b\d g\S+ "((?:[^"\\]|\\.)*)"$')


def unescape(s):
    return re.sub(r'\\(x[0-9A-Fa-f]{2}|.)',
                  lambda m: {"n": "\n", "t": "\t"}.get(m.group(1),
                  chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "x" else m.group(1)), s)


def lines_of(path, faces):
    """Yield (document title, page, [lines]) with lines in drawing order:
    dicts x0, x1, y, size, role, text."""
    title, page, lines = "", 0, []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("document "):
                if lines:
                    yield title, page, lines
                m = re.search(r' title="((?:[^"\\]|\\.)*)"', raw)
                title, page, lines = unescape(m.group(1)) if m else "", 0, []
                continue
            if raw.startswith("page "):
                if lines:
                    yield title, page, lines
                page, lines = int(raw.split()[1]), []
                continue
            m = TEXT.match(raw)
            if not m:
                continue
            x, y, role, face, size, text = m.groups()
            x, y, size, text = float(x), float(y), float(size), unescape(text)
            w = sum(faces.advance(face, ch) for ch in text) * size
            last = lines[-1] if lines else None
            if (last and abs(last["y"] - y) < 0.01 and last["size"] == size and
                    last["role"] == role and abs(last["x1"] - x) < 0.05):
                last["x1"] = x + w
                last["text"] += text
            else:
                lines.append({"x0": x, "x1": x + w, "y": y, "size": size,
                              "role": role, "text": text})
    if lines:
        yield title, page, lines


def groups(lines):
    """Paragraphs and cells: runs of consecutive lines one line height
    apart (1.0-1.6 x size, the same step throughout) that overlap."""
    group, step = [], None
    for ln in lines:
        if group:
            prev = group[-1]
            dy = ln["y"] - prev["y"]
            same = (ln["size"] == prev["size"] and ln["role"] == prev["role"] and
                    1.0 * ln["size"] <= dy <= 1.6 * ln["size"] and
                    (step is None or abs(dy - step) < 0.02) and
                    ln["x0"] < prev["x1"] and prev["x0"] < ln["x1"])
            if same:
                group.append(ln)
                step = dy
                continue
            yield group
        group, step = [ln], None
    if group:
        yield group


def problems(group):
    texts = [g["text"].strip() for g in group]
    if len(texts) >= 2:
        last = texts[-1]
        if last and hanzi(last[0]) and all(ch in CLOSING for ch in last[1:]):
            units = sum(1 for ch in texts[-2] if ch not in CLOSING and ch != " ")
            yield ("lone last character %r after %r%s" %
                   (last, texts[-2], "" if units >= 3 else
                    " (the line before cannot give one: the layout must warn)"))
    for a, b in zip(texts, texts[1:]):
        if not a or not b:
            continue
        if digit(a[-1]) and (hanzi(b[0]) or b[0] in "/／"):
            yield "number split from its unit: %r | %r" % (a, b)
        if a[-1] in OPERATORS:
            yield "operator at a line end: %r | %r" % (a, b)


def main(paths):
    faces = Faces()
    bad = 0
    for path in paths:
        for title, page, lines in lines_of(path, faces):
            for group in groups(lines):
                for p in problems(group):
                    print("%s: %s page %d: %s" % (path, title, page, p))
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
