/* test_subset.c -- the font engine: subset fonts that are valid TrueType
 * with every composite glyph whole, CIDs in order of first use, PDFs whose
 * fonts are embedded, subset and searchable, characters beyond the BMP.
 *
 * The composite test uses the two fonts with more than 32767 glyphs that
 * libharu 2.3.0 breaks: WenQuanYi Micro Hei and Droid Sans Fallback
 * (fonts-droid-fallback).  A font that is not installed skips its part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "fontengine.h"
#include "internal.h"
#include "run_cmd.h"
#include "pdf_file.h"

#define WQY "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
#define DROID "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define UMING "/usr/share/fonts/truetype/arphic/uming.ttc"
#define NOTO_SERIF "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
#define TINY_NAME SC_FONT_SEEDS "/tiny-name.otf"

/* Characters whose WenQuanYi / Droid glyphs are composites with
 * components above glyph id 32767: libharu drew them with strokes
 * missing. */
static const char composites[] =
    "临乚乢乣乤乧乨乩乫乬乭乮乯乱乲乳乴乵乶乷乹乽乾乿亁亂亃亄些亝亢亩享京亮"
    "慂慅慇慈慉態慐慔慕慗慙慚慛慜慝慞慟慠慣慤慥慦慧慨慩 月度绩效考核表";

static int have(const char *path) { return access(path, R_OK) == 0; }

/* A font map with one role, heading = `font` then DejaVu Sans. */
static sc_fonts *load_map(const char *font, const char *index)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_subset_%ld.xml", (long)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "<fonts><role name=\"body\"><font file=\"%s\" index=\"%s\"/>"
                "<font file=\"" DEJAVU "\"/></role></fonts>\n", font, index);
    fclose(fp);
    sc_fonts *f = NULL;
    sc_error err = {0};
    sc_status st = sc_fonts_load(&f, path, &err);
    if (st != SC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, SC_OK);
    remove(path);
    return f;
}

/* The fonts these tests need are installed by ./dev: a missing one is a
 * failure, not a skip, so that the composite-glyph check always runs. */
static void require(const char *path)
{
    if (!have(path))
        fail_msg("%s is missing: install it (./dev installs every test font)", path);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t sum32(const unsigned char *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i += 4) {
        unsigned char w[4] = {0, 0, 0, 0};
        memcpy(w, p + i, n - i < 4 ? n - i : 4);
        s += be32(w);
    }
    return s;
}

/* Find table `tag` in font b[0..n); asserts it is there and in bounds. */
static const unsigned char *table(const unsigned char *b, size_t n,
                                  const char *tag, size_t *len)
{
    unsigned nt = be16(b + 4);
    for (unsigned i = 0; i < nt; i++) {
        const unsigned char *e = b + 12 + 16 * i;
        if (memcmp(e, tag, 4) == 0) {
            uint32_t off = be32(e + 8), l = be32(e + 12);
            assert_true((uint64_t)off + l <= n);
            *len = l;
            return b + off;
        }
    }
    fail_msg("table %s missing", tag);
    return NULL;
}

/* The subset font of WenQuanYi Micro Hei is well-formed TrueType and holds
 * the complete composite closure with rewritten component ids. */
