/* xmlnode.c -- small helpers over libxml2 trees that the reader, the
 * record, the coverage check and the template loader all need: children
 * by name, attributes, trimmed text, and a readable path of a node for
 * messages.  They live here, below every stage, so that no stage includes
 * another to get them. */
#include "internal.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>

xmlNodePtr sc_xml_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

xmlNodePtr sc_xml_next(xmlNodePtr n, const char *name)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
            return n;
    return NULL;
}

const char *sc_xml_attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a = n ? xmlHasProp(n, (const xmlChar *)name) : NULL;
    if (!a || !a->children || !a->children->content)
        return a ? "" : NULL;
    return (const char *)a->children->content;
}

char *sc_xml_text(xmlNodePtr n)
{
    xmlChar *c = n ? xmlNodeGetContent(n) : NULL;
    const char *s = c ? (const char *)c : "";
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    char *d = sc_strndup(s, len);
    xmlFree(c);
    return d;
}

void sc_xml_path(char *out, size_t n, xmlNodePtr node, xmlNodePtr top,
                 const char *attr_name)
{
    const char *parts[32];
    xmlNodePtr nodes[32];
    int k = 0;
    for (xmlNodePtr p = node; p && p != top && p->type == XML_ELEMENT_NODE && k < 32;
         p = p->parent) {
        parts[k] = (const char *)p->name;
        nodes[k++] = p;
    }
    size_t used = 0;
    out[0] = '\0';
    for (int i = k - 1; i >= 0; i--) {
        const char *key = NULL;
        if (!strcmp(parts[i], "kpi") || !strcmp(parts[i], "employee"))
            key = sc_xml_attr(nodes[i], "id");
        else if (!strcmp(parts[i], "category") || !strcmp(parts[i], "rater") ||
                 !strcmp(parts[i], "signature"))
            key = sc_xml_attr(nodes[i], !strcmp(parts[i], "category") ? "name" : "role");
        else if (!strcmp(parts[i], "month"))
            key = sc_xml_attr(nodes[i], "n");
        int w = snprintf(out + used, n - used, "%s%s%s%s%s", used ? "/" : "",
                         parts[i], key ? "[" : "", key ? key : "", key ? "]" : "");
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
    if (attr_name)
        snprintf(out + used, n - used, "%s@%s", used ? "/" : "", attr_name);
}

/* ---- messages about XML --------------------------------------------------
 *
 * libxml2 describes a well-formedness error in parser terms ("EntityRef:
 * expecting ';'").  The two mistakes people make most when they edit a
 * batch by hand are a bare & (R&D) and a bare < (待改进<70分) in a text;
 * these and a few other common ones are said here in the user's terms,
 * with what to write instead.  Anything else keeps libxml2's words. */
void sc_xml_explain(char *out, size_t n, int code, const char *msg)
{
    char a[128], b[128];
    int line = 0;
    if (!msg)
        msg = "not well-formed";
    if (code == XML_ERR_ENTITYREF_SEMICOL_MISSING ||
        (code == XML_ERR_NAME_REQUIRED && strstr(msg, "EntityRef")))
        snprintf(out, n, "a bare & in the text: write & as &amp; (R&D as R&amp;D)");
    else if (code == XML_ERR_NAME_REQUIRED && strstr(msg, "StartTag"))
        snprintf(out, n, "a bare < in the text: write < as &lt; "
                         "(待改进<70分 as 待改进&lt;70分)");
    else if (code == XML_ERR_LT_IN_ATTRIBUTE)
        snprintf(out, n, "a < in an attribute value: write < as &lt;");
    else if (code == XML_ERR_UNDECLARED_ENTITY &&
             sscanf(msg, "Entity '%127[^']' not defined", a) == 1)
        snprintf(out, n, "&%s; is not an entity XML knows (only &amp; &lt; &gt; "
                         "&quot; &apos; and &#NNNN;): write the character itself, "
                         "or & as &amp;", a);
    else if (code == XML_ERR_TAG_NAME_MISMATCH &&
             sscanf(msg, "Opening and ending tag mismatch: %127s line %d and %127s", a,
                    &line, b) == 3)
        snprintf(out, n, "<%s> (line %d) is closed by </%s>: an end tag repeats "
                         "its start tag's name, and elements close in the reverse "
                         "order they open", a, line, b);
    else if (code == XML_ERR_TAG_NOT_FINISHED &&
             sscanf(msg, "Premature end of data in tag %127s line %d", a, &line) == 2)
        snprintf(out, n, "the file ends inside <%s> (opened at line %d): it is cut "
                         "off, or the end tag </%s> is missing", a, line, a);
    else if (code == XML_ERR_ATTRIBUTE_NOT_STARTED || code == XML_ERR_ATTRIBUTE_WITHOUT_VALUE)
        snprintf(out, n, "an attribute value must be in quotes: name=\"value\"");
    else if (code == XML_ERR_DOCUMENT_END)
        snprintf(out, n, "there is more after the end of the root element (one root "
                         "element per file: everything goes inside it)");
    else
        snprintf(out, n, "%s", msg);
    /* libxml2's own texts end in a newline, some with the bytes on a
     * second line: one line */
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ' ';
    size_t len = strlen(out);
    while (len && out[len - 1] == ' ')
        out[--len] = '\0';
}

