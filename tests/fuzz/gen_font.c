/* gen_font.c -- writes the seed fonts of the font harness: tiny TrueType
 * files built here, byte by byte, so that no third-party font is ever
 * committed to the corpus.
 *
 *   fuzz_gen_font DIR   writes DIR/tiny-short.ttf (short loca),
 *                       DIR/tiny-long.ttf (long loca) and DIR/tiny.ttc
 *                       (a one-face collection of the short one)
 *
 * Each font has six glyphs chosen to reach every path of fonts.c and
 * subset.c that a real font would: .notdef (a box), space (empty), 'A'
 * (one contour), 中 (two contours), 'B' (a composite of 'A' and 中, one
 * component scaled) and 𠮷 U+20BB7 (only in the format 12 cmap).  hmtx
 * has fewer metrics than glyphs, so the last advance repeats.  Tables are
 * head, hhea, maxp, OS/2, hmtx, cmap (formats 4 and 12), loca, glyf, name,
 * post: about 700 bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    unsigned char d[4096];
    size_t n;
} buf;

static void b8(buf *b, unsigned v) { b->d[b->n++] = (unsigned char)v; }
static void b16(buf *b, unsigned v) { b8(b, v >> 8); b8(b, v & 0xFF); }
static void b32(buf *b, uint32_t v) { b16(b, v >> 16); b16(b, v & 0xFFFF); }
static void bzero_(buf *b, size_t n) { while (n--) b8(b, 0); }
static void pad4(buf *b) { while (b->n % 4) b8(b, 0); }

/* A simple glyph: contours of on-curve points given as absolute (x, y),
 * coordinates stored as 16-bit deltas (flag 0x01 only). */
static void simple(buf *g, int ncont, const int *ends, const int *xy, int npts)
{
    int xmin = 32767, ymin = 32767, xmax = -32768, ymax = -32768;
    for (int i = 0; i < npts; i++) {
        int x = xy[2 * i], y = xy[2 * i + 1];
        xmin = x < xmin ? x : xmin; xmax = x > xmax ? x : xmax;
        ymin = y < ymin ? y : ymin; ymax = y > ymax ? y : ymax;
    }
    b16(g, (unsigned)ncont);
    b16(g, (unsigned)(xmin & 0xFFFF)); b16(g, (unsigned)(ymin & 0xFFFF));
    b16(g, (unsigned)(xmax & 0xFFFF)); b16(g, (unsigned)(ymax & 0xFFFF));
    for (int i = 0; i < ncont; i++)
        b16(g, (unsigned)ends[i]);
    b16(g, 0); /* no instructions */
    for (int i = 0; i < npts; i++)
        b8(g, 0x01);
    for (int k = 0; k < 2; k++) {
        int prev = 0;
        for (int i = 0; i < npts; i++) {
            b16(g, (unsigned)((xy[2 * i + k] - prev) & 0xFFFF));
            prev = xy[2 * i + k];
        }
    }
}

/* Glyph offsets must be even for a short loca. */
static uint32_t mark(buf *g)
{
    if (g->n % 2)
        b8(g, 0);
    return (uint32_t)g->n;
}

static void glyphs(buf *g, uint32_t *loca)
{
    static const int box_end[] = {3};
    static const int box[] = {50, 0, 450, 0, 450, 700, 50, 700};
    static const int tri_end[] = {2};
    static const int tri[] = {0, 0, 300, 700, 600, 0};
    static const int zh_end[] = {3, 7};
    static const int zh[] = {100, 100, 900, 100, 900, 600, 100, 600,
                             450, -100, 550, -100, 550, 800, 450, 800};
    static const int ji_end[] = {2};
    static const int ji[] = {100, 0, 500, 800, 900, 0};
    int i = 0;
    loca[i++] = mark(g);
    simple(g, 1, box_end, box, 4);           /* 0 .notdef */
    loca[i++] = mark(g);              /* 1 space: empty */
    loca[i++] = mark(g);
    simple(g, 1, tri_end, tri, 3);           /* 2 A */
    loca[i++] = mark(g);
    simple(g, 2, zh_end, zh, 8);             /* 3 中 */
    loca[i++] = mark(g);
    b16(g, 0xFFFF);                          /* 4 B: composite */
    b16(g, 0); b16(g, 0); b16(g, 1000); b16(g, 800);
    b16(g, 0x0001 | 0x0002 | 0x0020);        /* words, xy, more */
    b16(g, 2); b16(g, 0); b16(g, 0);
    b16(g, 0x0001 | 0x0002 | 0x0008);        /* words, xy, scale */
    b16(g, 3); b16(g, 100); b16(g, 0);
    b16(g, 0x2000);                          /* 0.5 in F2Dot14 */
    loca[i++] = mark(g);
    simple(g, 1, ji_end, ji, 3);             /* 5 𠮷 */
    loca[i++] = mark(g);
    while (g->n % 4)
        b8(g, 0);
}

