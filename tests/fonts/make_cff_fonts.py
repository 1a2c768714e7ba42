#!/usr/bin/python3
"""make_cff_fonts.py -- small OpenType/CFF fonts for the tests and the font
fuzz harness's seeds, made at build time (no font file is committed).

usage: make_cff_fonts.py OUTDIR

  OUTDIR/tiny-name.otf   name-keyed CFF built here (fontTools FontBuilder):
                         .notdef, space, A, 中 (calling a local subroutine),
                         𠮷 U+20BB7 (calling a global one)
  OUTDIR/tiny-cid.otf    CID-keyed CFF with FDArray, FDSelect and
                         subroutines: Noto Serif CJK SC cut down by
                         fontTools' subsetter to a few characters, if
                         fonts-noto-cjk is installed (else not written)
"""
import os
import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString

NOTO = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
CHARS = "绩效考核中A B 𠮷 Performance 98% 2026-10，好。張"


def name_keyed(path):
    fb = FontBuilder(1000, isTTF=False)
    order = [".notdef", "space", "A", "uni4E2D", "u20BB7"]
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x20: "space", 0x41: "A", 0x4E2D: "uni4E2D",
                          0x20BB7: "u20BB7"})
    box = T2CharString(program=[500, 50, 0, "rmoveto", 400, 0, 0, 700,
                                -400, 0, "rlineto", "endchar"])
    space = T2CharString(program=[250, "endchar"])
    tri = T2CharString(program=[600, 0, 0, "rmoveto", 300, 700, 300, -700,
                                "rlineto", "endchar"])
    # 中: a box (a local subroutine) and a bar
    zh = T2CharString(program=[1000, 100, 100, "rmoveto",
                               -107 + 0, "callsubr",
                               350, -300, "rmoveto", 100, 0, 0, 900, -100, 0,
                               "rlineto", "endchar"])
    ji = T2CharString(program=[1000, 100, 0, "rmoveto",
                               -107 + 0, "callgsubr", "endchar"])
    fb.setupCFF("TinyName-Regular", {"FullName": "Tiny Name"},
                {".notdef": box, "space": space, "A": tri, "uni4E2D": zh,
                 "u20BB7": ji}, {})
    cff = fb.font["CFF "].cff
    top = cff.topDictIndex[0]
    from fontTools.cffLib import SubrsIndex, GlobalSubrsIndex
    lsubrs = SubrsIndex()
    lsubrs.append(T2CharString(program=[800, 0, 0, 500, -800, 0,
                                        "rlineto", "return"]))
    top.Private.Subrs = lsubrs
    gsubrs = cff.GlobalSubrs
    gsubrs.append(T2CharString(program=[400, 800, 400, -800, "rlineto",
                                        "return"]))
    for cs in top.CharStrings.values():
        cs.private = top.Private
        cs.globalSubrs = gsubrs
    fb.setupHorizontalMetrics({".notdef": (500, 50), "space": (250, 0),
                               "A": (600, 0), "uni4E2D": (1000, 100),
                               "u20BB7": (1000, 100)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "Tiny Name", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880,
                usWinDescent=120)
    fb.setupPost()
    fb.save(path)


def cid_keyed(path):
    if not os.path.exists(NOTO):
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(NOTO, fontNumber=2)
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea",
                         "vmtx"]
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in CHARS])
    sub.subset(font)
    font.save(path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    name_keyed(os.path.join(out, "tiny-name.otf"))
    cid_keyed(os.path.join(out, "tiny-cid.otf"))


if __name__ == "__main__":
    main()