static void test_subset_font_is_whole(void **state)
{
    (void)state;
    require(WQY);
    sc_fonts *f = load_map(WQY, "0");
    const sc_face *face = sc_fonts_face(f, 0);
    sc_subset *s = NULL;
    sc_error err = {0};
    assert_int_equal(sc_subset_new(&s, face, &err), SC_OK);
    /* CIDs in order of first use; a repeat keeps its CID */
    unsigned used = 0;
    size_t n = strlen(composites);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(composites + i, n - i, &cp);
        assert_true(k > 0);
        i += k;
        unsigned gid = sc_face_gid(face, cp);
        if (!gid)
            continue;
        long cid = sc_subset_use(s, gid, cp);
        assert_true(cid >= 1);
        if ((unsigned)cid > used) {
            assert_int_equal(cid, used + 1);
            used = (unsigned)cid;
        }
        assert_int_equal(sc_subset_orig(s, (unsigned)cid), gid);
        assert_int_equal(sc_subset_unicode(s, (unsigned)cid), cp);
    }
    assert_int_equal(sc_subset_use(s, 0, 'x'), 0);
    assert_int_equal(sc_subset_use(s, 999999, 'x'), 0);
    assert_int_equal(sc_subset_count(s), used + 1);

    unsigned char *ttf = NULL;
    size_t len = 0;
    assert_int_equal(sc_subset_build(s, &ttf, &len, &err), SC_OK);
    unsigned total = sc_subset_count(s);
    assert_true(total > used + 1); /* components were added */
    /* the components are beyond the used glyphs and have no Unicode */
    for (unsigned c = used + 1; c < total; c++)
        assert_int_equal(sc_subset_unicode(s, c), 0);

    /* sfnt structure: sorted directory, table checksums, whole-font sum */
    assert_int_equal(be32(ttf), 0x00010000u);
    unsigned nt = be16(ttf + 4);
    assert_true(nt >= 8);
    for (unsigned i = 0; i < nt; i++) {
        const unsigned char *e = ttf + 12 + 16 * i;
        if (i)
            assert_true(memcmp(e - 16, e, 4) < 0);
        uint32_t off = be32(e + 8), l = be32(e + 12);
        assert_true((uint64_t)off + l <= len);
        assert_int_equal(off % 4, 0);
        if (memcmp(e, "head", 4))
            assert_int_equal(be32(e + 4), sum32(ttf + off, l));
    }
    assert_int_equal(sum32(ttf, len), 0xB1B0AFBAu);

    size_t l;
    const unsigned char *maxp = table(ttf, len, "maxp", &l);
    assert_int_equal(be16(maxp + 4), total);
    const unsigned char *hhea = table(ttf, len, "hhea", &l);
    assert_int_equal(be16(hhea + 34), total);
    const unsigned char *head = table(ttf, len, "head", &l);
    int lng = (int)be16(head + 50);
    size_t loca_len, glyf_len, hmtx_len;
    const unsigned char *loca = table(ttf, len, "loca", &loca_len);
    const unsigned char *glyf = table(ttf, len, "glyf", &glyf_len);
    table(ttf, len, "hmtx", &hmtx_len);
    assert_int_equal(hmtx_len, 4u * total);
    assert_int_equal(loca_len, (total + 1) * (lng ? 4u : 2u));
    int composites_seen = 0;
    for (unsigned g = 0; g < total; g++) {
        uint32_t a = lng ? be32(loca + 4 * g) : 2u * be16(loca + 2 * g);
        uint32_t b = lng ? be32(loca + 4 * g + 4) : 2u * be16(loca + 2 * g + 2);
        assert_true(a <= b && b <= glyf_len);
        if (b == a)
            continue;
        const unsigned char *gl = glyf + a;
        int nc = (int16_t)be16(gl);
        if (nc >= 0) { /* hinting dropped */
            assert_int_equal(be16(gl + 10 + 2 * nc), 0);
            continue;
        }
        composites_seen++;
        size_t p = 10;
        for (;;) { /* every component is in the subset and has an outline */
            unsigned flags = be16(gl + p), c = be16(gl + p + 2);
            assert_true(c > 0 && c < total);
            uint32_t ca = lng ? be32(loca + 4 * c) : 2u * be16(loca + 2 * c);
            uint32_t cb = lng ? be32(loca + 4 * c + 4) : 2u * be16(loca + 2 * c + 2);
            assert_true(cb > ca);
            assert_int_equal(flags & 0x100, 0);
            p += 4 + ((flags & 1) ? 4 : 2) + ((flags & 8) ? 2 : (flags & 0x40) ? 4
                                              : (flags & 0x80) ? 8 : 0);
            assert_true(p <= b - a);
            if (!(flags & 0x20))
                break;
        }
    }
    assert_true(composites_seen > 20);
    char tag[7];
    sc_subset_tag(s, tag);
    assert_int_equal(strlen(tag), 6);
    for (int i = 0; i < 6; i++)
        assert_true(tag[i] >= 'A' && tag[i] <= 'Z');
    sc_free(ttf);
    sc_subset_free(s);
    sc_fonts_free(f);
}

