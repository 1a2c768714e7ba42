/* utf8.c -- decoding and validating UTF-8.
 *
 * Every stage that walks text (fonts, line breaking, layout, the PDF
 * writer, file naming) needs the same strict decoder, and none of them
 * should depend on another stage to get it: so it has a file of its own
 * at the bottom of the library.  Strict means what RFC 3629 allows and
 * nothing else: no overlong forms, no surrogates, nothing above U+10FFFF,
 * no truncated sequence. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

size_t sc_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    *cp = 0xFFFD;
    if (!s || n == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

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
