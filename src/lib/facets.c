/* facets.c -- the data schema's datatype parameters, compiled once: a
 * quick proof that a record is valid.
 *
 * libxml2 checks a Relax NG datatype parameter (maxLength, minInclusive,
 * fractionDigits, pattern...) by making, compiling and freeing an XML
 * Schema facet for each value it checks: over half of the time it spends
 * validating a record.  So a record is first validated against the schema
 * stripped of its parameters (`bare`), and the parameters are checked
 * here, each facet compiled once per process, with the same libxml2
 * calls on the same strings as libxml2's own check.  A record that passes
 * both is valid against the schema.  One that does not is validated again
 * against the schema itself (data.c), which says what is wrong: nothing
 * here words a message, so every message stays the schema's.
 *
 * Why passing both is enough.  Where the bare validation matched a value
 * to a <data> of the schema, that <data> lies in the content of an element
 * or attribute of the value's name (found here by walking up from each
 * <data> and through every <ref> to its define).  Every parameter of every
 * <data> of any element or attribute of that name is applied to the
 * value, so the checks are stricter than the schema, never looser.  A
 * value read in a way that might differ from libxml2's (an element whose
 * text is not one text node, a namespace), or a schema construct not
 * followed here (name classes, external references, a type that depends
 * on the node), never counts as proof: the record or the whole process
 * then takes the full validation.
 *
 * Built once (data.c's process initialisation) and read-only afterwards:
 * any thread may use it. */
#include "internal.h"

#include <libxml/relaxng.h>
#include <libxml/xmlschemastypes.h>
#include <stdlib.h>
#include <string.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define XSD_NS "http://www.w3.org/2001/XMLSchema"
#define XSD_LIB "http://www.w3.org/2001/XMLSchema-datatypes"
#define MAX_RULES 256
#define MAX_PARAMS 8

/* The parameters of one <data> as they apply to one element's text or
 * one attribute's value. */
typedef struct data_rule {
    char elem[32];
    char attr[32];  /* "": the element's text */
    int list;       /* the value is a list: each item is checked */
    int or_empty;   /* an alternative of the <data> takes "" */
    xmlSchemaTypePtr type;
    xmlSchemaFacetPtr facet[MAX_PARAMS];
    int nfacets;
} data_rule;

struct sc_facets {
    xmlRelaxNGPtr bare; /* the schema without its <param>s */
    data_rule rule[MAX_RULES]; /* sorted by element name */
    int nrules;
    xmlSchemaFacetPtr made[MAX_RULES]; /* every facet, once (rules share them) */
    int nmade;
};

static int is_rng(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns &&
           xmlStrEqual(n->ns->href, BAD_CAST RNG_NS) && xmlStrEqual(n->name, BAD_CAST name);
}

static void ignore(void *ud, xmlErrorPtr e)
{
    (void)ud;
    (void)e;
}

/* ---- building ------------------------------------------------------------- */

typedef struct builder {
    sc_facets *f;
    xmlDocPtr schema;
    int ok; /* 0: the schema has something not followed here */
    /* every <ref> of the schema in document order, with its name: looked
     * up for each <define> a <data> is reached through, which walking the
     * whole schema each time made 20 M instructions of every start */
    xmlNodePtr *refs;
    xmlChar **ref_names;
    int nrefs, caprefs;
} builder;

/* The nodes named `name` under n (n and its siblings included), in
 * document order, appended to (*v)[*nv..] (grown as needed); 0 if out of
 * memory. */
static int find_all(xmlNodePtr n, const char *name, xmlNodePtr **v, int *nv, int *cap);

static xmlNodePtr first_found(xmlNodePtr n, const char *name)
{
    for (; n; n = n->next) {
        if (is_rng(n, name))
            return n;
        xmlNodePtr c = first_found(n->children, name);
        if (c)
            return c;
    }
    return NULL;
}

/* Everything refused here: the walk up from a <data> would not find
 * every place it applies to. */