static const sc_style plain = {
    "p", SC_ROLE_BODY, 12, 0, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {2, 2, 2, 2}, 1.4, -1, 0, 0, 0};
static const sc_style bold = {
    "b", SC_ROLE_HEADING, 16, 1, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {2, 2, 2, 2}, 1.4, -1, 0, 0, 0};
static const sc_style kaibold = {
    "k", SC_ROLE_KAI, 14, 1, SC_ALIGN_LEFT, SC_VALIGN_TOP,
    {2, 2, 2, 2}, 1.4, -1, 0, 0, 0};

/* Lay out paragraphs (style i % nstyles). */
static sc_laid *lay(sc_arena *a, const sc_fonts *f, const sc_style *const *styles,
                    int nstyles, const char *const *texts, int n, sc_error *err)
{
    sc_bound *b = sc_arena_alloc(a, sizeof *b);
    b->page_w = 595.28;
    b->page_h = 841.89;
    for (int i = 0; i < 4; i++)
        b->margin[i] = 40;
    b->title = b->label = "KF001 张𠮷";
    b->body = sc_arena_alloc(a, (size_t)n * sizeof(sc_block));
    b->nbody = n;
    for (int i = 0; i < n; i++)
        b->body[i] = (sc_block){.kind = SC_BLK_PARA,
                                .style = styles[i % nstyles],
                                .text = texts[i], .field = "employee/name"};
    sc_laid *l = NULL;
    return sc_layout(b, f, a, &l, err) == SC_OK ? l : NULL;
}

/* Lay out paragraphs and write them as one PDF, starting from `bases`
 * (may be NULL); *from_base (may be NULL): font programs made from one. */
static sc_status render_from(const sc_fonts *f, const char *path,
                             const sc_style *const *styles, int nstyles,
                             const char *const *texts, int n,
                             const sc_fontbases *bases, int *from_base,
                             sc_error *err)
{
    sc_arena *a = sc_arena_new();
    sc_laid *l = lay(a, f, styles, nstyles, texts, n, err);
    sc_pdf *pdf = NULL;
    sc_pdf_opts po = {.bases = bases, .created = -1};
    sc_status st = l ? SC_OK : err->code;
    if (st == SC_OK)
        st = sc_pdf_new(&pdf, f, &po, err);
    if (st == SC_OK)
        st = sc_pdf_add(pdf, l, err);
    if (st == SC_OK)
        st = save_pdf(pdf, path, err);
    if (from_base)
        *from_base = sc_pdf_faces_from_base(pdf);
    sc_pdf_free(pdf);
    sc_arena_free(a);
    return st;
}

static sc_status render(const sc_fonts *f, const char *path,
                        const sc_style *const *styles, int nstyles,
                        const char *const *texts, int n, sc_error *err)
{
    return render_from(f, path, styles, nstyles, texts, n, NULL, NULL, err);
}

/* The bases of a form whose fixed text is texts[0..n). */
static sc_fontbases *bases_of(const sc_fonts *f, const sc_style *const *styles,
                              int nstyles, const char *const *texts, int n)
{
    sc_arena *a = sc_arena_new();
    sc_error err = {0};
    sc_laid *l = lay(a, f, styles, nstyles, texts, n, &err);
    assert_non_null(l);
    sc_fontbases *b = NULL;
    assert_int_equal(sc_fontbases_new(&b, f, l, &err), SC_OK);
    sc_arena_free(a);
    return b;
}

