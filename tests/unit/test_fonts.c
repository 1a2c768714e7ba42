/* test_fonts.c -- font map, discovery, the TrueType reader, bad fonts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "fontengine.h"

#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define TMPDIR "/tmp"

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return b;
}

/* A one-role map whose only font is `file` (the family exists nowhere, so
 * fontconfig cannot substitute a good copy for it). */
static sc_status load_one(const char *file, sc_fonts **f, sc_error *err)
{
    char map[1024];
    snprintf(map, sizeof map,
             "<fonts><role name=\"body\"><font family=\"No Such Family "
             "Scorecard\" file=\"%s\"/></role></fonts>", file);
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-fonts-%ld.xml", (long)getpid());
    write_file(path, map, strlen(map));
    sc_status st = sc_fonts_load(f, path, err);
    unlink(path);
    return st;
}

static sc_status load_map(const char *text, sc_fonts **f, sc_error *err)
{
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-map-%ld.xml", (long)getpid());
    write_file(path, text, strlen(text));
    sc_status st = sc_fonts_load(f, path, err);
    unlink(path);
    return st;
}

static void test_roles(void **state)
{
    (void)state;
    for (int r = 0; r < SC_ROLE_COUNT; r++)
        assert_int_equal(sc_role_parse(sc_role_name(r)), r);
    assert_int_equal(sc_role_parse("kai"), SC_ROLE_KAI);
    assert_int_equal(sc_role_parse("Body"), -1);
    assert_int_equal(sc_role_parse(""), -1);
    assert_int_equal(sc_role_parse(NULL), -1);
    assert_string_equal(sc_role_name(99), "?");
}

