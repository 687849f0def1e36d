/* svg.c - baking into SVG with libxml2: a guarded parse (no network, no DTD
 * loading, no entities at all), finding the <openbadges:credential> (OB 3.0)
 * or <openbadges:assertion> (OB 2.0) element, and writing a document whose
 * root <svg> has exactly one such element as its first child.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "bake/bake_int.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define OB_PREFIX "openbadges"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* --- guarded parsing ------------------------------------------------------------
 * libxml2 is never asked to substitute entities (no XML_PARSE_NOENT), to load a
 * DTD (no XML_PARSE_DTDLOAD, and the external-subset hook is removed) or to
 * use the network (XML_PARSE_NONET). On top of that the SAX hooks for entity
 * declarations and entity references stop the parser at the first one, so a
 * billion-laughs document is refused at its first <!ENTITY>, before any
 * reference is seen, and an undeclared reference (which libxml2 lets pass when
 * an external DTD is named) is refused too. */

struct guard {
    size_t nodes;           /* elements, attributes, namespace declarations, comments,
                             * processing instructions and CDATA sections so far */
    bool too_many;          /* nodes passed MC_BAKE_MAX_SVG_NODES */
    bool entity_decl;       /* an <!ENTITY ...> was seen */
    bool entity_ref;        /* a reference to a non-predefined entity was seen */
    char name[64];          /* which entity */
    int line;               /* where */
    char first_err[160];    /* libxml2's first error message, trimmed */
    int err_line;
};

static struct guard *guard_of(void *ctx)
{
    return ((xmlParserCtxtPtr)ctx)->_private;
}

static int line_of(void *ctx)
{
    xmlParserCtxtPtr c = ctx;

    return c->input ? c->input->line : 0;
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    struct guard *g = guard_of(ctx);

    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    if (!g->entity_decl && !g->entity_ref) {
        g->entity_decl = true;
        mc_strlcpy(g->name, name ? (const char *)name : "", sizeof(g->name));
        g->line = line_of(ctx);
    }
    xmlStopParser(ctx);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
    (void)notation;
    on_entity_decl(ctx, name, 0, public_id, system_id, NULL);
}

static void on_reference(void *ctx, const xmlChar *name)
{
    struct guard *g = guard_of(ctx);

    if (!g->entity_decl && !g->entity_ref) {
        g->entity_ref = true;
        mc_strlcpy(g->name, name ? (const char *)name : "", sizeof(g->name));
        g->line = line_of(ctx);
    }
    xmlStopParser(ctx);
}

/* Count what becomes a tree node; past the cap, stop. Every node costs a
 * hundred bytes or more for a few bytes of input, so the cap, not the input
 * size, is what bounds the tree's memory. */
static bool count(void *ctx, size_t n)
{
    struct guard *g = guard_of(ctx);

    g->nodes += n;
    if (g->nodes <= MC_BAKE_MAX_SVG_NODES)
        return true;
    if (!g->too_many) {
        g->too_many = true;
        g->line = line_of(ctx);
    }
    xmlStopParser(ctx);
    return false;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    if (count(ctx, 1 + (size_t)nb_namespaces + (size_t)nb_attributes))
        xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                              nb_attributes, nb_defaulted, attributes);
}

static void on_comment(void *ctx, const xmlChar *value)
{
    if (count(ctx, 1))
        xmlSAX2Comment(ctx, value);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    if (count(ctx, 1))
        xmlSAX2ProcessingInstruction(ctx, target, data);
}

static void on_cdata(void *ctx, const xmlChar *value, int len)
{
    if (count(ctx, 1))
        xmlSAX2CDataBlock(ctx, value, len);
}

#if LIBXML_VERSION >= 21200
static void on_error(void *ctx, const xmlError *e)
#else
static void on_error(void *ctx, xmlErrorPtr e)
#endif
{
    struct guard *g = guard_of(ctx);
    size_t n;

    if (!e)
        return;
    if ((e->code == XML_ERR_UNDECLARED_ENTITY || e->code == XML_WAR_UNDECLARED_ENTITY) &&
        !g->entity_decl && !g->entity_ref) {
        /* an undeclared reference in an attribute value: libxml2 drops it */
        g->entity_ref = true;
        mc_strlcpy(g->name, e->str1 ? e->str1 : "", sizeof(g->name));
        g->line = e->line;
    }
    if (g->first_err[0] || e->level < XML_ERR_ERROR || !e->message)
        return;
    mc_strlcpy(g->first_err, e->message, sizeof(g->first_err));
    n = strlen(g->first_err);
    while (n && (g->first_err[n - 1] == '\n' || g->first_err[n - 1] == ' '))
        g->first_err[--n] = '\0';
    g->err_line = e->line;
}