static void check_composites(const char *font, const char *index)
{
    sc_fonts *f = load_map(font, index);
    char path[64], cmd[1024];
    snprintf(path, sizeof path, "/tmp/sc_test_subset_%ld.pdf", (long)getpid());
    const sc_style *st[] = {&plain, &bold};
    const char *texts[] = {composites, composites};
    sc_error err = {0};
    assert_int_equal(render(f, path, st, 2, texts, 2, &err), SC_OK);
    snprintf(cmd, sizeof cmd, "%s/tests/fonts/check_glyphs.py '%s' '%s' "
             "'%s:%s' 2>&1", SC_SOURCE_DIR, path, composites, font, index);
    int status;
    char *out = run(cmd, &status);
    if (status != 0 && status != 77)
        fprintf(stderr, "%s", out);
    sc_free(out);
    /* 77: fontTools or mutool missing; ./dev installs both, so it fails. */
    assert_int_equal(status, 0);

    /* A form whose fixed text is the first line of composites: a document
     * of the base's glyphs alone, then one that draws them from the
     * base's cached, pre-compressed bytes and the second line as extra
     * glyphs, whose components may be base glyphs or new ones. */
    const char *line1 = "临乚乢乣乤乧乨乩乫乬乭乮乯乱乲乳乴乵乶乷乹乽乾乿亁亂亃亄些亝亢亩享京亮";
    const char *t2[] = {line1, line1};
    sc_fontbases *bases = bases_of(f, st, 2, t2, 2);
    int from_base = 0;
    assert_int_equal(render_from(f, path, st, 2, t2, 2, bases, &from_base, &err),
                     SC_OK);
    assert_true(from_base >= 1);
    char cmd2[1024];
    snprintf(cmd2, sizeof cmd2, "%s/tests/fonts/check_glyphs.py '%s' '%s' "
             "'%s:%s' 2>&1", SC_SOURCE_DIR, path, line1, font, index);
    out = run(cmd2, &status);
    if (status != 0)
        fprintf(stderr, "base alone: %s", out);
    sc_free(out);
    assert_int_equal(status, 0);
    from_base = 0;
    assert_int_equal(render_from(f, path, st, 2, texts, 2, bases, &from_base, &err),
                     SC_OK);
    assert_true(from_base >= 1);
    out = run(cmd, &status);
    if (status != 0)
        fprintf(stderr, "base and more: %s", out);
    sc_free(out);
    assert_int_equal(status, 0);
    sc_fontbases_free(bases);
    remove(path);
    sc_fonts_free(f);
}

/* Every composite glyph is drawn with all its strokes: the outlines of
 * the embedded subset, decomposed, equal the source font's. */
static void test_wqy_composites_whole(void **state)
{
    (void)state;
    require(WQY);
    check_composites(WQY, "0");
}

static void test_droid_composites_whole(void **state)
{
    (void)state;
    require(DROID);
    check_composites(DROID, "0");
}

/* 𠮷 (U+20BB7) in a name renders (from LXGW WenKai, through the default
 * map's fallback) and extracts as itself; the PDF passes every font
 * check; a kai bold title uses the real bold face. */
static void test_beyond_bmp_and_checks(void **state)
{
    (void)state;
    sc_fonts *f = NULL;
    sc_error err = {0};
    unsetenv("SCORECARD_FONTS");
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    char path[64], cmd[512];
    snprintf(path, sizeof path, "/tmp/sc_test_subset_b_%ld.pdf", (long)getpid());
    const sc_style *st[] = {&plain, &bold, &kaibold};
    const char *texts[] = {"被考核人：张𠮷，工号 KF001，得分 98.5%",
                           "月度绩效考核表 2026-10", "评语：表现优秀 Good"};
    assert_int_equal(render(f, path, st, 3, texts, 3, &err), SC_OK);
    int status;
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    char *out = run(cmd, &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "张𠮷"));
    assert_non_null(strstr(out, "月度绩效考核表 2026-10"));
    assert_non_null(strstr(out, "评语：表现优秀 Good"));
    sc_free(out);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", path);
    out = run(cmd, &status);
    assert_non_null(strstr(out, "+LXGWWenKai-Bold"));
    assert_non_null(strstr(out, "+WenQuanYiMicroHei"));
    assert_non_null(strstr(out, "+UMing"));
    sc_free(out);
    snprintf(cmd, sizeof cmd, "%s/tests/fonts/check_pdf.sh '%s' 2>&1",
             SC_SOURCE_DIR, path);
    out = run(cmd, &status);
    if (status != 0)
        fprintf(stderr, "%s", out);
    sc_free(out);
    assert_int_equal(status, 0);
    remove(path);
    sc_fonts_free(f);
}

