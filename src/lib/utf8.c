/* utf8.c -- decoding and validating UTF-8.
 *
 * Every stage that walks text (fonts, line breaking, layout, the PDF
 * writer, file naming) needs the same strict decoder, and none of them
 * should depend on another stage to get it: so it has a file of its own
 * at the bottom of the library.  Strict means what RFC 3629 allows and
 * nothing else: no overlong forms, no surrogates, nothing above U+10FFFF,
 * no truncated sequence.  The decoder itself is inline in internal.h
 * (called once per character by every stage); validating is here. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

int sc_utf8_valid(const char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += k;
    }
    return 1;
}

void sc_utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    /* the last lead byte, at most 3 continuation bytes back */
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

size_t sc_utf8_count(const char *s)
{
    size_t k = 0;
    for (; *s; s++)
        k += ((unsigned char)*s & 0xC0) != 0x80;
    return k;
}

void sc_quote(char *out, size_t n, const char *v)
{
    if (!n)
        return;
    size_t chars = sc_utf8_count(v);
    if (chars <= 60) {
        snprintf(out, n, "\"%s\"", v);
    } else {
        size_t end = 0;
        for (size_t k = 0; v[end] && k <= 40; end++)
            if (((unsigned char)v[end] & 0xC0) != 0x80 && ++k > 40)
                break;
        snprintf(out, n, "\"%.*s\u2026\" (%zu characters)", (int)end, v, chars);
    }
    sc_utf8_trim(out);
}
