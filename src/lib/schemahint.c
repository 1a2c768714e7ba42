/* schemahint.c -- what a Relax NG schema expects, so that a message can
 * say what was meant instead of what the validator tripped on.
 *
 * libxml2's validator says "Expecting element cell, got cel" or "Invalid
 * attribute base for element bonus"; the schema knows more: the names an
 * element and its attributes may have, the values an attribute takes.
 * This file reads them from the schema text itself (the same embedded
 * schema that validates), so a hint can never disagree with the rules:
 * the closest name to a typo, the allowed values, an attribute the
 * element does not take.  (Which element is missing or out of order is
 * data.c's, from the same schema's sequences.)  Only messages use it;
 * validation stays libxml2's. */
#include "internal.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Levenshtein distance of a and b (bytes), for suggestions; short words
 * only (names), so the quadratic table stays small. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            /* a swap of two neighbours is one typo */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

int sc_suggest(const char *word, const char *const *cands, int ncands, char *out,
               size_t n)
{
    int best = 99, ties = 0;
    const char *pick = NULL;
    for (int i = 0; word && i < ncands; i++) {
        if (!cands[i] || !strcmp(cands[i], word))
            continue;
        if (!strcasecmp(cands[i], word)) { /* P4 for p4: that one */
            snprintf(out, n, "%s", cands[i]);
            return 1;
        }
        int dist = edit_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
            ties = 0;
        } else if (dist == best && pick && strcmp(cands[i], pick)) {
            ties++;
        }
    }
    if (ties)
        return 0; /* p4 among p1, p2, p3: no one is meant more than another */
    /* close enough to be a typo: one edit in a short name, a third of a
     * longer one */
    size_t len = word ? strlen(word) : 0;
    int limit = len <= 4 ? 1 : (int)(len / 3) > 2 ? (int)(len / 3) : 2;
    if (!pick || best > limit)
        return 0;
    snprintf(out, n, "%s", pick);
    return 1;
}

static void collect_names(xmlNodePtr n, const char *kind, const char **v, int *nv, int cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)n->name, kind)) {
            const char *nm = sc_xml_attr(n, "name");
            int seen = 0;
            for (int i = 0; nm && i < *nv && !seen; i++)
                seen = !strcmp(v[i], nm);
            if (nm && !seen && *nv < cap)
                v[(*nv)++] = nm;
        }
        collect_names(n->children, kind, v, nv, cap);
    }
}

/* The names the schema rng[0..len) declares as kind, into names[0..cap);
 * the strings live in *doc, which the caller frees. */
static int schema_names(const unsigned char *rng, size_t len, const char *kind,
                        xmlDocPtr *doc, const char **names, int cap)
{
    *doc = xmlReadMemory((const char *)rng, (int)len, "schema.rng", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    int nn = 0;
    if (*doc)
        collect_names(xmlDocGetRootElement(*doc), kind, names, &nn, cap);
    return nn;
}

int sc_schema_suggest(const unsigned char *rng, size_t len, const char *kind,
                      const char *word, char *out, size_t n)
{
    xmlDocPtr doc;
    const char *names[512];
    int nn = schema_names(rng, len, kind, &doc, names, 512);
    int found = sc_suggest(word, names, nn, out, n);
    xmlFreeDoc(doc);
    return found;
}

int sc_schema_has(const unsigned char *rng, size_t len, const char *kind, const char *name)
{
    xmlDocPtr doc;
    const char *names[512];
    int nn = schema_names(rng, len, kind, &doc, names, 512), found = 0;
    for (int i = 0; i < nn && !found; i++)
        found = !strcmp(names[i], name);
    xmlFreeDoc(doc);
    return found;
}

/* ---- walking the schema ------------------------------------------------- */

static int is_rng(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr find_define(xmlNodePtr root, const char *name)
{
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
        if (is_rng(c, "define")) {
            const char *nm = sc_xml_attr(c, "name");
            if (nm && !strcmp(nm, name))
                return c;
        }
    return NULL;
}

static void all_elements(xmlNodePtr n, const char *name, xmlNodePtr *v, int *nv, int cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_rng(n, "element")) {
            const char *nm = sc_xml_attr(n, "name");
            if (nm && !strcmp(nm, name) && *nv < cap)
                v[(*nv)++] = n;
        }
        all_elements(n->children, name, v, nv, cap);
    }
}

