#!/usr/bin/python3
"""check_glyphs.py -- every glyph embedded in a PDF is whole.

usage: check_glyphs.py PDF TEXT FONT[:INDEX]...

Extracts the embedded fonts with `mutool extract`, and for each one that is
a subset of one of the given source fonts (matched by PostScript name):
  1. every composite glyph's components exist in the subset and have
     outlines (libharu 2.3.0 dropped components above glyph id 32767);
  2. every character of TEXT that the source font maps is drawn, fully
     decomposed, exactly as the source font draws it: its outline (all
     contours of all nested components, with their transforms) is one of
     the subset's glyph outlines.
Exit status 0 if all is well; 1 with a message per defect; 77 if fontTools
or mutool is missing (the caller skips).
"""
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


def outline(glyphset, name):
    pen = DecomposingRecordingPen(glyphset)
    glyphset[name].draw(pen)
    return tuple((op, tuple(tuple(round(c, 3) for c in pt) for pt in args))
                 for op, args in pen.value)


def psname(font):
    n = font["name"].getName(6, 3, 1, 0x409) or font["name"].getName(6, 1, 0, 0)
    return n.toUnicode() if n else None


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    if not shutil.which("mutool"):
        print("mutool is not installed")
        return 77
    pdf, text, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    src = {}
    for s in sources:
        path, _, idx = s.partition(":")
        f = TTFont(path, fontNumber=int(idx or 0), lazy=True)
        src[psname(f)] = f
    bad = 0
    checked = 0
    tmp = tempfile.mkdtemp()
    try:
        subprocess.run(["mutool", "extract", os.path.abspath(pdf)], cwd=tmp,
                       check=True, capture_output=True)
        fonts = sorted(x for x in os.listdir(tmp) if x.endswith(".ttf"))
        if not fonts:
            print("%s: no embedded TrueType font found" % pdf)
            return 1
        for fn in fonts:
            sub = TTFont(os.path.join(tmp, fn))
            name = psname(sub)
            order = sub.getGlyphOrder()
            glyf = sub["glyf"]
            # 1. structure: components exist and are not empty
            for g in order:
                gl = glyf[g]
                if not gl.isComposite():
                    continue
                for c in gl.components:
                    if c.glyphName not in glyf.keys():
                        print("%s (%s): glyph %s: component %s is missing"
                              % (fn, name, g, c.glyphName))
                        bad += 1
                        continue
                    cg = glyf[c.glyphName]
                    if not cg.isComposite() and cg.numberOfContours == 0:
                        print("%s (%s): glyph %s: component %s has no outline"
                              % (fn, name, g, c.glyphName))
                        bad += 1
            # 2. each character drawn as the source draws it
            source = src.get(name)
            if source is None:
                continue
            gs_sub = sub.getGlyphSet()
            have = {outline(gs_sub, g) for g in order}
            gs_src = source.getGlyphSet()
            cmap = source.getBestCmap()
            for ch in sorted(set(text)):
                g = cmap.get(ord(ch))
                if not g or ch.isspace():
                    continue
                o = outline(gs_src, g)
                if not o:
                    continue
                checked += 1
                if o not in have:
                    print("%s (%s): U+%04X %s is not drawn as in the source "
                          "font (strokes missing?)" % (fn, name, ord(ch), ch))
                    bad += 1
    finally:
        shutil.rmtree(tmp)
    if checked == 0:
        print("no character of the text was checked against a source font")
        return 1
    print("%d characters checked, %d defects" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
