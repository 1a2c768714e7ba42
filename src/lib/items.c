/* items.c -- the growable arrays of positioned items that layout and
 * chart drawing append to.
 *
 * Both layout.c (pages) and chart.c (a chart's items, placed by layout)
 * build item arrays; the array lives here so that neither has to include
 * the other to grow one. */
#include "internal.h"

#include <string.h>

sc_status sc_items_push(sc_arena *a, sc_item **items, size_t *n, size_t *cap,
                        const sc_item *it)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        sc_item *v = sc_arena_alloc_raw(a, c * sizeof *v); /* filled as pushed */
        if (!v)
            return SC_ERR_NOMEM;
        if (*n)
            memcpy(v, *items, *n * sizeof *v);
        *items = v;
        *cap = c;
    }
    (*items)[(*n)++] = *it;
    return SC_OK;
}