static void test_default_map(void **state)
{
    (void)state;
    sc_fonts *f;
    sc_error err;
    unsetenv("SCORECARD_FONTS");
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    /* UMing (CN, and TW, HK for Traditional text), DejaVu Sans, LXGW
     * WenKai (+ its Bold), WenQuanYi Micro Hei: faces shared by several
     * roles are loaded once */
    assert_int_equal(sc_fonts_nfaces(f), 7);

    int fi = sc_fonts_pick(f, SC_ROLE_BODY, 0x4E2D); /* 中 */
    assert_true(fi >= 0);
    const sc_face *um = sc_fonts_face(f, fi);
    assert_string_equal(sc_face_family(um), "AR PL UMing CN");
    assert_non_null(strstr(sc_face_path(um), "uming.ttc"));
    assert_int_equal(sc_face_index(um), 0);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 'A'), fi);
    /* heading is 黑体: WenQuanYi Micro Hei, with its own digits */
    int hei = sc_fonts_pick(f, SC_ROLE_HEADING, 0x4E2D);
    assert_true(hei >= 0 && hei != fi);
    assert_string_equal(sc_face_family(sc_fonts_face(f, hei)),
                        "WenQuanYi Micro Hei");
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_HEADING, '7'), hei);
    /* latin: DejaVu Sans first, CJK from UMing */
    int lat = sc_fonts_pick(f, SC_ROLE_LATIN, 'A');
    assert_string_equal(sc_face_family(sc_fonts_face(f, lat)), "DejaVu Sans");
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_LATIN, 0x4E2D), fi);
    assert_true(sc_face_has(um, 0x4E2D) && sc_face_has(um, '%'));
    assert_true(sc_face_advance(um, 0x4E2D) == 1.0);
    assert_true(sc_face_advance(um, 'A') == 0.5);
    assert_true(sc_face_advance(um, 0x0378) == 0); /* unassigned */
    /* sc_fonts_advance: the face sc_fonts_pick gives and its advance, for
     * every role; -1 and 0 where no face maps the character */
    static const uint32_t probe[] = {0x4E2D, 'A', '7', ' ', 0x3001, 0x2123C,
                                     0x0378, 0xE000, 0x110000};
    for (int role = -1; role <= SC_ROLE_COUNT; role++)
        for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
            int face = 99, pick = sc_fonts_pick(f, role, probe[i]);
            double em = sc_fonts_advance(f, role, probe[i], &face);
            assert_int_equal(face, pick);
            assert_true(em == (pick >= 0 ? sc_face_advance(sc_fonts_face(f, pick), probe[i]) : 0));
        }
    assert_true(sc_face_ascent(um) > 0.5 && sc_face_ascent(um) < 1.5);
    assert_true(sc_face_descent(um) > 0.0 && sc_face_descent(um) < 0.5);

    /* kai: LXGW WenKai first */
    int kai = sc_fonts_pick(f, SC_ROLE_KAI, 0x6977);
    assert_true(kai >= 0 && kai != fi);
    assert_string_equal(sc_face_family(sc_fonts_face(f, kai)), "LXGW WenKai");

    /* kai bold is the real LXGW WenKai Bold; UMing has none */
    int kb = sc_fonts_bold(f, kai);
    assert_true(kb >= 0 && kb != kai);
    assert_non_null(strstr(sc_face_path(sc_fonts_face(f, kb)), "Bold"));
    assert_int_equal(sc_fonts_bold(f, fi), -1);

    /* 𡈼 U+2123C is in UMing only: every role draws it from there, so a
     * heading with it does not fail (each chain ends with the CJK fonts
     * it does not start with) */
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_HEADING, 0x2123C), fi);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_KAI, 0x2123C), fi);

    /* the fallback: ͷ U+0377 is only in DejaVu Sans */
    int dv = sc_fonts_pick(f, SC_ROLE_BODY, 0x0377);
    assert_true(dv >= 0 && dv != fi);
    assert_string_equal(sc_face_family(sc_fonts_face(f, dv)), "DejaVu Sans");

    /* nothing maps these */
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 0x0378), -1);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 0x1200), -1);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 0x10FFFD), -1);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 0x110000), -1);
    assert_int_equal(sc_fonts_pick(f, 7, 0x4E2D), -1);
    assert_null(sc_fonts_face(f, -1));
    assert_null(sc_fonts_face(f, 7));

    /* 𠮷 U+20BB7: WenKai's format 12 cmap has it; every role falls back
     * to WenKai for it (UMing and WenQuanYi lack it) */
    assert_true(sc_face_has(sc_fonts_face(f, kai), 0x20BB7));
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_KAI, 0x20BB7), kai);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_BODY, 0x20BB7), kai);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_HEADING, 0x20BB7), kai);

    /* Traditional text: UMing's TW face (骨 in its Taiwan form), HK face;
     * zh-TW means zh-Hant-TW, a bare zh-Hant the first Traditional
     * chains; roles the language leaves out (kai) are the default's */
    const sc_fonts *tw = sc_fonts_for_lang(f, "zh-Hant-TW");
    assert_true(tw != f);
    assert_ptr_equal(sc_fonts_for_lang(f, "zh-TW"), tw);
    assert_ptr_equal(sc_fonts_for_lang(f, "ZH-hant-tw"), tw);
    assert_ptr_equal(sc_fonts_for_lang(f, "zh-Hant"), tw);
    const sc_fonts *hk = sc_fonts_for_lang(f, "zh-HK");
    assert_true(hk != f && hk != tw);
    assert_ptr_equal(sc_fonts_for_lang(f, "zh-Hant-HK"), hk);
    assert_ptr_equal(sc_fonts_for_lang(f, "zh-Hans"), f);
    assert_ptr_equal(sc_fonts_for_lang(f, "zh-CN"), f);
    assert_ptr_equal(sc_fonts_for_lang(f, "en"), f);
    assert_ptr_equal(sc_fonts_for_lang(f, ""), f);
    assert_ptr_equal(sc_fonts_for_lang(f, NULL), f);
    assert_ptr_equal(sc_fonts_for_lang(tw, "zh-Hant-HK"), tw);
    int tb = sc_fonts_pick(tw, SC_ROLE_BODY, 0x9AA8);
    assert_string_equal(sc_face_family(sc_fonts_face(f, tb)), "AR PL UMing TW");
    assert_int_equal(sc_face_index(sc_fonts_face(f, tb)), 2);
    assert_ptr_equal(sc_fonts_face(tw, tb), sc_fonts_face(f, tb));
    assert_int_equal(sc_fonts_nfaces(tw), sc_fonts_nfaces(f));
    assert_true(sc_face_gid(sc_fonts_face(f, tb), 0x9AA8) !=
                sc_face_gid(um, 0x9AA8));
    int hb = sc_fonts_pick(hk, SC_ROLE_BODY, 0x4E2D);
    assert_int_equal(sc_face_index(sc_fonts_face(f, hb)), 1);
    assert_int_equal(sc_fonts_pick(tw, SC_ROLE_HEADING, 0x4E2D), hei);
    assert_int_equal(sc_fonts_pick(tw, SC_ROLE_KAI, 0x6977), kai);
    assert_int_equal(sc_fonts_pick(tw, SC_ROLE_LATIN, 'A'), lat);
    sc_fonts_free(f);
}