static bool is_svg_root(xmlNodePtr root)
{
    if (!root || root->type != XML_ELEMENT_NODE || strcmp((const char *)root->name, "svg") != 0)
        return false;
    return !root->ns || (root->ns->href && strcmp((const char *)root->ns->href, SVG_NS) == 0);
}

/* Parse p[0..n) into *out (owned: xmlFreeDoc) with the guards above. */
static mcred_rc parse(const unsigned char *p, size_t n, xmlDocPtr *out, struct mc_err *err)
{
    struct guard g;
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    xmlNodePtr root;
    bool well_formed;

    *out = NULL;
    pthread_once(&xml_once, xml_init);
    memset(&g, 0, sizeof(g));
    ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return MCRED_ERR_NOMEM;
    ctxt->_private = &g;
    ctxt->sax->entityDecl = on_entity_decl;
    ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
    ctxt->sax->reference = on_reference;
    ctxt->sax->externalSubset = NULL;   /* never read the external DTD */
    ctxt->sax->serror = on_error;
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->comment = on_comment;
    ctxt->sax->processingInstruction = on_pi;
    ctxt->sax->cdataBlock = on_cdata;
    doc = xmlCtxtReadMemory(ctxt, (const char *)p, (int)n, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    well_formed = ctxt->wellFormed != 0;
    xmlFreeParserCtxt(ctxt);
    if (g.too_many || g.entity_decl || g.entity_ref || !doc || !well_formed) {
        xmlFreeDoc(doc);
        if (g.too_many)
            return mc_err_set(err, MCRED_ERR_LIMIT,
                              "svg: more than %d elements, attributes and other nodes (by line "
                              "%d)", MC_BAKE_MAX_SVG_NODES, g.line);
        if (g.entity_decl)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "svg: line %d declares the entity '%s'; documents with entity "
                              "declarations are refused (they are never expanded)", g.line,
                              g.name);
        if (g.entity_ref)
            return mc_err_set(err, MCRED_ERR_INVALID,
                              "svg: line %d refers to the entity '&%s;', which is not declared "
                              "here and is never loaded or expanded", g.line, g.name);
        if (!doc && !g.first_err[0])
            return MCRED_ERR_NOMEM;
        return mc_err_set(err, MCRED_ERR_INVALID, "svg: not well-formed XML: line %d: %s",
                          g.err_line, g.first_err[0] ? g.first_err : "parse error");
    }
    root = xmlDocGetRootElement(doc);
    if (!is_svg_root(root)) {
        mc_err_set(err, MCRED_ERR_INVALID, "svg: the root element is <%.64s>, not an SVG <svg>",
                   root ? (const char *)root->name : "(none)");
        xmlFreeDoc(doc);
        return MCRED_ERR_INVALID;
    }
    *out = doc;
    return MCRED_OK;
}

/* --- finding the element -------------------------------------------------------- */

/* The node after cur in document order, not descending into cur. */
static xmlNodePtr after(xmlNodePtr cur, xmlNodePtr root)
{
    while (cur && cur != root) {
        if (cur->next)
            return cur->next;
        cur = cur->parent;
    }
    return NULL;
}

/* The node after cur in document order, within root. */
static xmlNodePtr next_node(xmlNodePtr cur, xmlNodePtr root)
{
    if (cur->type == XML_ELEMENT_NODE && cur->children)
        return cur->children;
    return after(cur, root);
}

/* 3 for an OB 3.0 <openbadges:credential>, 2 for an OB 2.0
 * <openbadges:assertion>, else 0. Namespaces decide; an undeclared
 * "openbadges:" prefix is read leniently by its name. */
static int baked_version(xmlNodePtr el)
{
    const char *name = (const char *)el->name;

    if (el->type != XML_ELEMENT_NODE)
        return 0;
    if (el->ns && el->ns->href) {
        if (strcmp((const char *)el->ns->href, MC_BAKE_OB3_NS) == 0 &&
            strcmp(name, "credential") == 0)
            return 3;
        if (strcmp((const char *)el->ns->href, MC_BAKE_OB2_NS) == 0 &&
            strcmp(name, "assertion") == 0)
            return 2;
        return 0;
    }
    if (strcmp(name, OB_PREFIX ":credential") == 0)
        return 3;
    if (strcmp(name, OB_PREFIX ":assertion") == 0)
        return 2;
    return 0;
}