static void cmap(buf *c)
{
    /* (code, glyph) pairs, each its own segment/group. */
    static const unsigned map[][2] = {{0x20, 1}, {0x41, 2}, {0x42, 4},
                                      {0x4E2D, 3}};
    int nseg = 4 + 1;
    b16(c, 0); b16(c, 2);
    b16(c, 3); b16(c, 1); b32(c, 4 + 16);
    size_t f4len = 16 + 8u * (unsigned)nseg;
    b16(c, 3); b16(c, 10); b32(c, (uint32_t)(4 + 16 + f4len));
    /* format 4 */
    b16(c, 4); b16(c, (unsigned)f4len); b16(c, 0);
    b16(c, 2u * (unsigned)nseg); b16(c, 8); b16(c, 2); b16(c, 2);
    for (int i = 0; i < 4; i++) b16(c, map[i][0]);
    b16(c, 0xFFFF);
    b16(c, 0);
    for (int i = 0; i < 4; i++) b16(c, map[i][0]);
    b16(c, 0xFFFF);
    for (int i = 0; i < 4; i++) b16(c, (map[i][1] - map[i][0]) & 0xFFFF);
    b16(c, 1);
    for (int i = 0; i < nseg; i++) b16(c, 0);
    /* format 12 */
    b16(c, 12); b16(c, 0); b32(c, 16 + 12 * 5); b32(c, 0); b32(c, 5);
    for (int i = 0; i < 4; i++) {
        b32(c, map[i][0]); b32(c, map[i][0]); b32(c, map[i][1]);
    }
    b32(c, 0x20BB7); b32(c, 0x20BB7); b32(c, 5);
}

enum { NT = 10, NGLYPHS = 6 };

/* The whole font, its table offsets counted from `base` (a .ttc puts the
 * face after its own header). */
static void font(buf *out, uint32_t base, int long_loca)
{
    static buf t[NT];
    static const char *const tags[NT] = {"OS/2", "cmap", "glyf", "head",
                                         "hhea", "hmtx", "loca", "maxp",
                                         "name", "post"};
    uint32_t loca[NGLYPHS + 1];
    memset(t, 0, sizeof t);
    /* OS/2 v4: weight 400, typo metrics, cap height */
    buf *o = &t[0];
    b16(o, 4); b16(o, 500); b16(o, 400); b16(o, 5); b16(o, 0);
    bzero_(o, 68 - o->n);
    b16(o, 880); b16(o, (unsigned)(-120 & 0xFFFF)); b16(o, 0);
    b16(o, 900); b16(o, 200);
    bzero_(o, 88 - o->n);
    b16(o, 700);
    bzero_(o, 96 - o->n);
    cmap(&t[1]);
    glyphs(&t[2], loca);
    buf *h = &t[3];
    b32(h, 0x00010000); b32(h, 0x00010000); b32(h, 0); b32(h, 0x5F0F3CF5);
    b16(h, 0x000B); b16(h, 1000); bzero_(h, 16);
    b16(h, 0); b16(h, (unsigned)(-100 & 0xFFFF)); b16(h, 1000); b16(h, 800);
    b16(h, 0); b16(h, 8); b16(h, 2); b16(h, long_loca ? 1 : 0); b16(h, 0);
    buf *hh = &t[4];
    b32(hh, 0x00010000); b16(hh, 880); b16(hh, (unsigned)(-120 & 0xFFFF));
    b16(hh, 0); b16(hh, 1000); bzero_(hh, 20); b16(hh, 0); b16(hh, 5);
    static const unsigned adv[] = {500, 250, 600, 1000, 1000};
    for (int i = 0; i < 5; i++) {
        b16(&t[5], adv[i]); b16(&t[5], 0);
    }
    b16(&t[5], 0); /* glyph 5: lsb only, advance repeats */
    for (int i = 0; i <= NGLYPHS; i++) {
        if (long_loca) b32(&t[6], loca[i]);
        else b16(&t[6], loca[i] / 2);
    }
    buf *m = &t[7];
    b32(m, 0x00010000); b16(m, NGLYPHS); b16(m, 8); b16(m, 2); b16(m, 11);
    b16(m, 3); b16(m, 2); bzero_(m, 14); b16(m, 2); b16(m, 1);
    static const char psname[] = "ScFuzzTiny";
    buf *nm = &t[8];
    b16(nm, 0); b16(nm, 1); b16(nm, 6 + 12);
    b16(nm, 3); b16(nm, 1); b16(nm, 0x409); b16(nm, 6);
    b16(nm, 2 * (unsigned)strlen(psname)); b16(nm, 0);
    for (const char *p = psname; *p; p++) b16(nm, (unsigned char)*p);
    buf *p = &t[9];
    b32(p, 0x00030000); b32(p, 0); b16(p, (unsigned)(-100 & 0xFFFF));
    b16(p, 50); b32(p, 0); bzero_(p, 16);

    b32(out, 0x00010000); b16(out, NT); b16(out, 128); b16(out, 3);
    b16(out, NT * 16 - 128);
    uint32_t off = base + 12 + NT * 16;
    for (int i = 0; i < NT; i++) {
        uint32_t sum = 0;
        pad4(&t[i]);
        for (size_t k = 0; k < t[i].n; k += 4)
            sum += (uint32_t)t[i].d[k] << 24 | (uint32_t)t[i].d[k + 1] << 16 |
                   (uint32_t)t[i].d[k + 2] << 8 | t[i].d[k + 3];
        for (int k = 0; k < 4; k++) b8(out, (unsigned char)tags[i][k]);
        b32(out, sum); b32(out, off); b32(out, (uint32_t)t[i].n);
        off += (uint32_t)t[i].n;
    }
    for (int i = 0; i < NT; i++) {
        memcpy(out->d + out->n, t[i].d, t[i].n);
        out->n += t[i].n;
    }
}

static int save(const char *dir, const char *name, const buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->d, 1, b->n, f) != b->n || fclose(f)) {
        fprintf(stderr, "fuzz_gen_font: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_gen_font DIR\n");
        return 2;
    }
    static buf a, b, c;
    font(&a, 0, 0);
    font(&b, 0, 1);
    b32(&c, 0x74746366); b32(&c, 0x00010000); b32(&c, 1); b32(&c, 16);
    font(&c, 16, 0);
    return save(argv[1], "tiny-short.ttf", &a) | save(argv[1], "tiny-long.ttf", &b) |
           save(argv[1], "tiny.ttc", &c);
}