/* ---- the values an attribute takes -------------------------------------- */

/* The <value>s of the attribute patterns called attr directly in pattern p
 * (not inside a child element). */
static void attr_values(xmlNodePtr root, xmlNodePtr p, const char *attr, const char **v,
                        int *nv, int cap, int in_attr, int depth)
{
    if (depth > 16)
        return;
    for (xmlNodePtr c = p ? p->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_rng(c, "element"))
            continue;
        if (is_rng(c, "attribute")) {
            const char *nm = sc_xml_attr(c, "name");
            if (nm && !strcmp(nm, attr))
                attr_values(root, c, attr, v, nv, cap, 1, depth + 1);
        } else if (in_attr && is_rng(c, "value")) {
            xmlNodePtr t = c->children;
            const char *val = t && t->type == XML_TEXT_NODE ? (const char *)t->content : NULL;
            if (val && val[0] && *nv < cap)
                v[(*nv)++] = val;
        } else if (is_rng(c, "ref")) {
            const char *nm = sc_xml_attr(c, "name");
            attr_values(root, nm ? find_define(root, nm) : NULL, attr, v, nv, cap, in_attr,
                        depth + 1);
        } else {
            attr_values(root, c, attr, v, nv, cap, in_attr, depth + 1);
        }
    }
}

int sc_schema_enum(const unsigned char *rng, size_t len, const char *elem, const char *attr,
                   const char *value, char *out, size_t n)
{
    xmlDocPtr doc = xmlReadMemory((const char *)rng, (int)len, "schema.rng", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr defs[16];
    int nd = 0, nv = 0, said = 0;
    const char *v[64];
    if (root)
        all_elements(root, elem, defs, &nd, 16);
    for (int i = 0; i < nd; i++)
        attr_values(root, defs[i], attr, v, &nv, 64, 0, 0);
    int known = 0;
    for (int i = 0; i < nv && !known; i++)
        known = !strcmp(v[i], value);
    if (nv > 0 && !known) {
        size_t used = (size_t)snprintf(out, n, "one of");
        for (int i = 0; i < nv && used < n; i++) {
            int dup = 0;
            for (int j = 0; j < i && !dup; j++)
                dup = !strcmp(v[j], v[i]);
            if (!dup)
                used += (size_t)snprintf(out + used, n - used, "%s %s", i ? "," : ":", v[i]);
        }
        char best[64];
        if (used < n && sc_suggest(value, v, nv, best, sizeof best))
            snprintf(out + used, n - used, "; did you mean %s?", best);
        said = 1;
    }
    xmlFreeDoc(doc);
    return said;
}

/* The attribute names pattern p declares directly (not in child elements). */
static void attr_names(xmlNodePtr root, xmlNodePtr p, const char **v, int *nv, int cap,
                       int depth)
{
    if (depth > 16)
        return;
    for (xmlNodePtr c = p ? p->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_rng(c, "element"))
            continue;
        if (is_rng(c, "attribute")) {
            const char *nm = sc_xml_attr(c, "name");
            if (nm && *nv < cap)
                v[(*nv)++] = nm;
        } else if (is_rng(c, "ref")) {
            const char *nm = sc_xml_attr(c, "name");
            attr_names(root, nm ? find_define(root, nm) : NULL, v, nv, cap, depth + 1);
        } else {
            attr_names(root, c, v, nv, cap, depth + 1);
        }
    }
}