/* A map that is not there is an I/O error naming it; the library reads
 * no environment variable (the CLI passes $SCORECARD_FONTS as the map). */
static void test_env_map(void **state)
{
    (void)state;
    sc_fonts *f;
    sc_error err;
    assert_int_equal(sc_fonts_load(&f, TMPDIR "/sc-test-no-such-map.xml", &err),
                     SC_ERR_IO);
    assert_null(f);
    assert_non_null(strstr(err.file, "sc-test-no-such-map.xml"));
    setenv("SCORECARD_FONTS", TMPDIR "/sc-test-no-such-map.xml", 1);
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    sc_fonts_free(f);
    unsetenv("SCORECARD_FONTS");
}

static void test_describe(void **state)
{
    (void)state;
    sc_fonts *f;
    sc_error err;
    assert_int_equal(sc_fonts_load(&f, SC_SOURCE_DIR "/fonts/fonts.xml", &err), SC_OK);
    char *out;
    assert_int_equal(sc_fonts_describe(f, "中\xE1\x88\x80", &out, &err), SC_OK);
    assert_non_null(strstr(out, "role body:\n  1. AR PL UMing CN: "));
    assert_non_null(strstr(out, "role kai:\n  1. LXGW WenKai: "));
    assert_non_null(strstr(out, "U+4E2D 中  body=AR PL UMing CN"));
    assert_non_null(strstr(out, "U+1200 \xE1\x88\x80  body=MISSING"));
    sc_free(out);
    assert_int_equal(sc_fonts_describe(f, NULL, &out, &err), SC_OK);
    assert_null(strstr(out, "U+"));
    sc_free(out);
    assert_int_equal(sc_fonts_describe(f, "\xC0\xAF", &out, &err), SC_ERR_ENCODING);
    sc_fonts_free(f);
}

