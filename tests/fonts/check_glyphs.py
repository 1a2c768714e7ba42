#!/usr/bin/python3
"""check_glyphs.py -- every glyph embedded in a PDF is whole.

usage: check_glyphs.py PDF TEXT FONT[:INDEX]...

Extracts the embedded fonts with `mutool extract`, and for each one that is
a subset of one of the given source fonts (TrueType: matched by PostScript
name; a bare CFF font program, FontFile3: by its CFF font name, the first
source listed with that name, as the faces of a collection such as Noto
CJK share one CFF table):
  1. every composite glyph's components exist in the subset and have
     outlines (libharu 2.3.0 dropped components above glyph id 32767);
  2. every character of TEXT that the source font maps is drawn, fully
     decomposed, exactly as the source font draws it: its outline (all
     contours of all nested components, with their transforms) is one of
     the subset's glyph outlines;
  3. a CFF font (CIDFontType0): every CID its ToUnicode maps to a
     character is that character's glyph in the source font -- found
     through the subset's charset (CID-keyed) or as its glyph index
     (name-keyed) -- with the same outline (charstrings decoded with their
     subroutines) and the same width in /W.  TEXT is not used for it.
Exit status 0 if all is well; 1 with a message per defect; 77 if fontTools
or mutool is missing (the caller skips).
"""
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    from fontTools.cffLib import CFFFontSet
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


def cff_name(font):
    return font["CFF "].cff.fontNames[0] if "CFF " in font else None


def psname(font):
    n = font["name"].getName(6, 3, 1, 0x409) or font["name"].getName(6, 1, 0, 0)
    return n.toUnicode() if n else None


def pdf_objects(pdf):
    """Object number -> its dictionary as one line (mutool show grep)."""
    out = subprocess.run(["mutool", "show", pdf, "grep"], check=True,
                         capture_output=True).stdout.decode("latin-1")
    objs = {}
    for line in out.splitlines():
        m = re.match(r"(\d+) 0 obj (.*)", line)
        if m:
            objs[int(m.group(1))] = m.group(2)
    return objs


def ref(d, key):
    m = re.search(r"/%s (\d+) 0 R" % key, d)
    return int(m.group(1)) if m else None


def widths(cidfont):
    """CID -> width from /W, and /DW."""
    m = re.search(r"/DW (\d+)", cidfont)
    dw = int(m.group(1)) if m else 1000
    w = {}
    m = re.search(r"/W\[(.*?)\]\]", cidfont)
    if m:
        for start, run in re.findall(r"(\d+)\[([-\d. ]+)", m.group(1) + "]"):
            for i, x in enumerate(run.split()):
                w[int(start) + i] = round(float(x))
    return w, dw


def to_unicode(pdf, num):
    """CID -> text of a ToUnicode CMap (bfchar and bfrange)."""
    cmap = subprocess.run(["mutool", "show", "-b", pdf, str(num)], check=True,
                          capture_output=True).stdout.decode("latin-1")
    def text(h):
        return bytes.fromhex(h).decode("utf-16-be")
    m = {}
    for sect in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for c, u in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", sect):
            m[int(c, 16)] = text(u)
    for sect in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        # <lo> <hi> <u> (code points counting up) or <lo> <hi> [<u> ...]
        for a, b, u, arr in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*"
                r"(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])", sect):
            lo, hi = int(a, 16), int(b, 16)
            if u:
                for k in range(lo, hi + 1):
                    m[k] = chr(ord(text(u)) + k - lo)
                continue
            dst = re.findall(r"<([0-9A-Fa-f]+)>", arr)
            if len(dst) != hi - lo + 1:
                raise ValueError("bfrange <%s> <%s>: %d entries for %d codes"
                                 % (a, b, len(dst), hi - lo + 1))
            for k, d in enumerate(dst):
                m[lo + k] = text(d)
    return m