static int followed(xmlNodePtr n)
{
    static const char *const refused[] = {"parentRef", "externalRef", "include", "name",
                                          "anyName", "nsName"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (first_found(n, refused[i]))
            return 0;
    return 1;
}

static void add_rule(builder *b, const data_rule *proto, const char *elem, const char *attr,
                     int list, int or_empty)
{
    if (b->f->nrules == MAX_RULES || strlen(elem) >= sizeof proto->elem ||
        strlen(attr) >= sizeof proto->attr || strchr(elem, ':') || strchr(attr, ':')) {
        b->ok = 0;
        return;
    }
    data_rule *r = &b->f->rule[b->f->nrules];
    *r = *proto;
    strcpy(r->elem, elem);
    strcpy(r->attr, attr);
    r->list = list;
    r->or_empty = or_empty && !list;
    for (int i = 0; i < b->f->nrules; i++) { /* a define used in many places */
        const data_rule *o = &b->f->rule[i];
        if (!strcmp(o->elem, r->elem) && !strcmp(o->attr, r->attr) && o->list == r->list &&
            o->or_empty == r->or_empty && o->type == r->type && o->nfacets == r->nfacets &&
            !memcmp(o->facet, r->facet, sizeof r->facet))
            return;
    }
    b->f->nrules++;
}

static void each_ref(builder *b, const char *name, const data_rule *proto, const char *attr,
                     int list, int or_empty, int depth);

/* A <choice> with an alternative that takes "" (<empty/>, or a <value>
 * of "" as a string or token). */
static int takes_empty(xmlNodePtr choice)
{
    for (xmlNodePtr c = choice->children; c; c = c->next) {
        if (is_rng(c, "empty"))
            return 1;
        if (is_rng(c, "value") && !c->children) {
            xmlChar *t = xmlGetNoNsProp(c, BAD_CAST "type");
            int ok = !t || !strcmp((const char *)t, "string") || !strcmp((const char *)t, "token");
            xmlFree(t);
            if (ok)
                return 1;
        }
    }
    return 0;
}

/* Walk up from n (inside a <data>) to the element or attribute whose
 * content it is, through every <ref> to a <define> on the way. */
static void owners(builder *b, xmlNodePtr n, const data_rule *proto, const char *attr,
                   int list, int or_empty, int depth)
{
    if (depth > 32) {
        b->ok = 0;
        return;
    }
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
        const char *name = (const char *)xmlGetNoNsProp(n, BAD_CAST "name");
        int done = 1;
        if (is_rng(n, "list")) {
            list = 1;
            done = 0;
        } else if (is_rng(n, "choice")) {
            or_empty |= takes_empty(n);
            done = 0;
        } else if (is_rng(n, "attribute")) {
            if (!name || attr)
                b->ok = 0;
            else
                owners(b, n->parent, proto, name, list, or_empty, depth + 1);
        } else if (is_rng(n, "element")) {
            if (!name)
                b->ok = 0;
            else
                add_rule(b, proto, name, attr ? attr : "", list, or_empty);
        } else if (is_rng(n, "define")) {
            if (!name)
                b->ok = 0;
            else
                each_ref(b, name, proto, attr, list, or_empty, depth);
        } else if (is_rng(n, "start") || is_rng(n, "grammar")) {
            b->ok = 0; /* a value outside every element */
        } else {
            done = 0;
        }
        xmlFree((xmlChar *)name);
        if (done)
            return;
    }
    b->ok = 0;
}

static void each_ref(builder *b, const char *name, const data_rule *proto, const char *attr,
                     int list, int or_empty, int depth)
{
    for (int i = 0; i < b->nrefs && b->ok; i++)
        if (b->ref_names[i] && !strcmp((const char *)b->ref_names[i], name))
            owners(b, b->refs[i]->parent, proto, attr, list, or_empty, depth + 1);
}

static int find_all(xmlNodePtr n, const char *name, xmlNodePtr **v, int *nv, int *cap)
{
    for (; n; n = n->next) {
        if (is_rng(n, name)) {
            if (*nv == *cap) {
                int c = *cap ? 2 * *cap : 64;
                xmlNodePtr *g = sc_realloc(*v, (size_t)c * sizeof *g);
                if (!g)
                    return 0;
                *v = g;
                *cap = c;
            }
            (*v)[(*nv)++] = n;
        }
        if (!find_all(n->children, name, v, nv, cap))
            return 0;
    }
    return 1;
}

/* A <data>'s parameters as compiled facets, as libxml2's Relax NG check
 * would make them (xmlRelaxNGSchemaFacetCheck). */