static void test_map_errors(void **state)
{
    (void)state;
    sc_fonts *f;
    sc_error err;
    assert_int_equal(load_map("<fonts><role name=\"body\">", &f, &err), SC_ERR_XML);
    assert_null(f);
    assert_int_equal(load_map("<fonts>\n<role name=\"bold\"/></fonts>", &f, &err),
                     SC_ERR_SCHEMA);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "bold"));
    assert_int_equal(load_map("<fonts><role name=\"kai\"><font family=\"DejaVu Sans\"/>"
                              "</role></fonts>", &f, &err), SC_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "body"));
    assert_int_equal(load_map("<!DOCTYPE fonts [<!ENTITY x \"DejaVu Sans\">]>"
                              "<fonts><role name=\"body\"><font family=\"&x;\"/>"
                              "</role></fonts>", &f, &err), SC_ERR_FORBIDDEN);
    /* an external entity is refused by the parser itself */
    assert_int_not_equal(load_map("<!DOCTYPE fonts [<!ENTITY x SYSTEM \"/etc/passwd\">]>"
                                  "<fonts><role name=\"body\"><font family=\"&x;\"/>"
                                  "</role></fonts>", &f, &err), SC_OK);
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"Nope Sans "
                              "Scorecard\" file=\"/nonexistent.ttf\"/></role></fonts>",
                              &f, &err), SC_ERR_FONT);
    assert_non_null(strstr(err.message, "Nope Sans Scorecard"));
    assert_int_equal(load_map("<fonts><role name=\"body\">"
                              "<font family=\"DejaVu Sans\"/><font family=\"DejaVu Serif\"/>"
                              "<font family=\"DejaVu Sans Mono\"/><font family=\"AR PL UMing CN\"/>"
                              "<font family=\"LXGW WenKai\"/></role></fonts>", &f, &err),
                     SC_ERR_SCHEMA);
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"DejaVu Sans\" "
                              "index=\"x\"/></role></fonts>", &f, &err), SC_ERR_SCHEMA);
    /* a face index past the end of a collection */
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"Nope\" "
                              "file=\"/usr/share/fonts/truetype/arphic/uming.ttc\" "
                              "index=\"40\"/></role></fonts>", &f, &err), SC_ERR_FONT);
    assert_non_null(strstr(err.message, "index 40"));
    /* a language's chains: a well-formed tag, each role once per language,
     * never a language without the default body chain */
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"DejaVu Sans\"/>"
                              "</role>\n<role name=\"body\" lang=\"zh Hant\">"
                              "<font family=\"DejaVu Sans\"/></role></fonts>",
                              &f, &err), SC_ERR_SCHEMA);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "zh Hant"));
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"DejaVu Sans\"/>"
                              "</role><role name=\"body\" lang=\"zh-TW\"><font "
                              "family=\"DejaVu Sans\"/></role><role name=\"body\" "
                              "lang=\"ZH-tw\"><font family=\"DejaVu Sans\"/></role>"
                              "</fonts>", &f, &err), SC_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "twice"));
    assert_int_equal(load_map("<fonts><role name=\"body\" lang=\"zh-Hant\"><font "
                              "family=\"DejaVu Sans\"/></role></fonts>", &f, &err),
                     SC_ERR_SCHEMA);
    assert_non_null(strstr(err.message, "body"));

    /* a missing font is skipped; absent roles borrow body's chain */
    assert_int_equal(load_map("<fonts><role name=\"body\"><font family=\"Nope Sans "
                              "Scorecard\"/><font family=\"DejaVu Sans\"/></role></fonts>",
                              &f, &err), SC_OK);
    assert_int_equal(sc_fonts_nfaces(f), 1);
    assert_int_equal(sc_fonts_pick(f, SC_ROLE_LATIN, 'A'), 0);
    char *out;
    assert_int_equal(sc_fonts_describe(f, NULL, &out, &err), SC_OK);
    assert_non_null(strstr(out, "Nope Sans Scorecard: not installed"));
    sc_free(out);
    sc_fonts_free(f);
}

/* ---- malformed fonts ------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }
static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

/* The directory entry of table `tag` in a plain .ttf. */
static unsigned char *dir_entry(unsigned char *b, const char *tag)
{
    unsigned n = (unsigned)(b[4] << 8 | b[5]);
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(b + 12 + 16 * i, tag, 4))
            return b + 12 + 16 * i;
    fail_msg("no table %s", tag);
    return NULL;
}

/* Write a changed copy, load it, expect SC_ERR_FONT mentioning `what`. */
static void expect_bad(const unsigned char *b, size_t n, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-bad-%ld.ttf", (long)getpid());
    write_file(path, b, n);
    sc_fonts *f;
    sc_error err;
    sc_status st = load_one(path, &f, &err);
    unlink(path);
    if (st != SC_ERR_FONT)
        fail_msg("expected a font error about %s, got status %d: %s", what, st,
                 st ? err.message : "ok");
    assert_null(f);
    assert_non_null(strstr(err.message, "sc-test-bad-")); /* names the font */
    assert_non_null(strstr(err.file, "sc-test-fonts-"));  /* where in the map */
    assert_int_equal(err.line, 1);
    if (!strstr(err.message, what))
        fail_msg("message \"%s\" does not mention \"%s\"", err.message, what);
}

