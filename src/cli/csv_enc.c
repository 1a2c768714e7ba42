/* csv_enc.c -- the encodings of check's CSV for HR's own spreadsheet.
 *
 * Excel decides a CSV file's encoding before it reads a byte of it: a
 * file that starts with the UTF-8 byte-order mark (EF BB BF) is UTF-8;
 * any other is the system's ANSI code page, on a Chinese Windows code
 * page 936 (GBK).  UTF-8 without the mark is what every other program
 * wants, and what Excel garbles.  So:
 *
 *   --excel            UTF-8 with the mark: every character, Excel 2007 on;
 *   --encoding gbk     for older Excel and HR systems that only take GBK.
 *                      GBK has no code for some characters of personal
 *                      names (𠮷 U+20BB7, outside the BMP): such a file is
 *                      refused, naming the line and the character, never
 *                      written with a '?' in an employee's name;
 *   --encoding gb18030 the national standard, a superset of GBK that
 *                      codes every Unicode character (𠮷 as 4 bytes): for
 *                      systems that import GB18030.  Excel opening it as
 *                      936 would show such a 4-byte character as two
 *                      wrong ones, so for Excel use --excel.
 *
 * The conversion is iconv's (glibc), the same one libxml2 uses to read
 * GBK data files. */
#include "cli.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int csv_encoding_parse(const char *name)
{
    if (!strcmp(name, "utf-8") || !strcmp(name, "UTF-8") || !strcmp(name, "utf8"))
        return CSV_UTF8;
    if (!strcmp(name, "gbk") || !strcmp(name, "GBK") || !strcmp(name, "cp936"))
        return CSV_GBK;
    if (!strcmp(name, "gb18030") || !strcmp(name, "GB18030"))
        return CSV_GB18030;
    return -1;
}

/* The code point at s (valid UTF-8: the library wrote it). */
static uint32_t code_point(const unsigned char *s, size_t n)
{
    uint32_t c = s[0];
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > 1)
        c &= 0x3Fu >> (len - 1);
    for (int k = 1; k < len && (size_t)k < n; k++)
        c = (c << 6) | (s[k] & 0x3Fu);
    return c;
}

int csv_write_encoded(FILE *f, const char *s, size_t n, int enc, int line0, char *why,
                      size_t nwhy)
{
    if (enc == CSV_UTF8 || enc == CSV_UTF8_BOM) {
        if (enc == CSV_UTF8_BOM)
            fputs("\xEF\xBB\xBF", f);
        fwrite(s, 1, n, f);
        return 0;
    }
    iconv_t cd = iconv_open(enc == CSV_GBK ? "GBK" : "GB18030", "UTF-8");
    if (cd == (iconv_t)-1) {
        snprintf(why, nwhy, "this system's iconv cannot convert to %s",
                 enc == CSV_GBK ? "GBK" : "GB18030");
        return -1;
    }
    size_t cap = n * 2 + 16; /* GB18030: at most 4 bytes where UTF-8 has 2..4 */
    char *out = malloc(cap);
    if (!out) {
        iconv_close(cd);
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    char *in = (char *)s, *o = out;
    size_t inleft = n, outleft = cap;
    int rc = 0;
    if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
        size_t at = (size_t)(in - s);
        int line = 1 + line0;
        for (size_t i = 0; i < at; i++)
            line += s[i] == '\n';
        const char *bol = at ? s + at : s;
        while (bol > s && bol[-1] != '\n')
            bol--;
        uint32_t cp = code_point((const unsigned char *)s + at, n - at);
        if (errno == EILSEQ)
            snprintf(why, nwhy,
                     "line %d of the CSV (%.*s): the character %.*s (U+%04X) has no %s code; "
                     "use --excel (UTF-8 that Excel reads) or --encoding gb18030",
                     line, (int)strcspn(bol, ",\r\n"), bol,
                     cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, s + at, (unsigned)cp,
                     enc == CSV_GBK ? "GBK" : "GB18030");
        else
            snprintf(why, nwhy, "cannot convert the CSV to %s: %s",
                     enc == CSV_GBK ? "GBK" : "GB18030", strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        fwrite(out, 1, cap - outleft, f);
    free(out);
    iconv_close(cd);
    return rc;
}
