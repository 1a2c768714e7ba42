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
 * Level: 6, as zlib's default that libharu used, except for streams under
 * SMALL bytes (a CIDSet, a short ToUnicode): there libdeflate's cheaper
 * levels often choose a stored block (a 21-byte CIDSet came out as 32
 * bytes instead of 12), while level 9 costs nothing measurable at that
 * size. */
#include "internal.h"

#include <libdeflate.h>
#include <string.h>

#define LEVEL 6
#define LEVEL_SMALL 9
#define SMALL 1024

struct sc_flate {
    struct libdeflate_compressor *c[2]; /* LEVEL, LEVEL_SMALL */
};

sc_flate *sc_flate_new(void) { return sc_calloc(1, sizeof(sc_flate)); }

void sc_flate_free(sc_flate *f)
{
    if (!f)
        return;
    for (int i = 0; i < 2; i++)
        libdeflate_free_compressor(f->c[i]);
    sc_free(f);
}

/* The compressor for an input of n bytes, made on first use. */
static struct libdeflate_compressor *get(sc_flate *f, size_t n)
{
    int k = n < SMALL;
    if (!f->c[k])
        f->c[k] = libdeflate_alloc_compressor(k ? LEVEL_SMALL : LEVEL);
    return f->c[k];
}

sc_status sc_flate_zlib(sc_flate *f, const void *in, size_t n,
                        unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    sc_flate one = {{NULL, NULL}};
    sc_flate *use = f ? f : &one;
    struct libdeflate_compressor *c = get(use, n);
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
    if (!f)
        for (int i = 0; i < 2; i++)
            libdeflate_free_compressor(one.c[i]);
    return st;
}

size_t sc_flate_raw(sc_flate *f, const void *in, size_t n, void *out,
                    size_t cap)
{
    sc_flate one = {{NULL, NULL}};
    sc_flate *use = f ? f : &one;
    struct libdeflate_compressor *c = get(use, n);
    size_t k = c ? libdeflate_deflate_compress(c, in, n, out, cap) : 0;
    if (!f)
        for (int i = 0; i < 2; i++)
            libdeflate_free_compressor(one.c[i]);
    return k;
}

size_t sc_flate_raw_bound(size_t n)
{
    /* libdeflate's bound does not depend on the compressor it is given
     * (NULL is allowed since 1.13): a few bytes per 64 KB block, plus
     * the block headers */
    return libdeflate_deflate_compress_bound(NULL, n);
}