/* A page with ~150 distinct hanzi in two faces stays small.  Measured:
 * 40 KB, of which 36 KB is the AR PL UMing subset: its Ming glyphs average
 * ~170 points, ~250 bytes each after Flate (stock libharu: 100-440 KB).
 * WenQuanYi's glyphs cost a third of that.  The bound guards against
 * regressions (a whole table or a 64K CIDToGIDMap slipping back in). */
static void test_small_files(void **state)
{
    (void)state;
    sc_fonts *f = NULL;
    sc_error err = {0};
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    char path[64];
    snprintf(path, sizeof path, "/tmp/sc_test_subset_s_%ld.pdf", (long)getpid());
    const sc_style *st[] = {&plain, &bold};
    const char *texts[] = {
        "考核指标客户满意度首次解决率平均处理时长服务态度投诉率工单完成量知识库"
        "贡献培训出勤团队协作创新建议目标值实际值权重得分评分标准",
        "月度绩效考核表客户服务部",
        "被考核人直属上级部门负责人人力资源部签字日期说明本表依据公司绩效管理"
        "制度制定考核结果将作为薪酬调整晋升评优的重要依据请各部门认真填写如实"
        "反映员工工作表现对考核结果有异议的可在五个工作日内向提出申诉逾期不予"
        "受理等级优秀良好合格待改进不合格总计年度奖金系数"};
    assert_int_equal(render(f, path, st, 2, texts, 3, &err), SC_OK);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    remove(path);
    sc_fonts_free(f);
    assert_true(size > 0 && size <= 48 * 1024);
}

/* A character no font has fails the record, naming it. */
static void test_missing_character_is_reported(void **state)
{
    (void)state;
    sc_fonts *f = NULL;
    sc_error err = {0};
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    const sc_style *st[] = {&plain};
    const char *texts[] = {"张三 \xE1\x88\x80"}; /* U+1200, in no font */
    memset(&err, 0, sizeof err);
    assert_int_equal(render(f, "/tmp/never-written.pdf", st, 1, texts, 1, &err),
                     SC_ERR_FONT);
    assert_non_null(strstr(err.message, "U+1200"));
    assert_string_equal(err.employee, "KF001 张𠮷");
    assert_string_equal(err.field, "employee/name");
    sc_fonts_free(f);
}

static void count_diag(void *ud, const sc_error *e)
{
    sc_error *last = ud;
    *last = *e;
    last->line++; /* used as a counter */
}

/* --allow-missing-glyphs: a framed "?" marker and a warning instead. */
static void test_missing_character_marker(void **state)
{
    (void)state;
    sc_fonts *f = NULL;
    sc_error err = {0}, warn = {0};
    assert_int_equal(sc_fonts_load(&f, NULL, &err), SC_OK);
    sc_arena *a = sc_arena_new();
    sc_bound *b = sc_arena_alloc(a, sizeof *b);
    b->page_w = 595.28;
    b->page_h = 841.89;
    b->label = "KF002 李四";
    b->body = sc_arena_alloc(a, sizeof(sc_block));
    b->nbody = 1;
    b->body[0] = (sc_block){.kind = SC_BLK_PARA, .style = &plain,
                            .text = "李\xE1\x88\x80四", .field = "comment"};
    b->allow_missing = 1;
    b->diag = count_diag;
    b->diag_ud = &warn;
    sc_laid *l = NULL;
    assert_int_equal(sc_layout(b, f, a, &l, &err), SC_OK);
    assert_int_equal(warn.line, 1);
    assert_int_equal(warn.code, SC_ERR_FONT);
    assert_non_null(strstr(warn.message, "U+1200"));
    assert_string_equal(warn.employee, "KF002 李四");
    assert_string_equal(warn.field, "comment");
    int lines = 0, marks = 0;
    for (size_t i = 0; i < l->pages[0].nitems; i++) {
        const sc_item *it = &l->pages[0].items[i];
        lines += it->kind == SC_IT_LINE;
        marks += it->kind == SC_IT_TEXT && it->len == 1 && it->text[0] == '?';
    }
    assert_int_equal(lines, 4);
    assert_int_equal(marks, 1);
    sc_arena_free(a);
    sc_fonts_free(f);
}

