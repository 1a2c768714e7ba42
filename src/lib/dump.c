/* dump.c -- the text form of laid-out pages, for golden tests.
 *
 * One line per item, in drawing order; numbers rounded to 2 decimals so
 * that the dump is stable across compilers and small float noise:
 *
 *   document pages=2 size=595.28x841.89 title="KF001 张晓明" watermark="草稿"
 *   page 1
 *     text X Y ROLE/FACE SIZE bB gGRAY "TEXT"      (X, Y = baseline start)
 *     line X1 Y1 X2 Y2 wLW
 *     rect X Y W H gGRAY
 *     image X Y W H "PATH"
 *     path N open|closed fFILL|fnone wLW sSTROKE [dash] X,Y X,Y ...  (charts)
 *     sign X Y W H "ROLE" [required]   (a signature box: after the page's
 *                                       items, in drawing order)
 *
 * ROLE is the role the style asked for (body, heading, kai, latin); FACE is
 * the family of the face that draws the run with spaces removed and the
 * Arphic vendor prefix "AR PL " dropped (AR PL UMing CN -> UMingCN).  In
 * quoted strings '"' and '\' are escaped with '\', control characters as
 * \n, \t or \xHH.  title and watermark are always present ("" if none).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Round to 2 decimals and never print "-0.00". */
static void num(sc_buf *b, double v)
{
    double r = round(v * 100.0) / 100.0;
    if (fabs(r) < 0.005)
        r = 0.0;
    sc_buf_printf(b, "%.2f", r);
}

/* "a b c d": a position and a size, or two points. */
static void four(sc_buf *b, double v0, double v1, double v2, double v3)
{
    const double v[4] = {v0, v1, v2, v3};
    for (int i = 0; i < 4; i++) {
        if (i)
            sc_buf_puts(b, " ");
        num(b, v[i]);
    }
}

static void quoted(sc_buf *b, const char *s, size_t n)
{
    sc_buf_puts(b, "\"");
    for (size_t i = 0; s && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sc_buf_append(b, e, 2);
        } else if (c == '\n') {
            sc_buf_puts(b, "\\n");
        } else if (c == '\t') {
            sc_buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            sc_buf_printf(b, "\\x%02X", c);
        } else {
            sc_buf_append(b, (const char *)&s[i], 1);
        }
    }
    sc_buf_puts(b, "\"");
}

/* "AR PL UMing CN" -> "UMingCN"; "?" when the face is unknown. */
static void face_name(sc_buf *b, const sc_fonts *fonts, int face)
{
    const sc_face *fc = fonts ? sc_fonts_face(fonts, face) : NULL;
    const char *fam = fc ? sc_face_family(fc) : NULL;
    if (!fam || !*fam) {
        sc_buf_puts(b, "?");
        return;
    }
    if (strncmp(fam, "AR PL ", 6) == 0)
        fam += 6;
    for (const char *p = fam; *p; p++)
        if (*p != ' ')
            sc_buf_append(b, p, 1);
}

void sc_dump(const sc_laid *laid, const sc_fonts *fonts, sc_buf *buf)
{
    if (!laid)
        return;
    sc_buf_printf(buf, "document pages=%d size=", laid->npages);
    num(buf, laid->page_w);
    sc_buf_puts(buf, "x");
    num(buf, laid->page_h);
    sc_buf_puts(buf, " title=");
    quoted(buf, laid->title, laid->title ? strlen(laid->title) : 0);
    sc_buf_puts(buf, " watermark=");
    quoted(buf, laid->watermark, laid->watermark ? strlen(laid->watermark) : 0);
    sc_buf_puts(buf, "\n");
    for (int p = 0; p < laid->npages; p++) {
        const sc_page *pg = &laid->pages[p];
        sc_buf_printf(buf, "page %d\n", p + 1);
        for (size_t i = 0; i < pg->nitems; i++) {
            const sc_item *it = &pg->items[i];
            switch (it->kind) {
            case SC_IT_TEXT:
                sc_buf_puts(buf, "  text ");
                num(buf, it->x);
                sc_buf_puts(buf, " ");
                num(buf, it->y);
                sc_buf_printf(buf, " %s/", sc_role_name(it->role));
                face_name(buf, fonts, it->face);
                sc_buf_puts(buf, " ");
                num(buf, it->size);
                sc_buf_printf(buf, " b%d g", it->bold ? 1 : 0);
                num(buf, it->gray);
                sc_buf_puts(buf, " ");
                quoted(buf, it->text, it->len);
                if (it->centre_punct)
                    sc_buf_puts(buf, " centre-punct");
                break;
            case SC_IT_LINE:
                sc_buf_puts(buf, "  line ");
                four(buf, it->x, it->y, it->x + it->w, it->y + it->h);
                sc_buf_puts(buf, " w");
                num(buf, it->lw);
                break;
            case SC_IT_RECT:
                sc_buf_puts(buf, "  rect ");
                four(buf, it->x, it->y, it->w, it->h);
                sc_buf_puts(buf, " g");
                num(buf, it->gray);
                break;
            case SC_IT_IMAGE:
                sc_buf_puts(buf, "  image ");
                four(buf, it->x, it->y, it->w, it->h);
                sc_buf_puts(buf, " ");
                quoted(buf, it->image ? it->image->ref : "",
                       it->image ? strlen(it->image->ref) : 0);
                break;
            case SC_IT_PATH: /* charts (issue 5): see the header */
                sc_buf_printf(buf, "  path %d %s ", it->npts,
                              it->closed ? "closed" : "open");
                if (it->closed && it->gray >= 0) {
                    sc_buf_puts(buf, "f");
                    num(buf, it->gray);
                } else {
                    sc_buf_puts(buf, "fnone");
                }
                sc_buf_puts(buf, " w");
                num(buf, it->lw);
                sc_buf_puts(buf, " s");
                num(buf, it->stroke);
                if (it->dash)
                    sc_buf_puts(buf, " dash");
                for (int k = 0; it->pts && k < it->npts; k++) {
                    sc_buf_puts(buf, " ");
                    num(buf, it->pts[2 * k]);
                    sc_buf_puts(buf, ",");
                    num(buf, it->pts[2 * k + 1]);
                }
                break;
            default:
                sc_buf_printf(buf, "  unknown %d", it->kind);
                break;
            }
            sc_buf_puts(buf, "\n");
        }
        for (int k = 0; k < laid->nsigboxes; k++) {
            const sc_sigbox *sb = &laid->sigboxes[k];
            if (sb->page != p)
                continue;
            sc_buf_puts(buf, "  sign ");
            four(buf, sb->x, sb->y, sb->w, sb->h);
            sc_buf_puts(buf, " ");
            quoted(buf, sb->role, strlen(sb->role));
            sc_buf_puts(buf, sb->required ? " required\n" : "\n");
        }
    }
}
