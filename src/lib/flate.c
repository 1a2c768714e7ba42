/* flate.c -- every Flate stream of a PDF, made by libdeflate.
 *
 * libdeflate writes the same size as zlib at the same level in less than
 * half the time (docs/performance.md), but a compressor is large (a few
 * hundred KB of match-finder tables) and making one costs more than
 * compressing a small stream with it.  So a sc_flate keeps one per level
 * it was asked for, for the life of its owner: the batch driver gives
 * each worker thread its own, and every stream of every document that
 * worker makes goes through it.  A sc_flate is never shared between
 * threads; one made for a single call (f NULL) is freed after it.
 *
 * Level 4.  Compression was a quarter of the CPU time of a document at
 * level 6 (zlib's default, which libharu used); level 4 takes 4-6 % less
 * of a whole document's instructions and makes the files 0.3-0.5 % larger
 * (kefu +261, basic +288 bytes a document; level 1 would add 500-650).
 * Leaving out the CIDSet outside PDF/A-1 (pdf.c) saves 305-312 bytes, so
 * a document is still smaller than before both.  Each call clears the
 * compressor's match-finder tables (~15 us), so a stream too small to win
 * anything is better written as it is: the PDF writer decides (pdf.c,
 * new_stream).
 *
 * Level 1 where little is gained.  A document's own part of a font
 * program (sc_flate_raw, subset.c: the outlines of its names' and
 * comments' characters after the form's base) hardly compresses -- CJK
 * outlines, 0.56 of their size at level 1, 0.55 at 4 -- so level 4
 * searches long for matches it does not find.  A page's content stream
 * and the small ToUnicode maps (sc_flate_zlib with fast) are where the
 * per-call cost of level 4's larger match-finder tables shows.  Per kefu
 * document level 1 there takes 0.96 M instructions less (about 9 % of
 * its CPU time) for 595 bytes (0.8 %) more; basic +528.  Both stay
 * smaller than issue 15's baseline (197d00a, zlib level 6 for pages).
 * Font programs made whole, images and attachments keep level 4: there
 * the bytes are most of the file. */
#include "internal.h"

#include <libdeflate.h>
#include <string.h>

#define LEVEL 4
#define LEVEL_FAST 1

struct sc_flate {
    struct libdeflate_compressor *c;    /* LEVEL */
    struct libdeflate_compressor *fast; /* LEVEL_FAST */
};

sc_flate *sc_flate_new(void) { return sc_calloc(1, sizeof(sc_flate)); }

void sc_flate_free(sc_flate *f)
{
    if (!f)
        return;
    libdeflate_free_compressor(f->c);
    libdeflate_free_compressor(f->fast);
    sc_free(f);
}

/* The compressor *c of the level, made on first use. */
static struct libdeflate_compressor *get(struct libdeflate_compressor **c,
                                         int level)
{
    if (!*c)
        *c = libdeflate_alloc_compressor(level);
    return *c;
}

sc_status sc_flate_zlib(sc_flate *f, int fast, const void *in, size_t n,
                        unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    sc_flate one = {NULL};
    sc_flate *use = f ? f : &one;
    struct libdeflate_compressor *c = fast ? get(&use->fast, LEVEL_FAST)
                                           : get(&use->c, LEVEL);
    sc_status st = SC_ERR_NOMEM;
    if (c) {
        size_t cap = libdeflate_zlib_compress_bound(c, n);
        unsigned char *z = sc_malloc(cap);
        size_t zl = z ? libdeflate_zlib_compress(c, in, n, z, cap) : 0;
        if (zl) { /* 0 cannot happen with the bound's capacity */
            *out = z;
            *len = zl;
            st = SC_OK;
        } else {
            sc_free(z);
        }
    }
    if (!f) {
        libdeflate_free_compressor(one.c);
        libdeflate_free_compressor(one.fast);
    }
    return st;
}

size_t sc_flate_raw(sc_flate *f, const void *in, size_t n, void *out,
                    size_t cap)
{
    sc_flate one = {NULL};
    sc_flate *use = f ? f : &one;
    struct libdeflate_compressor *c = get(&use->fast, LEVEL_FAST);
    size_t k = c ? libdeflate_deflate_compress(c, in, n, out, cap) : 0;
    if (!f)
        libdeflate_free_compressor(one.fast);
    return k;
}

size_t sc_flate_raw_bound(size_t n)
{
    /* libdeflate's bound does not depend on the compressor it is given
     * (NULL is allowed since 1.13): a few bytes per 64 KB block, plus
     * the block headers */
    return libdeflate_deflate_compress_bound(NULL, n);
}