/* sc_subset_build_flate's zlib stream decompresses to exactly the font
 * program sc_subset_build writes; `via_base`: and it was made from the
 * base's cached blocks.  Returns the length of the font's glyf. */
static size_t check_flate(sc_subset *s, int via_base)
{
    unsigned char *font = NULL, *z = NULL;
    size_t len = 0, zlen = 0, flen = 0;
    sc_error err = {0};
    int from_base = -1;
    assert_int_equal(sc_subset_build_flate(s, NULL, &len, &z, &zlen, &from_base, &err),
                     SC_OK);
    assert_non_null(z);
    assert_int_equal(from_base, via_base);
    assert_int_equal(sc_subset_build(s, &font, &flen, &err), SC_OK);
    assert_int_equal(flen, len);
    /* the table checksums of a seeded font use the base's sum of its
     * outlines: each still sums its table, and the font sums right */
    for (unsigned i = 0; i < be16(font + 4); i++) {
        const unsigned char *e = font + 12 + 16 * i;
        if (memcmp(e, "head", 4))
            assert_int_equal(be32(e + 4), sum32(font + be32(e + 8), be32(e + 12)));
    }
    assert_int_equal(sum32(font, len), 0xB1B0AFBAu);
    uLongf back_len = (uLongf)len + 1;
    unsigned char *back = malloc(back_len);
    assert_non_null(back);
    assert_int_equal(uncompress(back, &back_len, z, (uLong)zlen), Z_OK);
    assert_int_equal(back_len, len);
    assert_memory_equal(back, font, len);
    free(back);
    size_t glyf_len = 0;
    assert_non_null(table(font, len, "glyf", &glyf_len));
    sc_free(font);
    sc_free(z);
    return glyf_len;
}

/* Font bases end to end, for a base of n glyphs of `font` (the first n
 * CJK ideographs it has): a document compressed whole, then documents
 * starting from the base plus glyphs of their own -- the cleared BFINAL
 * bit, the primed partial byte and the dictionary must give back the font
 * program byte for byte.  Returns 1 if the base's outlines end in the
 * middle of a 4-byte word (the glyf checksum's odd case). */
static int round_trips(const char *font, unsigned n)
{
    unsigned m = 0;
    sc_fonts *f = load_map(font, "0");
    const sc_face *face = sc_fonts_face(f, 0);
    unsigned *g = calloc(n + 10, sizeof *g);
    uint32_t *cp = calloc(n + 10, sizeof *cp);
    assert_true(g && cp);
    for (uint32_t u = 0x4E00; m < n + 10 && u <= 0x9FA5; u++)
        if ((g[m] = sc_face_gid(face, u)) != 0)
            cp[m++] = u;
    assert_int_equal(m, n + 10);

    sc_subset *s = NULL;
    sc_error err = {0};
    assert_int_equal(sc_subset_new(&s, face, &err), SC_OK);
    for (unsigned i = 0; i < n; i++)
        assert_true(sc_subset_use(s, g[i], cp[i]) > 0);
    int mid_word = check_flate(s, 0) % 4 == 2;
    sc_subset_free(s);

    sc_fontbase *b = sc_fontbase_new(face, g, cp, n);
    assert_non_null(b);
    for (int doc = 2; doc <= 3; doc++) {
        assert_int_equal(sc_subset_new(&s, face, &err), SC_OK);
        assert_int_equal(sc_subset_seed(s, b, &err), SC_OK);
        for (unsigned i = 0; i < n + 10; i++)
            assert_true(sc_subset_use(s, g[i], cp[i]) > 0);
        check_flate(s, 1);
        sc_subset_free(s);
    }
    /* a base is only for its own face */
    const sc_face *other = sc_fonts_nfaces(f) > 1 ? sc_fonts_face(f, 1) : NULL;
    if (other && other != face) {
        assert_int_equal(sc_subset_new(&s, other, &err), SC_OK);
        assert_int_equal(sc_subset_seed(s, b, &err), SC_ERR_USAGE);
        sc_subset_free(s);
    }
    sc_fontbase_free(b);
    free(g);
    free(cp);
    sc_fonts_free(f);
    return mid_word;
}

/* Bases of one deflate block and of several; UMing's outlines are all
 * multiples of 4 bytes long, Droid Sans Fallback's are not. */