static int compile(sc_facets *fs, data_rule *r, xmlNodePtr data)
{
    static const struct {
        const char *name;
        xmlSchemaTypeType type;
    } kinds[] = {{"minInclusive", XML_SCHEMA_FACET_MININCLUSIVE},
                 {"minExclusive", XML_SCHEMA_FACET_MINEXCLUSIVE},
                 {"maxInclusive", XML_SCHEMA_FACET_MAXINCLUSIVE},
                 {"maxExclusive", XML_SCHEMA_FACET_MAXEXCLUSIVE},
                 {"totalDigits", XML_SCHEMA_FACET_TOTALDIGITS},
                 {"fractionDigits", XML_SCHEMA_FACET_FRACTIONDIGITS},
                 {"pattern", XML_SCHEMA_FACET_PATTERN},
                 {"enumeration", XML_SCHEMA_FACET_ENUMERATION},
                 {"whiteSpace", XML_SCHEMA_FACET_WHITESPACE},
                 {"length", XML_SCHEMA_FACET_LENGTH},
                 {"maxLength", XML_SCHEMA_FACET_MAXLENGTH},
                 {"minLength", XML_SCHEMA_FACET_MINLENGTH}};
    /* types whose check does not depend on the node (IDs, QNames do) */
    static const char *const types[] = {"string", "token", "normalizedString", "decimal",
                                        "integer", "nonNegativeInteger", "positiveInteger",
                                        "date", "boolean", "language"};
    xmlChar *type = xmlGetNoNsProp(data, BAD_CAST "type");
    int known = 0;
    for (size_t i = 0; type && i < sizeof types / sizeof *types; i++)
        known |= !strcmp((const char *)type, types[i]);
    r->type = known ? xmlSchemaGetPredefinedType(type, BAD_CAST XSD_NS) : NULL;
    int ok = r->type != NULL;
    for (xmlNodePtr p = data->children; ok && p; p = p->next) {
        if (!is_rng(p, "param"))
            continue;
        xmlChar *name = xmlGetNoNsProp(p, BAD_CAST "name");
        int k = -1;
        for (size_t i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
            if (!strcmp((const char *)name, kinds[i].name))
                k = (int)i;
        xmlFree(name);
        xmlSchemaFacetPtr f = k >= 0 && r->nfacets < MAX_PARAMS && fs->nmade < MAX_RULES
                                  ? xmlSchemaNewFacet()
                                  : NULL;
        if (!f) {
            ok = 0;
            break;
        }
        fs->made[fs->nmade++] = f;
        f->type = kinds[k].type;
        f->value = xmlNodeGetContent(p); /* kept for the process, as the facet */
        r->facet[r->nfacets++] = f;
        ok = f->value && xmlSchemaCheckFacet(f, r->type, NULL, type) == 0;
    }
    xmlFree(type);
    return ok;
}

static void collect(builder *b, xmlNodePtr n)
{
    for (; n && b->ok; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *lib = xmlGetNoNsProp(n, BAD_CAST "datatypeLibrary");
        xmlChar *ns = xmlGetNoNsProp(n, BAD_CAST "ns");
        if ((lib && strcmp((const char *)lib, XSD_LIB)) || (ns && ns[0]))
            b->ok = 0; /* only XML Schema's types, only names without namespace */
        xmlFree(lib);
        xmlFree(ns);
        if (is_rng(n, "data") && first_found(n->children, "param")) {
            data_rule proto;
            memset(&proto, 0, sizeof proto);
            if (!compile(b->f, &proto, n))
                b->ok = 0;
            else
                owners(b, n->parent, &proto, NULL, 0, 0, 0);
        }
        collect(b, n->children);
    }
}

/* The schema without its parameters; NULL if it does not compile. */
static xmlRelaxNGPtr strip(xmlDocPtr schema)
{
    xmlDocPtr bare = xmlCopyDoc(schema, 1);
    xmlNodePtr *params = NULL;
    int n = 0, cap = 0;
    if (bare && !find_all(xmlDocGetRootElement(bare), "param", &params, &n, &cap)) {
        xmlFreeDoc(bare);
        bare = NULL;
    }
    for (int i = 0; i < n; i++) {
        xmlUnlinkNode(params[i]);
        xmlFreeNode(params[i]);
    }
    sc_free(params);
    xmlRelaxNGParserCtxtPtr pc = bare ? xmlRelaxNGNewDocParserCtxt(bare) : NULL;
    xmlRelaxNGPtr s = NULL;
    if (pc) {
        xmlRelaxNGSetParserStructuredErrors(pc, ignore, NULL);
        s = xmlRelaxNGParse(pc);
        xmlRelaxNGFreeParserCtxt(pc);
    }
    xmlFreeDoc(bare);
    return s;
}

static int by_elem(const void *a, const void *b)
{
    return strcmp(((const data_rule *)a)->elem, ((const data_rule *)b)->elem);
}

sc_facets *sc_facets_new(xmlDocPtr schema)
{
    sc_facets *f = sc_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    builder b = {f, schema, followed(xmlDocGetRootElement(schema)), NULL, NULL, 0, 0};
    if (!find_all(xmlDocGetRootElement(schema), "ref", &b.refs, &b.nrefs, &b.caprefs) ||
        !(b.ref_names = sc_calloc((size_t)(b.nrefs ? b.nrefs : 1), sizeof *b.ref_names)))
        b.ok = 0;
    for (int i = 0; b.ok && i < b.nrefs; i++)
        b.ref_names[i] = xmlGetNoNsProp(b.refs[i], BAD_CAST "name");
    collect(&b, xmlDocGetRootElement(schema));
    for (int i = 0; b.ref_names && i < b.nrefs; i++)
        xmlFree(b.ref_names[i]);
    sc_free(b.ref_names);
    sc_free(b.refs);
    if (b.ok)
        f->bare = strip(schema);
    qsort(f->rule, (size_t)f->nrules, sizeof *f->rule, by_elem);
    if (!b.ok || !f->bare) {
        sc_facets_free(f);
        return NULL;
    }
    return f;
}

void sc_facets_free(sc_facets *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nmade; i++) {
        xmlFree((xmlChar *)f->made[i]->value);
        xmlSchemaFreeFacet(f->made[i]);
    }
    if (f->bare)
        xmlRelaxNGFree(f->bare);
    sc_free(f);
}