static const char *where_of(int version, bool attr)
{
    if (version == 3)
        return attr ? "SVG <openbadges:credential verify> attribute"
                    : "SVG <openbadges:credential> element";
    return attr ? "SVG <openbadges:assertion verify> attribute"
                : "SVG <openbadges:assertion> element";
}

/* The text and CDATA children of el, concatenated (libxml2 splits a CDATA
 * holding "]]>" in two). */
static mcred_rc body_text(xmlNodePtr el, struct mc_buf *b, const char *where, struct mc_err *err)
{
    xmlNodePtr c;
    mcred_rc rc;

    for (c = el->children; c; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
            continue;
        rc = mc_buf_appends(b, (const char *)c->content);
        if (rc == MCRED_ERR_LIMIT)
            return mc_err_set(err, rc, "the %s holds more than %zu bytes", where, b->max);
        if (rc)
            return rc;
    }
    return MCRED_OK;
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

/* The credential of el (version 3 or 2) into out. OB 3.0: the verify
 * attribute when it has one (VC-JWT), else the body; OB 2.0: the body when
 * it has one (the assertion), else verify (a JWS or the hosted URL). */
static mcred_rc extract(xmlNodePtr el, int version, struct mc_baked *out, struct mc_err *err)
{
    xmlChar *verify = xmlGetNoNsProp(el, (const xmlChar *)"verify");
    struct mc_buf body;
    bool use_attr;
    mcred_rc rc;

    mc_buf_init(&body, MC_BAKE_MAX_TEXT);
    rc = body_text(el, &body, where_of(version, false), err);
    if (rc)
        goto out;
    if (version == 3)
        use_attr = verify && !blank((const char *)verify);
    else
        use_attr = verify && (!body.ptr || blank(body.ptr));
    if (use_attr)
        rc = mc_bake_found(out, MC_BAKE_IMAGE_SVG, version, where_of(version, true),
                           (const char *)verify, strlen((const char *)verify), true, err);
    else
        rc = mc_bake_found(out, MC_BAKE_IMAGE_SVG, version, where_of(version, false),
                           body.ptr ? body.ptr : "", body.len, true, err);
out:
    mc_buf_release(&body);
    xmlFree(verify);
    return rc;
}

mcred_rc mc_bake_svg_read(const unsigned char *p, size_t n, struct mc_baked *out,
                          struct mc_err *err)
{
    xmlDocPtr doc;
    xmlNodePtr root, cur, found[4] = { NULL, NULL, NULL, NULL };
    int v;
    mcred_rc rc;

    memset(out, 0, sizeof(*out));
    rc = parse(p, n, &doc, err);
    if (rc)
        return rc;
    root = xmlDocGetRootElement(doc);
    for (cur = root; cur; cur = next_node(cur, root)) {
        if (cur->type == XML_ENTITY_REF_NODE) {
            rc = mc_err_set(err, MCRED_ERR_INVALID, "svg: line %ld refers to an entity",
                            xmlGetLineNo(cur));
            goto out;
        }
        v = baked_version(cur);
        if (!v)
            continue;
        if (found[v]) {
            rc = mc_err_set(err, MCRED_ERR_INVALID,
                            "svg: two %ss (lines %ld and %ld); an image carries one credential",
                            where_of(v, false) + 4, xmlGetLineNo(found[v]), xmlGetLineNo(cur));
            goto out;
        }
        found[v] = cur;
    }
    if (found[3])
        rc = extract(found[3], 3, out, err);
    else if (found[2])
        rc = extract(found[2], 2, out, err);
    else
        rc = mc_err_set(err, MCRED_ERR_NOTFOUND,
                        "svg: no credential is baked in (no <openbadges:credential> or "
                        "<openbadges:assertion> element)");
out:
    xmlFreeDoc(doc);
    return rc;
}

/* --- writing ------------------------------------------------------------------------ */

/* Remove every baked element of either version. */
static void remove_baked(xmlNodePtr root)
{
    xmlNodePtr cur = root->children, next;

    while (cur) {
        if (baked_version(cur)) {
            next = after(cur, root);
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        } else {
            next = next_node(cur, root);
        }
        cur = next;
    }
}

/* Whether any element or attribute under root (root included) uses ns. */
static bool ns_in_use(xmlNodePtr root, xmlNsPtr ns)
{
    xmlNodePtr cur;
    xmlAttrPtr a;

    for (cur = root; cur; cur = next_node(cur, root)) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (cur->ns == ns)
            return true;
        for (a = cur->properties; a; a = a->next) {
            if (a->ns == ns)
                return true;
        }
    }
    return false;
}