static void test_good_copy(void **state)
{
    (void)state;
    size_t n;
    unsigned char *b = read_all(DEJAVU, &n);
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-good-%ld.ttf", (long)getpid());
    write_file(path, b, n);
    sc_fonts *f;
    sc_error err;
    assert_int_equal(load_one(path, &f, &err), SC_OK);
    unlink(path);
    const sc_face *face = sc_fonts_face(f, 0);
    assert_string_equal(sc_face_path(face), path);
    /* DejaVu Sans: 2048 units per em, 'A' is 1401 units wide */
    assert_true(sc_face_advance(face, 'A') == 1401.0 / 2048.0);
    sc_fonts_free(f);
    free(b);
}

static void test_bad_fonts(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = read_all(DEJAVU, &n);
    unsigned char *b = malloc(n);
    assert_non_null(b);

#define RESET() memcpy(b, orig, n)
    /* numberOfHMetrics huge */
    RESET();
    put16(b + be32(dir_entry(b, "hhea") + 8) + 34, 0xFFFF);
    expect_bad(b, n, "numberOfHMetrics");

    /* hmtx shorter than numberOfHMetrics claims */
    RESET();
    put32(dir_entry(b, "hmtx") + 12, 100);
    expect_bad(b, n, "hmtx");

    /* a table beyond the end of the file */
    RESET();
    put32(dir_entry(b, "cmap") + 8, (uint32_t)n - 10);
    expect_bad(b, n, "cmap");

    /* cmap subtable offset out of the table */
    RESET();
    put32(b + be32(dir_entry(b, "cmap") + 8) + 8, 0x7FFFFFF0u);
    expect_bad(b, n, "cmap subtable");

    /* absurd format 12 group count */
    RESET();
    {
        unsigned char *cm = b + be32(dir_entry(b, "cmap") + 8);
        unsigned nsub = (unsigned)(cm[2] << 8 | cm[3]);
        int done = 0;
        for (unsigned i = 0; i < nsub && !done; i++) {
            unsigned char *sub = cm + be32(cm + 4 + 8 * i + 4);
            if (sub[0] == 0 && sub[1] == 12) {
                put32(sub + 12, 0x10000000u);
                done = 1;
            }
        }
        assert_true(done);
    }
    expect_bad(b, n, "groups");

    /* bad unitsPerEm, missing table, not a font, truncated files */
    RESET();
    put16(b + be32(dir_entry(b, "head") + 8) + 18, 0);
    expect_bad(b, n, "unitsPerEm");
    RESET();
    memcpy(dir_entry(b, "maxp"), "xxxx", 4);
    expect_bad(b, n, "maxp");
    RESET();
    memcpy(b, "GIF8", 4);
    expect_bad(b, n, "signature");
    expect_bad(orig, 8, "beyond the end");
    expect_bad(orig, 200, "beyond the end");
    expect_bad(orig, n / 2, "beyond the end");

    /* loca: descending offsets, an offset past glyf, a bad format; no
     * TrueType outlines: a malformed CFF, CFF2 (variable), bitmaps only,
     * nothing */
    RESET();
    {
        unsigned char *lo = b + be32(dir_entry(b, "loca") + 8);
        int lng = b[be32(dir_entry(b, "head") + 8) + 51];
        if (lng)
            put32(lo + 4 * 40, 0x10); /* below glyph 39's offset */
        else
            put16(lo + 2 * 40, 0x8);
    }
    expect_bad(b, n, "not ascending");
    RESET();
    put32(dir_entry(b, "glyf") + 12, 16); /* glyf shrinks under loca */
    expect_bad(b, n, "beyond the end of table 'glyf'");
    RESET();
    put16(b + be32(dir_entry(b, "head") + 8) + 50, 7);
    expect_bad(b, n, "indexToLocFormat");
    RESET();
    memcpy(dir_entry(b, "glyf"), "CFF ", 4); /* not a CFF table inside */
    expect_bad(b, n, "CFF table");
    RESET();
    memcpy(dir_entry(b, "glyf"), "CFF2", 4);
    expect_bad(b, n, "CFF2 outlines (an OpenType variable font)");
    RESET();
    memcpy(dir_entry(b, "glyf"), "EBDT", 4);
    expect_bad(b, n, "only bitmap glyphs");
    RESET();
    memcpy(dir_entry(b, "glyf"), "xxxx", 4);
    expect_bad(b, n, "has no outlines");

    /* a collection claiming more faces than offsets it holds */
    unsigned char ttc[16] = {'t', 't', 'c', 'f', 0, 1, 0, 0, 0, 0, 0, 9};
    expect_bad(ttc, 12, "beyond the end");
#undef RESET
    free(b);
    free(orig);
}