/* 1 if pattern p refers to the define called name (not counting child
 * elements' content). */
static int has_ref(xmlNodePtr p, const char *name)
{
    for (xmlNodePtr c = p ? p->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_rng(c, "element"))
            continue;
        const char *nm = is_rng(c, "ref") ? sc_xml_attr(c, "name") : NULL;
        if ((nm && !strcmp(nm, name)) || has_ref(c, name))
            return 1;
    }
    return 0;
}

/* 1 if element pattern def sits in an element pattern called parent, or
 * in a define that one references. */
static int declared_in(xmlNodePtr root, xmlNodePtr def, const char *parent)
{
    xmlNodePtr p = def->parent;
    while (p && p->type == XML_ELEMENT_NODE && !is_rng(p, "element") && !is_rng(p, "define"))
        p = p->parent;
    if (!p || p->type != XML_ELEMENT_NODE)
        return 0;
    if (is_rng(p, "element")) {
        const char *nm = sc_xml_attr(p, "name");
        return nm && !strcmp(nm, parent);
    }
    /* a define: is it referenced from inside an element called parent? */
    const char *dn = sc_xml_attr(p, "name");
    xmlNodePtr parents[16];
    int np = 0;
    all_elements(root, parent, parents, &np, 16);
    for (int i = 0; dn && i < np; i++)
        if (has_ref(parents[i], dn))
            return 1;
    return 0;
}

