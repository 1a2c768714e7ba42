#!/usr/bin/python3
"""has_outline.py -- does a PDF embed the outline of a character?

usage: has_outline.py PDF CHAR FONT[:INDEX]

Extracts the embedded fonts with `mutool extract` and looks, in every one
of them, for a glyph whose outline (fully decomposed, transforms applied)
is the outline FONT draws for CHAR.  Glyph ids and names differ in a
subset, so outlines are compared, not ids.  Exit status 0 if some embedded
glyph is that outline, 1 if none is, 77 if fontTools or mutool is missing.
"""
import logging
import os
import shutil
import subprocess
import sys
import tempfile

try:
    from fontTools.ttLib import TTFont
    from fontTools.pens.recordingPen import DecomposingRecordingPen
except ImportError:
    print("fontTools is not installed (apt install python3-fonttools)")
    sys.exit(77)


logging.getLogger("fontTools").setLevel(logging.ERROR)


def outline(glyphset, name):
    pen = DecomposingRecordingPen(glyphset)
    glyphset[name].draw(pen)
    return tuple((op, tuple(None if pt is None else tuple(round(c, 3) for c in pt)
                            for pt in args))
                 for op, args in pen.value)


def main():
    if len(sys.argv) != 4 or len(sys.argv[2]) != 1:
        print(__doc__)
        return 2
    pdf, char, spec = sys.argv[1], sys.argv[2], sys.argv[3]
    if not shutil.which("mutool"):
        print("mutool is not installed")
        return 77
    path, _, index = spec.partition(":")
    src = TTFont(path, fontNumber=int(index or 0), lazy=True)
    gname = src.getBestCmap().get(ord(char))
    if gname is None:
        print(f"{path} does not map U+{ord(char):04X}")
        return 2
    want = outline(src.getGlyphSet(), gname)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["mutool", "extract", os.path.abspath(pdf)], cwd=tmp,
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for f in sorted(os.listdir(tmp)):
            if not f.endswith((".ttf", ".otf", ".cff")):
                continue
            try:
                sub = TTFont(os.path.join(tmp, f), lazy=True)
            except Exception:
                continue
            gs = sub.getGlyphSet()
            for name in sub.getGlyphOrder():
                if outline(gs, name) == want:
                    print(f"{pdf}: {f} holds the outline of {char}")
                    return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
