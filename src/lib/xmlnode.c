/* xmlnode.c -- small helpers over libxml2 trees that the reader, the
 * record, the coverage check and the template loader all need: children
 * by name, attributes, trimmed text, and a readable path of a node for
 * messages.  They live here, below every stage, so that no stage includes
 * another to get them. */
#include "internal.h"

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