def check_cff_font(pdf, objs, fontfile, path, src):
    """A CIDFontType0 whose font descriptor (or FontFile3) is object
    `fontfile`, extracted to
    `path`: every CID its ToUnicode maps to a character is, in the subset
    (found through the subset's charset, or as the glyph index of a
    name-keyed one), the source font's glyph for that character: same
    outline (charstring decoded with its subroutines) and the /W width the
    source's advance gives.  Returns (checked, defects)."""
    cff = CFFFontSet()
    with open(path, "rb") as f:
        cff.decompile(io.BytesIO(f.read()), None)
    name = cff.fontNames[0]
    source = src.get(("CFF", name))
    if source is None:
        return 0, 0
    top = cff[name]
    cs = top.CharStrings
    order = top.charset
    cid_keyed = hasattr(top, "ROS")
    # mutool names the file after the font descriptor (or the stream)
    desc = fontfile if ref(objs.get(fontfile, ""), "FontFile3") else next(
        n for n, d in objs.items() if ref(d, "FontFile3") == fontfile)
    cidfont = next(d for d in objs.values() if ref(d, "FontDescriptor") == desc)
    cidnum = next(n for n, d in objs.items() if d is cidfont)
    type0 = next(d for d in objs.values()
                 if re.search(r"/DescendantFonts\[%d 0 R\]" % cidnum, d))
    tu = to_unicode(pdf, ref(type0, "ToUnicode"))
    w, dw = widths(cidfont)
    gs_src = source.getGlyphSet()
    cmap = source.getBestCmap()
    upem = source["head"].unitsPerEm
    checked = bad = 0
    for code, text in sorted(tu.items()):
        g = cmap.get(ord(text[0])) if len(text) == 1 else None
        if g is None:
            print("%s (%s): CID %d maps to %r, which the source font does "
                  "not map" % (path, name, code, text))
            bad += 1
            continue
        sub = "cid%05d" % code if cid_keyed else (
            order[code] if code < len(order) else None)
        if sub is None or sub not in cs:
            print("%s (%s): CID %d (U+%04X) has no glyph in the subset"
                  % (path, name, code, ord(text)))
            bad += 1
            continue
        pen = DecomposingRecordingPen(None)
        cs[sub].draw(pen)
        mine = tuple((op, tuple(tuple(round(c, 3) for c in pt)
                                for pt in args)) for op, args in pen.value)
        checked += 1
        if mine != outline(gs_src, g):
            print("%s (%s): U+%04X %s is not drawn as in the source font "
                  "(CID %d)" % (path, name, ord(text), text, code))
            bad += 1
        want = round(source["hmtx"][g][0] * 1000 / upem)
        if w.get(code, dw) != want:
            print("%s (%s): U+%04X %s is %d wide in /W, the font says %d"
                  % (path, name, ord(text), text, w.get(code, dw), want))
            bad += 1
    return checked, bad


def check_chars(source, have, text, fn, name):
    """Each character of text that source maps: is its outline among
    `have`?  Returns (checked, defects)."""
    checked = bad = 0
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
    return checked, bad


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
        src.setdefault(psname(f), f)
        if cff_name(f):
            src.setdefault(("CFF", cff_name(f)), f)
    bad = 0
    checked = 0
    tmp = tempfile.mkdtemp()
    try:
        subprocess.run(["mutool", "extract", os.path.abspath(pdf)], cwd=tmp,
                       check=True, capture_output=True)
        fonts = sorted(x for x in os.listdir(tmp) if x.endswith(".ttf"))
        cffs = sorted(x for x in os.listdir(tmp)
                      if x.endswith(".cid") or x.endswith(".cff"))
        if not fonts and not cffs:
            print("%s: no embedded font found" % pdf)
            return 1
        objs = pdf_objects(os.path.abspath(pdf)) if cffs else {}
        for fn in cffs:
            num = int(re.search(r"(\d+)", fn).group(1))
            c, b = check_cff_font(os.path.abspath(pdf), objs, num,
                                  os.path.join(tmp, fn), src)
            checked += c
            bad += b
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
            c, b = check_chars(source, have, text, fn, name)
            checked += c
            bad += b
    finally:
        shutil.rmtree(tmp)
    if checked == 0:
        print("no character of the text was checked against a source font")
        return 1
    print("%d characters checked, %d defects" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
