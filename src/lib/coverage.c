/* coverage.c -- can the fonts draw the record?  The check between reading
 * and binding.
 *
 * Before anything is drawn, every character of the record's text is looked
 * up in the font roles: one that no role's chain has can never be drawn,
 * and the data is the place to say so -- with the field and the line the
 * user must fix (layout checks again per role, naming the template line).
 * Characters that are never drawn (controls, zero-width and variation
 * marks) are skipped, as text.c skips them.  Each code point is reported
 * once per field.  It is a stage of its own (the driver calls it after the
 * reader, unless missing glyphs are to be drawn as markers): the reader
 * knows nothing of fonts. */
#include "internal.h"

#include <string.h>

static int never_drawn(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
           (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* One record's check: the fonts, and the code points already found in
 * them (a record repeats its characters: most lookups end here). */
typedef struct coverage {
    const sc_fonts *f;
    uint32_t known[512]; /* by cp % 512; 0: none (cp 0 is never drawn) */
} coverage;

static int in_some_role(coverage *cv, uint32_t cp)
{
    uint32_t *slot = &cv->known[cp % (sizeof cv->known / sizeof *cv->known)];
    if (*slot == cp)
        return 1;
    for (int role = 0; role < SC_ROLE_COUNT; role++)
        if (sc_fonts_pick(cv->f, role, cp) >= 0) {
            *slot = cp;
            return 1;
        }
    return 0;
}

static void check_text(const sc_record *rec, sc_problems *pb, coverage *cv, xmlNodePtr node,
                       const char *attr_name, const char *text)
{
    uint32_t seen[8];
    int nseen = 0;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + i, n - i, &cp);
        if (!k)
            return; /* libxml2 hands us valid UTF-8; stop if not */
        i += k;
        if (never_drawn(cp) || in_some_role(cv, cp))
            continue;
        int dup = 0;
        for (int j = 0; j < nseen; j++)
            dup |= seen[j] == cp;
        if (dup)
            continue;
        if (nseen < 8)
            seen[nseen++] = cp;
        sc_record_problem(rec, pb, SC_ERR_FONT, node, attr_name,
                "character U+%04X (%.*s) is in no installed font: install a font "
                "that has it and add it to the font map, correct the text, or "
                "render with --allow-missing-glyphs",
                (unsigned)cp, (int)k, text + i - k);
    }
}

static void check_node(const sc_record *rec, sc_problems *pb, coverage *cv, xmlNodePtr node)
{
    for (; node; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                check_text(rec, pb, cv, node->parent, NULL, (const char *)node->content);
        } else if (node->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr a = node->properties; a; a = a->next) {
                xmlNodePtr t = a->children;
                if (t && !t->next && t->type == XML_TEXT_NODE) { /* as parsed: no copy */
                    if (t->content)
                        check_text(rec, pb, cv, node, (const char *)a->name,
                                   (const char *)t->content);
                    continue;
                }
                xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
                if (v)
                    check_text(rec, pb, cv, node, (const char *)a->name, (const char *)v);
                xmlFree(v);
            }
            check_node(rec, pb, cv, node->children);
        }
    }
}

sc_status sc_check_glyphs(const sc_record *rec, const sc_fonts *fonts,
                          sc_problems *pb)
{
    int before = pb->count;
    coverage cv;
    cv.f = fonts;
    memset(cv.known, 0, sizeof cv.known);
    /* the header (company, period...) is drawn too: check it all */
    check_node(rec, pb, &cv, xmlDocGetRootElement(rec->doc));
    return pb->count > before ? SC_ERR_FONT : SC_OK;
}