/* The first group of DejaVu's format 12 cmap that starts at or above
 * code point `cp` and maps at least 3 of them, or NULL. */
static unsigned char *cmap12_group(unsigned char *b, uint32_t cp)
{
    unsigned char *cm = b + be32(dir_entry(b, "cmap") + 8);
    unsigned nsub = (unsigned)(cm[2] << 8 | cm[3]);
    for (unsigned i = 0; i < nsub; i++) {
        unsigned char *sub = cm + be32(cm + 4 + 8 * i + 4);
        if (sub[0] != 0 || sub[1] != 12)
            continue;
        for (uint32_t k = 0; k < be32(sub + 12); k++) {
            unsigned char *g = sub + 16 + 12 * k;
            if (be32(g) >= cp && be32(g + 4) - be32(g) >= 2)
                return g;
        }
    }
    return NULL;
}

/* A format 12 group is expanded a page at a time: glyph 0 (.notdef) maps
 * nothing, a group running past the font's last glyph stops there, and
 * the characters counted are the ones mapped. */
static void test_cmap_groups(void **state)
{
    (void)state;
    size_t n;
    unsigned char *b = read_all(DEJAVU, &n);
    unsigned nglyphs = (unsigned)(b[be32(dir_entry(b, "maxp") + 8) + 4] << 8 |
                                  b[be32(dir_entry(b, "maxp") + 8) + 5]);
    unsigned char *lat = cmap12_group(b, 0x20);   /* ' ' .. '~' */
    unsigned char *far = cmap12_group(b, 0x300); /* 3 or more, beyond */
    assert_non_null(lat);
    assert_non_null(far);
    uint32_t s = be32(far), e = be32(far + 4);
    assert_true(be32(lat) == 0x20 && be32(lat + 4) >= 0x7E);
    put32(lat + 8, 0);             /* ' ' -> .notdef, '!' -> 1, ... */
    put32(far + 8, nglyphs - 2);   /* s, s + 1: the last two glyphs; then none */
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-groups-%ld.ttf", (long)getpid());
    write_file(path, b, n);
    sc_fonts *f, *orig;
    sc_error err;
    assert_int_equal(load_one(path, &f, &err), SC_OK);
    assert_int_equal(load_one(DEJAVU, &orig, &err), SC_OK);
    unlink(path);
    const sc_face *face = sc_fonts_face(f, 0);
    assert_int_equal(sc_face_gid(face, ' '), 0);
    assert_int_equal(sc_face_gid(face, '!'), 1);
    assert_int_equal(sc_face_gid(face, '~'), 0x7E - 0x20);
    assert_int_equal(sc_face_gid(face, s), nglyphs - 2);
    assert_int_equal(sc_face_gid(face, s + 1), nglyphs - 1);
    assert_int_equal(sc_face_gid(face, s + 2), 0);
    /* everything else as in the untouched font */
    const sc_face *o = sc_fonts_face(orig, 0);
    for (uint32_t cp = 0x7F; cp <= 0x10FFFF; cp++)
        if ((cp < s || cp > e) && sc_face_gid(face, cp) != sc_face_gid(o, cp))
            fail_msg("U+%04X maps to glyph %u, %u in the font", cp,
                     sc_face_gid(face, cp), sc_face_gid(o, cp));
    /* ' ' and s + 2 .. e are gone from the count */
    char *d1 = NULL, *d2 = NULL;
    assert_int_equal(sc_fonts_describe(f, NULL, &d1, &err), SC_OK);
    assert_int_equal(sc_fonts_describe(orig, NULL, &d2, &err), SC_OK);
    unsigned c1 = 0, c2 = 0;
    assert_int_equal(sscanf(strstr(d1, "glyphs, ") + 8, "%u", &c1), 1);
    assert_int_equal(sscanf(strstr(d2, "glyphs, ") + 8, "%u", &c2), 1);
    assert_int_equal(c2 - c1, 1 + (e - s - 1));
    sc_free(d1);
    sc_free(d2);
    sc_fonts_free(f);
    sc_fonts_free(orig);
    free(b);
}