/* ---- checking -------------------------------------------------------------- */

/* value passes the type and every facet of r, as libxml2 checks it. */
static int value_ok(const data_rule *r, const xmlChar *value, xmlNodePtr node)
{
    xmlSchemaValPtr val = NULL;
    int ok = xmlSchemaValPredefTypeNode(r->type, value, &val, node) == 0;
    for (int k = 0; ok && k < r->nfacets; k++)
        ok = xmlSchemaValidateFacet(r->type, r->facet[k], value, val) == 0;
    xmlSchemaFreeValue(val);
    return ok;
}

static int is_blank(xmlChar c) { return c == 0x20 || c == 0x9 || c == 0xA || c == 0xD; }

/* Each item of a list (split as libxml2 splits it), or the value whole;
 * "" where an alternative takes it. */
static int rule_ok(const data_rule *r, const xmlChar *value, xmlNodePtr node)
{
    if (r->or_empty && !value[0])
        return 1;
    if (!r->list)
        return value_ok(r, value, node);
    xmlChar *items = xmlStrdup(value), *p = items;
    int ok = items != NULL;
    while (ok && *p) {
        while (is_blank(*p))
            p++;
        xmlChar *start = p;
        while (*p && !is_blank(*p))
            p++;
        int more = *p != 0;
        *p = 0;
        if (p > start)
            ok = value_ok(r, start, node);
        p += more;
    }
    xmlFree(items);
    return ok;
}

/* The text libxml2 checks against an element's <data>: NULL when it
 * could read it otherwise than here (see the top of the file); *skip
 * when no <data> can have matched (element children). */
static const xmlChar *element_value(xmlNodePtr e, int *skip)
{
    *skip = 0;
    xmlNodePtr c = e->children;
    if (!c)
        return BAD_CAST "";
    for (xmlNodePtr k = c; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE) {
            *skip = 1;
            return NULL;
        }
    if (c->next || (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
        !c->content || xmlIsBlankNode(c))
        return NULL;
    return c->content;
}

/* The first rule of element `name` (f->nrules if none). */
static int first_rule(const sc_facets *f, const char *name)
{
    int lo = 0, hi = f->nrules;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (strcmp(f->rule[mid].elem, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int element_ok(const sc_facets *f, xmlNodePtr e)
{
    if (e->ns)
        return 0;
    for (int i = first_rule(f, (const char *)e->name);
         i < f->nrules && !strcmp(f->rule[i].elem, (const char *)e->name); i++) {
        const data_rule *r = &f->rule[i];
        if (!r->attr[0]) {
            int skip;
            const xmlChar *v = element_value(e, &skip);
            if (!skip && (!v || !rule_ok(r, v, e)))
                return 0;
            continue;
        }
        for (xmlAttrPtr a = e->properties; a; a = a->next) {
            if (a->ns || strcmp(r->attr, (const char *)a->name))
                continue;
            xmlChar *v = xmlNodeListGetString(e->doc, a->children, 1);
            int ok = rule_ok(r, v ? v : BAD_CAST "", (xmlNodePtr)a);
            xmlFree(v);
            if (!ok)
                return 0;
        }
    }
    for (xmlNodePtr c = e->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !element_ok(f, c))
            return 0;
    return 1;
}

int sc_facets_valid(const sc_facets *f, xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!f || !root)
        return 0;
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(f->bare);
    if (!vc)
        return 0;
    xmlRelaxNGSetValidStructuredErrors(vc, ignore, NULL);
    int ok = xmlRelaxNGValidateDoc(vc, doc) == 0;
    xmlRelaxNGFreeValidCtxt(vc);
    return ok && element_ok(f, root);
}