static void test_cached_flate_round_trips(void **state)
{
    (void)state;
    require(UMING);
    require(DROID);
    static const unsigned sizes[] = {1, 40, 3000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        round_trips(UMING, sizes[k]);
    int mid_word = 0;
    for (unsigned n = 1; n <= 8; n++)
        mid_word |= round_trips(DROID, n);
    assert_true(mid_word);
}

/* Render texts with `font` (then DejaVu Sans) and check the PDF: every
 * font check (pdf.js too when PDFJS_DIR is set), each glyph of a CFF
 * subset is its character's glyph in the source with its width
 * (check_glyphs.py), and 𠮷 extracts as itself. */
static void check_cff(const char *font, const char *index, const char *text)
{
    sc_fonts *f = load_map(font, index);
    char path[64], cmd[1024];
    snprintf(path, sizeof path, "/tmp/sc_test_cff_%ld.pdf", (long)getpid());
    const sc_style *st[] = {&plain, &bold};
    const char *texts[] = {text, text};
    sc_error err = {0};
    sc_status rs = render(f, path, st, 2, texts, 2, &err);
    if (rs != SC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rs, SC_OK);
    int status;
    snprintf(cmd, sizeof cmd, "sh %s/tests/fonts/check_pdf.sh '%s' 2>&1",
             SC_SOURCE_DIR, path);
    char *out = run(cmd, &status);
    if (status)
        fprintf(stderr, "%s", out);
    sc_free(out);
    assert_int_equal(status, 0);
    snprintf(cmd, sizeof cmd, "%s/tests/fonts/check_glyphs.py '%s' x "
             "'%s:%s' 2>&1", SC_SOURCE_DIR, path, font, index);
    out = run(cmd, &status);
    if (status)
        fprintf(stderr, "%s", out);
    sc_free(out);
    assert_int_equal(status, 0);
    snprintf(cmd, sizeof cmd, "pdffonts '%s'; pdftotext -enc UTF-8 '%s' -",
             path, path);
    out = run(cmd, &status);
    assert_non_null(strstr(out, "CID Type 0C")); /* FontFile3 CFF */
    assert_non_null(strstr(out, "\xF0\xA0\xAE\xB7")); /* 𠮷 */
    sc_free(out);
    remove(path);
    sc_fonts_free(f);
}

/* A CID-keyed CFF font with FDArray and subroutines (Noto Serif CJK SC,
 * face 2 of its collection), per-character fallback to DejaVu Sans (a
 * TrueType face: ͷ) in one chain, 𠮷 from CJK Extension B. */
static void test_cff_cid_keyed(void **state)
{
    (void)state;
    require(NOTO_SERIF);
    check_cff(NOTO_SERIF, "2", "绩效考核表，。、；： 𠮷 ͷ Performance 98% "
              "张晓明 鬱龜齉 2026-10");
}

/* A name-keyed CFF font (built by make_cff_fonts.py, subroutines local
 * and global): HarfBuzz orders the subset by glyph id, we put it in our
 * order of first use (𠮷 first, so the orders differ). */
static void test_cff_name_keyed(void **state)
{
    (void)state;
    require(TINY_NAME);
    check_cff(TINY_NAME, "0", "𠮷中A 中𠮷");
}

/* A mark of Traditional text that a face draws the mainland way (，of AR
 * PL UMing TW, bottom left) is embedded as a moved copy: a composite of
 * the mark alone at the shift fonts.c measured, with the mark's advance
 * and character, its box moved with it; a centred mark (。) has no
 * shift; asking twice gives the same CID. */
static void test_moved_marks(void **state)
{
    (void)state;
    require(UMING);
    sc_fonts *f = load_map(UMING, "2");
    const sc_face *face = sc_fonts_face(f, 0);
    int dx = 0, dy = 0;
    assert_false(sc_face_punct_shift(face, 0x3002, &dx, &dy)); /* 。 centred */
    assert_false(sc_face_punct_shift(face, 0x7532, &dx, &dy)); /* 甲: no mark */
    assert_true(sc_face_punct_shift(face, 0xFF0C, &dx, &dy));  /* ， */
    /* UMing's ，: ink 171..277 x -109..108 of 1024 units, advance 1024;
     * 中's ink -80..857: its middle 388.5 is the em box's */
    assert_int_equal(dx, 512 - 224);
    assert_true(dy == 389 || dy == 388);
    sc_subset *s = NULL;
    sc_error err = {0};
    assert_int_equal(sc_subset_new(&s, face, &err), SC_OK);
    unsigned comma = sc_face_gid(face, 0xFF0C);
    long jia = sc_subset_use(s, sc_face_gid(face, 0x7532), 0x7532);
    long moved = sc_subset_use_moved(s, comma, 0xFF0C, dx, dy);
    assert_int_equal(jia, 1);
    assert_int_equal(moved, 2);
    assert_int_equal(sc_subset_use_moved(s, comma, 0xFF0C, dx, dy), moved);
    assert_int_equal(sc_subset_unicode(s, 2), 0xFF0C);
    assert_int_equal(sc_subset_width(s, 2), 1000);
    unsigned char *ttf = NULL;
    size_t len = 0;
    assert_int_equal(sc_subset_build(s, &ttf, &len, &err), SC_OK);
    /* the closure added the mark itself as CID 3, the moved copy's component */
    assert_int_equal(sc_subset_count(s), 4);
    assert_int_equal(sc_subset_orig(s, 3), comma);
    size_t l, glyf_len;
    const unsigned char *head = table(ttf, len, "head", &l);
    const unsigned char *loca = table(ttf, len, "loca", &l);
    const unsigned char *glyf = table(ttf, len, "glyf", &glyf_len);
    const unsigned char *hmtx = table(ttf, len, "hmtx", &l);
    int lng = (int)be16(head + 50);
#define AT(g) (lng ? be32(loca + 4 * (g)) : 2u * be16(loca + 2 * (g)))
    const unsigned char *mv = glyf + AT(2), *mark = glyf + AT(3);
    assert_int_equal(AT(3) - AT(2), 18);
    assert_int_equal((int16_t)be16(mv), -1);                  /* composite */
    for (int k = 0; k < 4; k++) /* its box: the mark's, moved */
        assert_int_equal((int16_t)be16(mv + 2 + 2 * k),
                         (int16_t)be16(mark + 2 + 2 * k) + (k % 2 ? dy : dx));
    assert_int_equal(be16(mv + 10), 0x0003); /* ARG_1_AND_2_ARE_WORDS | XY */
    assert_int_equal(be16(mv + 12), 3);      /* the mark, by its new id */
    assert_int_equal((int16_t)be16(mv + 14), dx);
    assert_int_equal((int16_t)be16(mv + 16), dy);
    assert_int_equal(be16(hmtx + 4 * 2), be16(hmtx + 4 * 3)); /* same advance */
#undef AT
    sc_free(ttf);
    sc_subset_free(s);
    sc_fonts_free(f);
    /* a CFF face has no moved copies (its marks are drawn as they are) */
    if (have(NOTO_SERIF)) {
        sc_fonts *nf = load_map(NOTO_SERIF, "2");
        const sc_face *nface = sc_fonts_face(nf, 0);
        assert_false(sc_face_punct_shift(nface, 0xFF0C, &dx, &dy));
        assert_int_equal(sc_subset_new(&s, nface, &err), SC_OK);
        assert_int_equal(sc_subset_use_moved(s, sc_face_gid(nface, 0xFF0C), 0xFF0C, 1, 1), -1);
        sc_subset_free(s);
        sc_fonts_free(nf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subset_font_is_whole),
        cmocka_unit_test(test_wqy_composites_whole),
        cmocka_unit_test(test_droid_composites_whole),
        cmocka_unit_test(test_beyond_bmp_and_checks),
        cmocka_unit_test(test_small_files),
        cmocka_unit_test(test_missing_character_is_reported),
        cmocka_unit_test(test_missing_character_marker),
        cmocka_unit_test(test_cached_flate_round_trips),
        cmocka_unit_test(test_cff_cid_keyed),
        cmocka_unit_test(test_cff_name_keyed),
        cmocka_unit_test(test_moved_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
