#!/usr/bin/python3
"""bench/compare/fontstat.py PDF... -- per embedded font: stored (compressed)
and raw bytes of the font program, glyph count (maxp) and glyphs with
outlines, distinct characters drawn in that font (mutool stext), the largest
sfnt tables, and the share of the file that is not font program.
Needs mutool (mupdf-tools) and /usr/bin/python3 with fontTools."""
import html, io, re, subprocess, sys
from fontTools.ttLib import TTFont


def mutool(*args):
    return subprocess.run(['mutool', *args], capture_output=True, check=True).stdout


for pdf in sys.argv[1:]:
    size = len(open(pdf, 'rb').read())
    objs = mutool('show', pdf, 'grep').decode('latin-1')
    # characters per font from the structured-text dump (font name minus tag)
    stext = mutool('draw', '-F', 'stext', '-o', '-', pdf).decode('utf-8')
    chars = {}
    for m in re.finditer(r'<font name="([^"]*)" size="[^"]*">(.*?)</font>', stext, re.S):
        txt = html.unescape(''.join(re.findall(r' c="([^"]*)"', m.group(2))))
        chars.setdefault(m.group(1), set()).update(txt.replace(' ', ''))
    print(f'== {pdf}: {size} bytes')
    fonts = 0
    for m in re.finditer(r'^(\d+) 0 obj .*?/FontFile([23]?) (\d+) 0 R.*?/FontName ?/([^/\s>]+)', objs, re.M):
        num, name = m.group(3), m.group(4)
        sdict = mutool('show', pdf, num).decode('latin-1').split('stream')[0]
        ln = re.search(r'/Length (\d+)( 0 R)?', sdict)
        stored = int(mutool('show', pdf, ln.group(1)).split()[3] if ln.group(2) else ln.group(1))
        raw = mutool('show', '-b', pdf, num)
        fonts += stored
        f = TTFont(io.BytesIO(raw))  # FOP pads glyf: fontTools warns, harmless
        n = f['maxp'].numGlyphs
        outl = sum(1 for g in f.getGlyphOrder() if 'glyf' in f and f['glyf'][g].numberOfContours != 0)
        tabs = sorted(((f.reader.tables[t].length, t) for t in f.reader.keys()), reverse=True)
        filt = ' '.join(re.findall(r'/Filter\s*/?(\w+)', sdict))
        short = name.split('+')[-1]
        cs = next((v for k, v in chars.items() if k.replace('-', '').startswith(short.replace('-', '')[:8])), set())
        print(f'  {name}: stored {stored}  raw {len(raw)}  numGlyphs {n}  with outlines {outl}  '
              f'chars drawn {len(cs)}  filter {filt}')
        print('    tables: ' + ' '.join(f'{t.strip()}={l}' for l, t in tabs[:8]))
    print(f'  not font program: {size - fonts} bytes')