int sc_schema_attr_unknown(const unsigned char *rng, size_t len, xmlNodePtr node,
                           const char *attr, char *out, size_t n)
{
    xmlDocPtr doc = xmlReadMemory((const char *)rng, (int)len, "schema.rng", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr defs[16];
    int nd = 0, said = 0, best = -1;
    const char *pick[64];
    int npick = 0;
    if (root && node)
        all_elements(root, (const char *)node->name, defs, &nd, 16);
    /* the declaration that fits: inside the right parent, most of the
     * node's attributes known */
    for (int i = 0; i < nd; i++) {
        const char *v[64];
        int nv = 0, fit = 0;
        if (node->parent && node->parent->type == XML_ELEMENT_NODE &&
            declared_in(root, defs[i], (const char *)node->parent->name))
            fit += 100;
        attr_names(root, defs[i], v, &nv, 64, 0);
        for (xmlAttrPtr a = node->properties; a; a = a->next)
            for (int j = 0; j < nv; j++)
                fit += !strcmp(v[j], (const char *)a->name);
        if (fit > best) {
            best = fit;
            memcpy(pick, v, (size_t)nv * sizeof *v);
            npick = nv;
        }
    }
    int known = 0;
    for (int j = 0; j < npick && !known; j++)
        known = !strcmp(pick[j], attr);
    if (best >= 0 && !known) {
        char near[64];
        if (sc_suggest(attr, pick, npick, near, sizeof near))
            snprintf(out, n, "attribute %s is not allowed on <%s>; did you mean %s?", attr,
                     (const char *)node->name, near);
        else {
            /* no near name: say what the element does take */
            int k = snprintf(out, n, "attribute %s is not allowed on <%s>", attr,
                             (const char *)node->name);
            for (int j = 0; j < npick && k > 0 && (size_t)k < n; j++)
                k += snprintf(out + k, n - (size_t)k, "%s%s", j ? ", " : "; it takes ",
                              pick[j]);
        }
        said = 1;
    }
    xmlFreeDoc(doc);
    return said;
}

/* ---- names in a template's paths ------------------------------------------ */

extern const unsigned char sc_schema_data[];
extern const size_t sc_schema_data_len;

/* What the reader and the scoring engine write into a record beyond the
 * data format (docs/scoring.md, "What the engine writes into the record"). */
static const char *const computed_elems[] = {"result", "scheme-rule"};
static const char *const computed_attrs[] = {
    "computed-score", "subtotal", "composite", "rule-type", "kpi-sum", "adjustments",
    "raters", "total", "grade", "bonus", "year-bonus", "year-total", "counted", "carry-in",
    "covered", "made-up", "bonus-base", "own-bonus", "made-up-bonus", "accrued",
    "coefficient", "factor", "withheld", "owed", "carry", "floating", "accrued-total",
    "amount-total", "withheld-total", "quarter-bonus", "quarters-bonus"};

static int is_name_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static int is_name_char(int c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* A known name that is only there when the scheme declares what computes
 * it: a sheet whose 等级 stays blank because its scheme has no <grades>
 * is told so, not only that the select found nothing. */
static int declared_by_scheme(const char *xpath, char *out, size_t n)
{
    static const struct {
        const char *name, *by;
    } from[] = {{"grade", "<grades>"}};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        size_t k = strlen(from[i].name);
        for (const char *p = strstr(xpath, from[i].name); p; p = strstr(p + 1, from[i].name)) {
            int before = p > xpath && (is_name_char((unsigned char)p[-1]) || p[-1] == '/');
            if (before || is_name_char((unsigned char)p[k]) || p[k] == '/')
                continue; /* part of another name or of a longer path */
            snprintf(out, n, "%s is computed only when the scheme declares %s",
                     from[i].name, from[i].by);
            return 1;
        }
    }
    return 0;
}

int sc_path_hint(const char *xpath, char *out, size_t n)
{
    xmlDocPtr de = NULL, da = NULL;
    const char *elems[600], *attrs[600];
    int ne = schema_names(sc_schema_data, sc_schema_data_len, "element", &de, elems, 560);
    int na = schema_names(sc_schema_data, sc_schema_data_len, "attribute", &da, attrs, 560);
    for (size_t i = 0; i < sizeof computed_elems / sizeof *computed_elems; i++)
        elems[ne++] = computed_elems[i];
    for (size_t i = 0; i < sizeof computed_attrs / sizeof *computed_attrs; i++)
        attrs[na++] = computed_attrs[i];
    static const char *const words[] = {"and", "or", "div", "mod", "text", "node"};
    int said = 0;
    for (const char *p = xpath; p && *p && !said;) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'' || c == '"') { /* a literal */
            const char *q = strchr(p + 1, c);
            p = q ? q + 1 : p + strlen(p);
            continue;
        }
        if (c == '$' || (c >= '0' && c <= '9')) { /* a variable, a number */
            p++;
            while (*p && is_name_char((unsigned char)*p))
                p++;
            continue;
        }
        if (!is_name_start(c)) {
            p++;
            continue;
        }
        int attr = p > xpath && p[-1] == '@';
        const char *start = p;
        while (*p && is_name_char((unsigned char)*p))
            p++;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(p - start), start);
        const char *q = p;
        while (*q == ' ')
            q++;
        if (*q == '(' || (q[0] == ':' && q[1] == ':'))
            continue; /* a function or an axis */
        int skip = 0;
        for (size_t i = 0; i < sizeof words / sizeof *words; i++)
            skip |= !strcmp(name, words[i]);
        const char **v = attr ? attrs : elems;
        int nv = attr ? na : ne, known = 0;
        for (int i = 0; i < nv && !known; i++)
            known = !strcmp(v[i], name);
        if (skip || known)
            continue;
        char near[64];
        if (sc_suggest(name, v, nv, near, sizeof near))
            snprintf(out, n, "the data has no %s%s%s%s; did you mean %s%s%s?",
                     attr ? "attribute @" : "element <", name, attr ? "" : ">", "",
                     attr ? "@" : "<", near, attr ? "" : ">");
        else
            snprintf(out, n, "the data has no %s%s%s", attr ? "attribute @" : "element <",
                     name, attr ? "" : ">");
        said = 1;
    }
    xmlFreeDoc(de);
    xmlFreeDoc(da);
    return said || declared_by_scheme(xpath, out, n);
}