/* Fonts with CFF outlines: the tiny name-keyed font that
 * make_cff_fonts.py builds loads; changed copies of it are refused by our
 * reader (cff.c) with the file and the defect, before HarfBuzz sees them. */
static void test_bad_cff(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = read_all(SC_FONT_SEEDS "/tiny-name.otf", &n);
    unsigned char *b = malloc(n);
    assert_non_null(b);
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-good-%ld.otf", (long)getpid());
    write_file(path, orig, n);
    sc_fonts *f;
    sc_error err;
    assert_int_equal(load_one(path, &f, &err), SC_OK);
    unlink(path);
    assert_true(sc_face_has(sc_fonts_face(f, 0), 0x20BB7));
    assert_non_null(sc_face_info_get(sc_fonts_face(f, 0))->cff);
    sc_fonts_free(f);

    unsigned char *cff = NULL;
#define RESET() (memcpy(b, orig, n), cff = b + be32(dir_entry(b, "CFF ") + 8))
    RESET();
    cff[0] = 2;
    expect_bad(b, n, "major version 2");
    RESET();
    cff[2] = 0xF0;
    expect_bad(b, n, "header size");
    RESET();
    put16(cff + cff[2], 2); /* two fonts in the Name INDEX */
    expect_bad(b, n, "CFF table");
    RESET();
    put32(dir_entry(b, "CFF ") + 12, 40); /* the INDEXes run past it */
    expect_bad(b, n, "runs past the table");
    RESET();
    put16(b + be32(dir_entry(b, "maxp") + 8) + 4, 6); /* 6 glyphs, 5 charstrings */
    expect_bad(b, n, "5 charstrings for the 6 glyphs");
#undef RESET
    free(b);
    free(orig);
}

/* A composite glyph whose component list runs off its end: building the
 * subset fails with SC_ERR_FONT naming the font and the glyph, it never
 * reads past the outline. */
