#!/usr/bin/python3
"""read.py -- check's workbook read back two ways, compared with its CSV.

    read.py cells BOOK.xlsx SHEET CSV   every cell equals the CSV's (text as
                                        text, figures as numbers shown with
                                        the CSV's decimals); prints a line
                                        per finding, nothing when all agree
    read.py facts BOOK.xlsx             one line per fact the test greps

The cells are read with zipfile + ElementTree (the raw XML: which cells
are numbers, their number formats, the frozen pane, the bold header);
openpyxl (Debian's python3-openpyxl) reads the same file as a second,
independent client and must agree.
"""
import csv
import sys
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
RELNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
BUILTIN = {0: "General", 1: "0", 2: "0.00"}


def col_index(ref):
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


class Book:
    def __init__(self, path):
        self.z = zipfile.ZipFile(path)
        wb = ET.fromstring(self.z.read("xl/workbook.xml"))
        rels = ET.fromstring(self.z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels.iter(RELNS + "Relationship")}
        self.sheets = {}
        for s in wb.iter("{%s}sheet" % NS["m"]):
            self.sheets[s.get("name")] = "xl/" + target[s.get("{%s}id" % NS["r"])]
        self.order = [s.get("name") for s in wb.iter("{%s}sheet" % NS["m"])]
        self.shared = []
        if "xl/sharedStrings.xml" in self.z.namelist():
            sst = ET.fromstring(self.z.read("xl/sharedStrings.xml"))
            for si in sst.findall("m:si", NS):
                self.shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        st = ET.fromstring(self.z.read("xl/styles.xml"))
        fmts = dict(BUILTIN)
        for f in st.iter("{%s}numFmt" % NS["m"]):
            fmts[int(f.get("numFmtId"))] = f.get("formatCode")
        fonts = st.find("m:fonts", NS).findall("m:font", NS)
        self.xf = []  # style index -> (number format, bold)
        for x in st.find("m:cellXfs", NS).findall("m:xf", NS):
            font = fonts[int(x.get("fontId", "0"))]
            self.xf.append((fmts.get(int(x.get("numFmtId", "0")), "?"),
                            font.find("m:b", NS) is not None))

    def sheet(self, name):
        """rows of cells: (kind 'n'|'s', text as written, format, bold)"""
        root = ET.fromstring(self.z.read(self.sheets[name]))
        rows = []
        for row in root.iter("{%s}row" % NS["m"]):
            r = int(row.get("r")) - 1
            while len(rows) <= r:
                rows.append({})
            for c in row.findall("m:c", NS):
                t = c.get("t", "n")
                fmt, bold = self.xf[int(c.get("s", "0"))]
                if t == "inlineStr":
                    v = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                    kind = "s"
                elif t == "s":
                    v, kind = self.shared[int(c.find("m:v", NS).text)], "s"
                elif t == "n":
                    v, kind = c.find("m:v", NS).text, "n"
                else:
                    v, kind = c.find("m:v", NS).text, t
                rows[r][col_index(c.get("r"))] = (kind, v, fmt, bold)
        return root, rows


def shown(cell):
    """what Excel shows: a number in its format's decimals, else the text"""
    if cell is None:
        return ""
    kind, v, fmt, _ = cell
    if kind != "n":
        return v
    dec = len(fmt.split(".")[1]) if "." in fmt else 0
    if fmt not in ("0",) and not (fmt.startswith("0.") and set(fmt[2:]) == {"0"}):
        return "?format %s" % fmt
    return "%.*f" % (dec, float(v))


def cells(path, name, csvpath):
    book = Book(path)
    _, rows = book.sheet(name)
    with open(csvpath, encoding="utf-8-sig", newline="") as f:
        want = list(csv.reader(f))
    bad = []
    if len(rows) != len(want):
        bad.append("%d rows in the sheet, %d lines in the CSV" % (len(rows), len(want)))
    for r, line in enumerate(want[:len(rows)]):
        width = max(list(rows[r].keys()) + [-1]) + 1
        if width > len(line):
            bad.append("row %d: %d cells, the CSV %d" % (r + 1, width, len(line)))
        for i, text in enumerate(line):
            cell = rows[r].get(i)
            got = shown(cell)
            if got != text:
                bad.append("row %d col %d: %r, the CSV %r" % (r + 1, i + 1, got, text))
                continue
            if cell and cell[0] == "n" and Decimal(repr(float(cell[1]))) != Decimal(text):
                # the double Excel holds is the printed decimal's nearest
                bad.append("row %d col %d: holds %s, printed %s" % (r + 1, i + 1, cell[1], text))
            if r == 0 and cell and not cell[3]:
                bad.append("header %r is not bold" % text)
    # openpyxl, a second client, reads the same values
    import openpyxl
    ws = openpyxl.load_workbook(path)[name]
    for r, line in enumerate(want):
        for i, text in enumerate(line):
            v = ws.cell(row=r + 1, column=i + 1).value
            v = "" if v is None else v
            if isinstance(v, str) and v != text:
                bad.append("openpyxl row %d col %d: %r, the CSV %r" % (r + 1, i + 1, v, text))
            if not isinstance(v, str) and Decimal(repr(float(v))) != Decimal(text):
                bad.append("openpyxl row %d col %d: %r, the CSV %r" % (r + 1, i + 1, v, text))
    for b in bad:
        print(b)


def facts(path):
    """sheets=..., frozen=..., numeric=..., created=..."""
    book = Book(path)
    print("sheets=" + ",".join(book.order))
    core = ET.fromstring(book.z.read("docProps/core.xml"))
    created = [e.text for e in core if e.tag.endswith("}created")]
    print("created=" + (created[0] if created else ""))
    print("zipdates=" + ",".join(sorted({"%04d-%02d-%02d" % i.date_time[:3]
                                         for i in book.z.infolist()})))
    for name in book.order:
        root, rows = book.sheet(name)
        pane = root.find(".//m:sheetView/m:pane", NS)
        print("%s.frozen=%s" % (name, "" if pane is None else
                                "%s/%s/%s" % (pane.get("ySplit"), pane.get("topLeftCell"),
                                              pane.get("state"))))
        print("%s.bold-header=%s" % (name, all(c[3] for c in rows[0].values())))
        nums = sorted({"%d:%s" % (i, c[2]) for row in rows[1:] for i, c in row.items()
                       if c[0] == "n"})
        print("%s.numeric=%s" % (name, " ".join(nums)))
        texts = sorted({i for row in rows[1:] for i, c in row.items() if c[0] == "s"})
        print("%s.text-columns=%s" % (name, " ".join(map(str, texts))))
        widths = {int(c.get("min")) - 1: float(c.get("width"))
                  for c in root.iter("{%s}col" % NS["m"])}
        # the widest cell of each column fits: a CJK character counts two
        tight = []
        for i in sorted({i for row in rows for i in row}):
            need = max(sum(2 if ord(ch) > 0x1100 else 1 for ch in shown(row.get(i)))
                       for row in rows)
            if widths.get(i, 8.43) < need:
                tight.append("%d:%s<%d" % (i, widths.get(i), need))
        print("%s.narrow=%s" % (name, " ".join(tight)))


if __name__ == "__main__":
    if sys.argv[1] == "cells":
        cells(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        facts(sys.argv[2])