/* The namespace for the new element, declared on the root the way the spec
 * shows (xmlns:openbadges on <svg>). When the root already binds the prefix
 * to something else, that binding is re-pointed if nothing uses it (an old
 * OB 2.0 binding, after its element is gone); otherwise *local asks the
 * caller to declare the namespace on the element itself. */
static xmlNsPtr root_ns(xmlNodePtr root, const char *href, bool *local)
{
    xmlNsPtr d, taken = NULL;

    *local = false;
    for (d = root->nsDef; d; d = d->next) {
        /* reuse a binding only under a prefix that reads back as one (an NCName) */
        if (d->prefix && d->href && strcmp((const char *)d->href, href) == 0 &&
            xmlValidateNCName(d->prefix, 0) == 0)
            return d;
        if (d->prefix && strcmp((const char *)d->prefix, OB_PREFIX) == 0)
            taken = d;
    }
    if (!taken)
        return xmlNewNs(root, (const xmlChar *)href, (const xmlChar *)OB_PREFIX);
    if (!ns_in_use(root, taken)) {
        xmlChar *h = xmlStrdup((const xmlChar *)href);

        if (!h)
            return NULL;
        xmlFree((xmlChar *)(uintptr_t)taken->href);
        taken->href = h;
        return taken;
    }
    *local = true;
    return NULL;
}

/* The new element: <openbadges:credential> or <openbadges:assertion>. */
static xmlNodePtr new_element(xmlDocPtr doc, xmlNodePtr root, const struct mc_bake_text *t)
{
    const char *href = t->version == 3 ? MC_BAKE_OB3_NS : MC_BAKE_OB2_NS;
    const char *name = t->version == 3 ? "credential" : "assertion";
    const char *verify = NULL;
    char *text = NULL;
    xmlNodePtr el, cdata;
    xmlNsPtr ns;
    bool local, ok = true;

    ns = root_ns(root, href, &local);
    if (!ns && !local)
        return NULL;
    el = xmlNewDocNode(doc, ns, (const xmlChar *)name, NULL);
    if (!el)
        return NULL;
    if (local) {
        ns = xmlNewNs(el, (const xmlChar *)href, (const xmlChar *)OB_PREFIX);
        if (!ns) {
            xmlFreeNode(el);
            return NULL;
        }
        xmlSetNs(el, ns);
    }
    if (t->form == MC_BAKE_FORM_JSON) {
        cdata = xmlNewCDataBlock(doc, (const xmlChar *)t->p, (int)t->n);
        ok = cdata && xmlAddChild(el, cdata);
        if (cdata && !ok)
            xmlFreeNode(cdata);
        verify = t->hosted_url;   /* OB 2.0: verify= the hosted URL next to the JSON */
    } else {
        text = mc_strndup(t->p, t->n);
        verify = text;
        ok = text != NULL;
    }
    if (ok && verify)
        ok = xmlSetProp(el, (const xmlChar *)"verify", (const xmlChar *)verify) != NULL;
    mc_free(text);
    if (!ok) {
        xmlFreeNode(el);
        return NULL;
    }
    return el;
}

mcred_rc mc_bake_svg_write(const unsigned char *p, size_t n, const struct mc_bake_text *t,
                           struct mc_buf *out, struct mc_err *err)
{
    xmlDocPtr doc;
    xmlNodePtr root, el;
    xmlChar *mem = NULL;
    int size = 0;
    mcred_rc rc;

    rc = parse(p, n, &doc, err);
    if (rc)
        return rc;
    root = xmlDocGetRootElement(doc);
    remove_baked(root);
    el = new_element(doc, root, t);
    if (!el) {
        xmlFreeDoc(doc);
        return MCRED_ERR_NOMEM;
    }
    if (!(root->children ? xmlAddPrevSibling(root->children, el) : xmlAddChild(root, el))) {
        xmlFreeNode(el);
        xmlFreeDoc(doc);
        return MCRED_ERR_NOMEM;
    }
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    xmlFreeDoc(doc);
    if (!mem || size < 0)
        rc = MCRED_ERR_NOMEM;
    else if ((size_t)size > MC_BAKE_MAX_IMAGE)
        rc = mc_err_set(err, MCRED_ERR_LIMIT,
                        "svg: the baked image would be %d bytes, more than the limit of %zu",
                        size, MC_BAKE_MAX_IMAGE);
    else
        rc = mc_buf_append(out, mem, (size_t)size);
    xmlFree(mem);
    return rc;
}