static void test_bad_glyph(void **state)
{
    (void)state;
    size_t n;
    unsigned char *b = read_all(DEJAVU, &n);
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-glyph-%ld.ttf", (long)getpid());
    write_file(path, b, n);
    sc_fonts *f;
    sc_error err;
    assert_int_equal(load_one(path, &f, &err), SC_OK);
    const sc_face *face = sc_fonts_face(f, 0);
    unsigned gid = sc_face_gid(face, 0xC1); /* Á: a composite in DejaVu */
    size_t len = sc_face_glyph_len(face, gid);
    assert_true(len > 10);
    unsigned char *g = malloc(len);
    assert_non_null(g);
    sc_face_glyph_read(face, gid, g);
    assert_true(g[0] & 0x80); /* numberOfContours < 0 */
    free(g);
    sc_fonts_free(f);
    /* set MORE_COMPONENTS on every component: the list never ends */
    unsigned char *glyf = b + be32(dir_entry(b, "glyf") + 8);
    unsigned char *lo = b + be32(dir_entry(b, "loca") + 8);
    int lng = b[be32(dir_entry(b, "head") + 8) + 51];
    uint32_t off = lng ? be32(lo + 4 * gid) : 2u * (lo[2 * gid] << 8 | lo[2 * gid + 1]);
    unsigned char *gp = glyf + off;
    for (size_t p = 10; p + 4 <= len;) {
        unsigned flags = (unsigned)(gp[p] << 8 | gp[p + 1]);
        size_t csz = 4 + ((flags & 1) ? 4 : 2) + ((flags & 8) ? 2 : (flags & 0x40) ? 4
                                                 : (flags & 0x80) ? 8 : 0);
        gp[p + 1] |= 0x20;
        p += csz;
    }
    write_file(path, b, n);
    assert_int_equal(load_one(path, &f, &err), SC_OK);
    unlink(path);
    face = sc_fonts_face(f, 0);
    sc_subset *s;
    assert_int_equal(sc_subset_new(&s, face, &err), SC_OK);
    assert_true(sc_subset_use(s, sc_face_gid(face, 'A'), 'A') == 1);
    assert_true(sc_subset_use(s, gid, 0xC1) == 2);
    unsigned char *ttf = NULL;
    size_t tl = 0;
    assert_int_equal(sc_subset_build(s, &ttf, &tl, &err), SC_ERR_FONT);
    assert_null(ttf);
    assert_non_null(strstr(err.message, "sc-test-glyph-"));
    char want[32];
    snprintf(want, sizeof want, "glyph %u", gid);
    assert_non_null(strstr(err.message, want));
    sc_subset_free(s);
    sc_fonts_free(f);
    free(b);
}

/* Damage bytes all over the header and tables: the reader may accept or
 * reject the result, but must never read out of bounds (run under ASan
 * or valgrind to be sure) and never crash. */
static void test_fuzz_font(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = read_all(DEJAVU, &n);
    unsigned char *b = malloc(n);
    assert_non_null(b);
    char path[256];
    snprintf(path, sizeof path, TMPDIR "/sc-test-fuzz-%ld.ttf", (long)getpid());
    unsigned seed = 12345;
    unsigned cm = be32(dir_entry(orig, "cmap") + 8);
    int rejected = 0, rounds = 60;
    const char *env = getenv("SC_FONT_FUZZ_ROUNDS"); /* more, by hand */
    if (env && atoi(env) > 0)
        rounds = atoi(env);
    for (int round = 0; round < rounds; round++) {
        memcpy(b, orig, n);
        for (int k = 0; k < 8; k++) {
            seed = seed * 1103515245u + 12345u;
            /* half the hits in the directory, half in the cmap */
            size_t at = (k % 2) ? cm + (seed >> 8) % 2048 : (seed >> 8) % 400;
            seed = seed * 1103515245u + 12345u;
            b[at] = (unsigned char)(seed >> 16);
        }
        write_file(path, b, n);
        sc_fonts *f;
        sc_error err;
        sc_status st = load_one(path, &f, &err);
        if (st == SC_OK) {
            sc_fonts_pick(f, SC_ROLE_BODY, 'A');
            sc_fonts_free(f);
        } else {
            rejected++;
        }
    }
    unlink(path);
    assert_true(rejected > 0);
    free(b);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_default_map),
        cmocka_unit_test(test_env_map),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_map_errors),
        cmocka_unit_test(test_good_copy),
        cmocka_unit_test(test_bad_fonts),
        cmocka_unit_test(test_cmap_groups),
        cmocka_unit_test(test_bad_cff),
        cmocka_unit_test(test_bad_glyph),
        cmocka_unit_test(test_fuzz_font),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
