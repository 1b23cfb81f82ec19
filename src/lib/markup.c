/* HTML -> readable text with libxml2's HTML parser.
 *
 * Detection is a single allocation-free scan for real tags.  Extraction
 * parses with libxml2 (recovering from broken markup), then walks the tree
 * iteratively, dropping non-content subtrees (scripts, navigation, ads,
 * related-link lists, ruby annotations) and turning block boundaries into
 * line breaks.  See the comment above struct cont for the one place where the
 * parse itself is observed (formatting elements that outlive their block),
 * and the one above MAX_DEPTH for how deep nesting keeps its text. */
#include "stages.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* ---- element table ------------------------------------------------------- */

enum {
    T_BLOCK = 1 << 0,  /* line break before and after */
    T_SKIP = 1 << 1,   /* whole subtree is not content */
    T_BR = 1 << 2,     /* hard line break */
    T_PRE = 1 << 3,    /* whitespace is significant inside */
    T_LIST = 1 << 4,   /* candidate for the link-list rule */
    T_ADBOX = 1 << 5,  /* candidate for the "Ad:" label rule */
    T_FMT = 1 << 6,    /* HTML formatting element (see struct cont) */
    T_WORD = 1 << 7,   /* name is also an everyday word: detection wants more
                        * than a bare "<name>" (e.g. "<Time>杂志", "<Meta>") */
    T_MAIN = 1 << 8,   /* page/article container: never dropped by class */
};

struct tag {
    const char *name;
    unsigned flags;
};

/* Sorted by strcmp (bsearch).  Names not listed are unknown to detection and
 * behave as inline elements during extraction. */
static const struct tag tags[] = {
    {"a", T_WORD},
    {"abbr", T_WORD},
    {"address", T_BLOCK | T_WORD},
    {"applet", T_SKIP | T_WORD},
    {"area", T_WORD},
    {"article", T_BLOCK | T_WORD | T_MAIN},
    {"aside", T_BLOCK | T_SKIP | T_WORD},
    {"audio", T_SKIP | T_WORD},
    {"b", T_FMT | T_WORD},
    {"base", T_WORD},
    {"basefont", T_WORD},
    {"bdi", 0},
    {"bdo", 0},
    {"big", T_FMT | T_WORD},
    {"blockquote", T_BLOCK},
    {"body", T_BLOCK | T_MAIN},
    {"br", T_BR},
    {"button", T_SKIP | T_WORD},
    {"canvas", T_SKIP | T_WORD},
    {"caption", T_BLOCK | T_WORD},
    {"center", T_BLOCK | T_ADBOX | T_WORD},
    {"cite", T_WORD},
    {"code", T_FMT | T_WORD},
    {"col", T_WORD},
    {"colgroup", 0},
    {"data", T_WORD},
    {"datalist", T_SKIP | T_WORD},
    {"dd", T_BLOCK},
    {"del", T_WORD},
    {"details", T_BLOCK | T_WORD},
    {"dfn", T_WORD},
    {"dialog", T_BLOCK | T_WORD},
    {"dir", T_BLOCK | T_LIST | T_WORD},
    {"div", T_BLOCK | T_ADBOX},
    {"dl", T_BLOCK},
    {"dt", T_BLOCK},
    {"em", T_FMT},
    {"embed", T_WORD}, /* void; libxml2 makes what follows its content */
    {"fieldset", T_BLOCK},
    {"figcaption", T_BLOCK | T_ADBOX},
    {"figure", T_BLOCK | T_ADBOX | T_WORD},
    {"font", T_FMT | T_WORD},
    {"footer", T_BLOCK | T_SKIP | T_WORD},
    {"form", T_BLOCK | T_SKIP | T_WORD},
    {"frame", T_SKIP | T_WORD},
    {"frameset", T_SKIP},
    {"h1", T_BLOCK},
    {"h2", T_BLOCK},
    {"h3", T_BLOCK},
    {"h4", T_BLOCK},
    {"h5", T_BLOCK},
    {"h6", T_BLOCK},
    {"head", T_SKIP | T_WORD},
    {"header", T_BLOCK | T_WORD},
    {"hgroup", T_BLOCK},
    {"hr", T_BLOCK},
    {"html", T_BLOCK | T_MAIN},
    {"i", T_FMT | T_WORD},
    {"iframe", T_SKIP},
    {"img", T_WORD},
    {"input", T_WORD},
    {"ins", T_WORD},
    {"kbd", T_WORD},
    {"label", T_WORD},
    {"legend", T_BLOCK | T_WORD},
    {"li", T_BLOCK | T_ADBOX},
    {"link", T_WORD},
    {"main", T_BLOCK | T_WORD | T_MAIN},
    {"map", T_WORD},
    {"mark", T_WORD},
    {"menu", T_BLOCK | T_SKIP | T_WORD},
    {"meta", T_WORD},
    {"meter", T_WORD},
    {"nav", T_BLOCK | T_SKIP | T_WORD},
    {"nobr", T_FMT | T_WORD},
    {"noframes", T_SKIP},
    {"noscript", T_SKIP},
    {"object", T_SKIP | T_WORD},
    {"ol", T_BLOCK | T_LIST},
    {"optgroup", T_SKIP},
    {"option", T_SKIP | T_WORD},
    {"output", T_WORD},
    {"p", T_BLOCK | T_ADBOX},
    {"param", T_WORD},
    {"picture", T_WORD},
    {"pre", T_BLOCK | T_PRE},
    {"progress", T_WORD},
    {"q", T_WORD},
    {"rb", 0},
    {"rp", T_SKIP},
    {"rt", T_SKIP},
    {"rtc", T_SKIP},
    {"ruby", T_WORD},
    {"s", T_FMT | T_WORD},
    {"samp", T_WORD},
    {"script", T_SKIP | T_WORD},
    {"section", T_BLOCK | T_ADBOX | T_WORD},
    {"select", T_SKIP | T_WORD},
    {"small", T_FMT | T_WORD},
    {"source", T_WORD},
    {"span", 0},
    {"strike", T_FMT | T_WORD},
    {"strong", T_FMT | T_WORD},
    {"style", T_SKIP | T_WORD},
    {"sub", T_WORD},
    {"summary", T_BLOCK | T_WORD},
    {"sup", T_WORD},
    {"svg", T_SKIP},
    {"table", T_BLOCK | T_ADBOX | T_WORD},
    {"tbody", T_BLOCK},
    {"td", T_BLOCK},
    {"template", T_SKIP | T_WORD},
    {"textarea", T_SKIP},
    {"tfoot", T_BLOCK},
    {"th", T_BLOCK},
    {"thead", T_BLOCK},
    {"time", T_WORD},
    {"title", T_SKIP | T_WORD},
    {"tr", T_BLOCK},
    {"track", T_WORD},
    {"tt", T_FMT},
    {"u", T_FMT | T_WORD},
    {"ul", T_BLOCK | T_LIST},
    {"var", T_WORD},
    {"video", T_SKIP | T_WORD},
    {"wbr", 0},
};

#define TAG_NAME_MAX 10 /* "blockquote", "figcaption" */

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct tag *)elem)->name);
}

static const struct tag *tag_find(const char *name)
{
    return bsearch(name, tags, sizeof tags / sizeof tags[0], sizeof tags[0], tag_cmp);
}

/* Flags of an element node; 0 for unknown elements (inline, kept). */
static unsigned tag_flags(const xmlNode *n)
{
    /* The HTML parser lowercases element names. */
    const struct tag *t = n->name ? tag_find((const char *)n->name) : NULL;
    return t ? t->flags : 0;
}

/* Flags of an element name (lowercase, as the HTML parser gives them). */
static unsigned tag_flags_of(const xmlChar *name)
{
    const struct tag *t = name ? tag_find((const char *)name) : NULL;
    return t ? t->flags : 0;
}

/* ---- small ASCII helpers (no locale) ------------------------------------ */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* s[0..n) equals the lowercase ASCII word w, ignoring ASCII case. */
static bool word_eq(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n; i++)
        if (w[i] == '\0' || lower((unsigned char)s[i]) != (unsigned char)w[i])
            return false;
    return w[i] == '\0';
}

/* ---- detection ----------------------------------------------------------- */

/* After "<name" followed by whitespace: true when an attribute assignment
 * ("href=", "class =") or a self-closing "/>" follows, i.e. the bracket
 * really opens a tag and not "<Time and space>". */
static bool attrs_follow(const char *p, const char *end)
{
    while (p < end && is_space((unsigned char)*p))
        p++;
    if (p < end && *p == '/')
        return p + 1 < end && p[1] == '>';
    if (p == end || !is_alpha((unsigned char)*p))
        return false;
    while (p < end && (is_alpha((unsigned char)*p) || is_digit((unsigned char)*p) ||
                       *p == '-' || *p == '_' || *p == ':' || *p == '.'))
        p++;
    while (p < end && is_space((unsigned char)*p))
        p++;
    return p < end && *p == '=';
}

bool hf_markup_detect(const char *s, size_t n)
{
    const char *end = s + n;
    const char *p = s;
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        p++;
        if (p == end)
            break;
        if (*p == '!') {
            if (end - p >= 3 && p[1] == '-' && p[2] == '-')
                return true;
            if (end - p >= 9 && word_eq(p + 1, 7, "doctype") &&
                (is_space((unsigned char)p[8]) || p[8] == '>'))
                return true;
            continue;
        }
        const char *q = p;
        bool closing = *q == '/';
        if (closing)
            q++;
        if (q == end || !is_alpha((unsigned char)*q))
            continue;
        char name[TAG_NAME_MAX + 1];
        size_t len = 0;
        while (q < end && len <= TAG_NAME_MAX &&
               (is_alpha((unsigned char)*q) || is_digit((unsigned char)*q)))
            name[len++] = (char)lower((unsigned char)*q++);
        if (len > TAG_NAME_MAX || q == end)
            continue;
        name[len] = '\0';
        unsigned char c = (unsigned char)*q;
        if (!is_space(c) && c != '>' && c != '/')
            continue;
        const struct tag *t = tag_find(name);
        if (!t)
            continue;
        if (closing || !(t->flags & T_WORD))
            return true;
        /* A word-like name in an opening bracket counts only with tag
         * syntax around it; its closing tag elsewhere also counts. */
        if (c == '/' ? q + 1 < end && q[1] == '>' : is_space(c) && attrs_follow(q, end))
            return true;
    }
    return false;
}

/* ---- depth -----------------------------------------------------------------
 *
 * libxml2 stops the whole parse when elements nest more than 256 deep
 * (xmlParserMaxDepth): the rest of the page was lost.  XML_PARSE_HUGE lifts
 * that limit, but then every end tag that matches no open element and every
 * <body> scans the whole stack of open elements (htmlParseEndTag,
 * htmlParseStartTag), which is quadratic on hostile input.  So the parser's
 * stack is held at MAX_DEPTH here: an element that would open deeper is
 * "refused", taken off the stack as soon as it is pushed (refuse()).  The
 * parser then reads its content as content of the element at MAX_DEPTH (the
 * holder) and its end tag as a stray one, so its text is kept, in order.
 * What it would have done is imitated from a short list of the refused
 * elements still open (struct refused): a block element or <br> leaves an
 * empty element of its name in the holder (a line break) when it starts and
 * ends, and a dropped one (nav, form...) hides the text until its end tag,
 * the end tag of a refused element around it, or the end of the holder.
 * Elements that cannot hold others (empty ones, "<x/>", script and style,
 * which the parser reads as raw text) stay on the stack one level past
 * MAX_DEPTH until the parser ends them; nothing is built for them.  The
 * other rules (classes, link lists, ad boxes) do not see refused
 * elements. */

#define MAX_DEPTH HF_MARKUP_MAX_DEPTH
#define REFUSED_MAX 64 /* refused elements followed at once; deeper ones are
                        * not followed, so end tags end outer ones early:
                        * text is shown rather than hidden */

struct refused {
    const xmlChar *name; /* from the parser's dictionary */
    bool hides;
};

/* ---- formatting elements that outlive their block ------------------------
 *
 * In "<p class=notice><b>Notice...</p><p>More notice.</b></p>" the <b> is
 * still open when its paragraph ends.  HTML5 parsers keep it in the list of
 * active formatting elements and reopen it in the next paragraph, so the
 * author's </b> shows that "More notice." is part of the same bold run as
 * the notice.  libxml2's HTML4 parser instead closes the <b> with the <p>
 * and ignores the later stray </b>, which leaves "More notice." as an
 * ordinary paragraph after the dropped notice box.
 *
 * We observe the parse to recover the HTML5 reading: when a formatting
 * element is closed implicitly, a continuation record starts; nodes created
 * while it is active are tagged with it (node->_private, which libxml2
 * leaves to applications); a later stray end tag of the same name confirms
 * it.  When the tree walk has dropped the subtree holding the original
 * element, the confirmed continuation is dropped with it.  A continuation
 * that is never confirmed, or that grows past CONT_MAX_BYTES of text, has no
 * effect: without the author's end tag, or across more than a paragraph or
 * two, a bold run is sloppy markup rather than a box's extent.  Elements
 * still open at the stray end tag (the paragraph holding it) are not part
 * of the run; only their content before the end tag is. */

#define CONT_MAX 16384     /* records per document (bounds memory) */
#define CONT_ACTIVE 8      /* records followed at once; the oldest yields */
#define CONT_MAX_BYTES 2048

struct cont {
    const xmlNode *origin;  /* the implicitly closed element */
    const xmlChar *name;
    size_t bytes;           /* text delivered while active */
    bool confirmed;
    signed char verdict;    /* walk-time memo: 0 unknown, 1 drop, -1 keep */
    struct cont *older;     /* allocation list, for freeing */
};

struct parse_state {
    startElementSAXFunc start;
    endElementSAXFunc end;
    charactersSAXFunc chars;
    /* Records live until the walk is over (nodes point to them). */
    struct cont *all;
    size_t count;
    struct cont *active[CONT_ACTIVE]; /* oldest first */
    size_t nactive;
    /* Elements refused past MAX_DEPTH and the line of the first; those
     * still open, innermost last, and how many of them hide their text. */
    uint64_t refused;
    uint64_t refused_line;
    struct refused open[REFUSED_MAX];
    size_t nopen, nhide;
};

/* node->_private of subtrees the walk dropped (set on their root). */
static char dropped_mark;

static struct parse_state *state_of(void *ctx)
{
    return ((htmlParserCtxtPtr)ctx)->_private;
}

static struct cont *newest(const struct parse_state *st)
{
    return st->nactive ? st->active[st->nactive - 1] : NULL;
}

static void deactivate(struct parse_state *st, size_t i)
{
    memmove(&st->active[i], &st->active[i + 1], (st->nactive - i - 1) * sizeof st->active[0]);
    st->nactive--;
}

static void cont_start(struct parse_state *st, const xmlNode *origin)
{
    if (st->count >= CONT_MAX)
        return;
    struct cont *c = malloc(sizeof *c);
    if (!c)
        return; /* the rule is a refinement: without it the text is kept */
    *c = (struct cont){.origin = origin, .name = origin->name, .older = st->all};
    st->all = c;
    st->count++;
    if (st->nactive == CONT_ACTIVE)
        deactivate(st, 0);
    st->active[st->nactive++] = c;
}

static void cont_free_all(struct parse_state *st)
{
    while (st->all) {
        struct cont *c = st->all;
        st->all = c->older;
        free(c);
    }
}

/* True when the end tag just consumed is "</name>": elements closed for any
 * other reason (another end tag, a start tag that implies the close, end of
 * input) are closed implicitly.  Only looks behind the current position,
 * within the parser's buffer. */
static bool closed_explicitly(htmlParserCtxtPtr ctxt, const xmlChar *name)
{
    const xmlParserInput *in = ctxt->input;
    if (!in || !in->cur || !in->base)
        return true;
    const xmlChar *p = in->cur, *base = in->base;
    if (p == base || p[-1] != '>')
        return false;
    p--;
    while (p > base && is_space(p[-1]))
        p--;
    size_t len = strlen((const char *)name);
    if ((size_t)(p - base) < len + 2)
        return true; /* cannot tell: assume the ordinary case */
    p -= len;
    return word_eq((const char *)p, len, (const char *)name) && p[-1] == '/' && p[-2] == '<';
}

/* An empty element of the given name in the current node: the line break
 * of a refused block element or <br>. */
static void add_break(htmlParserCtxtPtr ctxt, const xmlChar *name)
{
    unsigned f = tag_flags_of(name);
    if (!ctxt->node || !(f & (T_BLOCK | T_BR)) || (f & T_SKIP))
        return;
    xmlNodePtr n = xmlNewDocNode(ctxt->myDoc, NULL, name, NULL);
    if (n && !xmlAddChild(ctxt->node, n))
        xmlFreeNode(n);
}

static void refused_clear(struct parse_state *st)
{
    st->nopen = st->nhide = 0;
}

/* An element that would open past MAX_DEPTH (see the comment there).  The
 * parser has pushed its name and asks for a node. */
static void refuse(htmlParserCtxtPtr ctxt, struct parse_state *st, const xmlChar *name)
{
    if (!st->refused++)
        st->refused_line = (uint64_t)(ctxt->input && ctxt->input->line > 0 ? ctxt->input->line : 1);
    const xmlChar *cur = ctxt->input ? ctxt->input->cur : NULL;
    const htmlElemDesc *info = htmlTagLookup(name);
    /* At "/>" or at the '>' of an empty element the parser ends it at
     * once; at the '>' of script or style it reads raw text up to the end
     * tag.  Anywhere else (a broken start tag) it may take the top of its
     * stack off without an end event, so that must be the holder. */
    bool keep = cur && ((cur[0] == '/' && cur[1] == '>') ||
                        (cur[0] == '>' && ((info && info->empty) || xmlStrEqual(name, BAD_CAST "script") ||
                                           xmlStrEqual(name, BAD_CAST "style"))));
    if (!st->nhide)
        add_break(ctxt, name);
    if (keep)
        return;
    ctxt->nameNr--;
    ctxt->nameTab[ctxt->nameNr] = NULL;
    ctxt->name = ctxt->nameTab[ctxt->nameNr - 1];
    if (st->nopen < REFUSED_MAX) {
        bool hides = (tag_flags_of(name) & T_SKIP) != 0;
        st->open[st->nopen++] = (struct refused){.name = name, .hides = hides};
        st->nhide += hides;
    }
}

/* An end tag the parser did not act on (see on_error) while the holder is
 * open: it ends the innermost refused element of its name and those inside
 * it. */
static void refused_end(htmlParserCtxtPtr ctxt, struct parse_state *st, const xmlChar *name)
{
    if (ctxt->nameNr != MAX_DEPTH)
        return;
    for (size_t i = st->nopen; i-- > 0;)
        if (xmlStrEqual(st->open[i].name, name)) {
            for (size_t k = i; k < st->nopen; k++)
                st->nhide -= st->open[k].hides;
            st->nopen = i;
            break;
        }
    if (!st->nhide)
        add_break(ctxt, name);
}

static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = state_of(ctx);
    if (ctxt->nameNr > MAX_DEPTH && name && xmlStrEqual(ctxt->nameTab[ctxt->nameNr - 1], name)) {
        refuse(ctxt, st, name);
        return;
    }
    /* an element opens at MAX_DEPTH or above it: the holder has ended */
    refused_clear(st);
    xmlNodePtr before = ctxt->node;
    st->start(ctx, name, atts);
    if (st->nactive && ctxt->node && ctxt->node != before)
        ctxt->node->_private = newest(st);
}

static void sax_end(void *ctx, const xmlChar *name)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = state_of(ctx);
    if (ctxt->nameNr > MAX_DEPTH)
        return; /* a refused element the parser kept: nothing was built */
    if (ctxt->nameNr == MAX_DEPTH)
        refused_clear(st); /* the holder ends */
    xmlNodePtr node = ctxt->node;
    if (node && node->type == XML_ELEMENT_NODE && name && xmlStrEqual(node->name, name) &&
        (tag_flags(node) & T_FMT)) {
        if (!closed_explicitly(ctxt, name)) {
            cont_start(st, node);
        } else {
            /* The author closed a <b> here: earlier runs of that name end
             * too (HTML5 would keep reopening them; we stay conservative). */
            for (size_t i = st->nactive; i-- > 0;)
                if (xmlStrEqual(st->active[i]->name, name))
                    deactivate(st, i);
        }
    }
    st->end(ctx, name);
}

static void sax_chars(void *ctx, const xmlChar *ch, int len)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = state_of(ctx);
    if (ctxt->nameNr > MAX_DEPTH)
        return; /* raw text of a refused script or style */
    if (st->nhide) {
        if (ctxt->nameNr == MAX_DEPTH)
            return; /* inside a refused nav, form... */
        refused_clear(st); /* the holder was taken off without an end event */
    }
    xmlNodePtr parent = ctxt->node;
    xmlNodePtr before = parent ? parent->last : NULL;
    st->chars(ctx, ch, len);
    if (!st->nactive)
        return;
    if (parent && parent->last && parent->last != before && parent->last->type == XML_TEXT_NODE)
        parent->last->_private = newest(st);
    for (size_t i = st->nactive; i-- > 0;) {
        st->active[i]->bytes += (size_t)(len > 0 ? len : 0);
        if (st->active[i]->bytes > CONT_MAX_BYTES)
            deactivate(st, i);
    }
}

/* Structured error handler: besides silencing libxml2 (nothing may print),
 * it is where a stray end tag becomes visible ("Unexpected end tag : b"),
 * for continuations and for refused elements. */
static void on_error(void *data, xmlErrorPtr err)
{
    struct parse_state *st = data;
    if (st && st->refused && err && err->code == XML_ERR_TAG_NAME_MISMATCH && err->str1 && err->ctxt)
        refused_end(err->ctxt, st, BAD_CAST err->str1);
    if (!st || !err || err->code != XML_ERR_TAG_NAME_MISMATCH || !err->str1 || err->str2 ||
        !err->message || strncmp(err->message, "Unexpected end tag", 18) != 0)
        return;
    htmlParserCtxtPtr ctxt = err->ctxt;
    if (!ctxt)
        return;
    struct cont *c = NULL;
    for (size_t i = st->nactive; i-- > 0;)
        if (xmlStrcasecmp(st->active[i]->name, BAD_CAST err->str1) == 0) {
            c = st->active[i];
            deactivate(st, i);
            break;
        }
    if (!c)
        return;
    c->confirmed = true;
    xmlNodePtr cur = ctxt->node;
    for (xmlNodePtr x = cur; x; x = x->parent)
        if (x->_private == c)
            x->_private = NULL;
    /* Text after the end tag would be appended to the tagged text node:
     * an empty comment makes the parser start a new one. */
    if (cur && cur->last && cur->last->type == XML_TEXT_NODE && cur->last->_private == c) {
        xmlNodePtr sep = xmlNewDocComment(ctxt->myDoc, BAD_CAST "");
        if (sep)
            xmlAddChild(cur, sep);
    }
}

static void on_generic_error(void *data, const char *msg, ...)
{
    (void)data;
    (void)msg;
}

/* ---- boilerplate rules ---------------------------------------------------- */

/* Class/id tokens that name page furniture rather than content. */
static const char *const boiler_tokens[] = {
    "ad", "ads", "adsbygoogle", "advert", "advertisement", "advertising", "adverts",
    "banner", "breadcrumb", "breadcrumbs", "comment", "comments", "cookie", "cookies",
    "copyright", "crumbs", "disclaimer", "footer", "menu", "modal", "nav", "navbar",
    "navigation", "newsletter", "notice", "pager", "pagination", "popup", "promo",
    "promotion", "recommend", "recommended", "related", "share", "sharing", "sidebar",
    "social", "sponsor", "sponsored", "subscribe", "tagcloud", "tags", "toolbar", "widget",
};

/* Tokens of article containers ("entry", "post-content"). */
static const char *const content_tokens[] = {
    "article", "body", "content", "entry", "hentry", "main", "post", "story", "text",
};

static bool token_in(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (word_eq(s, n, list[i]))
            return true;
    return false;
}

static bool is_tok_sep(unsigned char c)
{
    return is_space(c) || c == '-' || c == '_';
}

/* Scans a class or id value word by word (words split on whitespace, tokens
 * within a word on '-' and '_').  Sets *boiler when a token names
 * furniture and *content when a whole word is made of content tokens. */
static void scan_names(const char *v, bool *boiler, bool *content)
{
    const char *p = v;
    while (*p) {
        while (*p && is_space((unsigned char)*p))
            p++;
        if (!*p)
            break;
        bool all_content = true, any = false;
        while (*p && !is_space((unsigned char)*p)) {
            while (*p == '-' || *p == '_')
                p++;
            const char *t = p;
            while (*p && !is_tok_sep((unsigned char)*p))
                p++;
            size_t n = (size_t)(p - t);
            if (n == 0)
                continue;
            any = true;
            if (token_in(t, n, boiler_tokens, sizeof boiler_tokens / sizeof *boiler_tokens))
                *boiler = true;
            if (!token_in(t, n, content_tokens, sizeof content_tokens / sizeof *content_tokens))
                all_content = false;
        }
        if (any && all_content)
            *content = true;
    }
}

static const char *const boiler_roles[] = {
    "banner", "complementary", "contentinfo", "menu", "menubar", "navigation", "search",
};

/* Rules on attributes: role, class and id. */
static bool attrs_say_boiler(const xmlNode *n, unsigned flags)
{
    bool boiler = false, content = false;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (!a->name)
            continue;
        const char *an = (const char *)a->name;
        bool is_role = strcmp(an, "role") == 0;
        if (!is_role && strcmp(an, "class") != 0 && strcmp(an, "id") != 0)
            continue;
        for (const xmlNode *v = a->children; v; v = v->next) {
            if (v->type != XML_TEXT_NODE || !v->content)
                continue;
            const char *s = (const char *)v->content;
            if (is_role) {
                while (is_space((unsigned char)*s))
                    s++;
                size_t len = 0;
                while (s[len] && !is_space((unsigned char)s[len]))
                    len++;
                if (token_in(s, len, boiler_roles, sizeof boiler_roles / sizeof *boiler_roles))
                    return true;
            } else if (!(flags & T_MAIN)) {
                scan_names(s, &boiler, &content);
            }
        }
    }
    return boiler && !content;
}

/* Next node in document order after n, staying inside root; with
 * skip_children, n's subtree is passed over. */
static const xmlNode *next_in(const xmlNode *n, const xmlNode *root, bool skip_children)
{
    if (!skip_children && n->children)
        return n->children;
    while (n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* Whether the scan helpers below pass over a node's subtree. */
static bool scan_skips(const xmlNode *n)
{
    return n->type != XML_ELEMENT_NODE || (tag_flags(n) & T_SKIP);
}

/* Characters (code points) of s that are not ASCII whitespace. */
static size_t count_chars(const char *s)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80 && !is_space(*p))
            k++;
    return k;
}

static bool is_a(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "a");
}

/* <ul>/<ol> of at least 3 items whose text is at least 80% link text:
 * navigation, "related articles" and other link farms.  Returns 1 for
 * those, 0 for other lists of 3 items or more (scanned), -1 for shorter
 * lists (not scanned). */
static int link_list_verdict(const xmlNode *list)
{
    size_t items = 0;
    for (const xmlNode *c = list->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "li"))
            items++;
    if (items < 3)
        return -1;
    /* One pass; the number of open <a> is tracked on the way down and up
     * rather than by looking at each text node's ancestors. */
    size_t total = 0, linked = 0, in_a = 0;
    const xmlNode *n = list->children;
    while (n) {
        if (n->type == XML_TEXT_NODE && n->content) {
            size_t k = count_chars((const char *)n->content);
            total += k;
            if (in_a)
                linked += k;
        } else if (!scan_skips(n) && n->children) {
            in_a += is_a(n);
            n = n->children;
            continue;
        }
        while (!n->next) {
            n = n->parent;
            if (n == list)
                return total > 0 && linked * 5 >= total * 4;
            in_a -= is_a(n);
        }
        n = n->next;
    }
    return false; /* not reached: the list has items */
}

/* Labels that mark a box as an advertisement when they start its text and
 * are followed by a colon or stand alone. */
static const char *const ad_labels[] = {
    "ad", "ads", "advertisement", "sponsored",
    "\xE5\xB9\xBF\xE5\x91\x8A", /* 广告 */
    "\xE5\xBB\xA3\xE5\x91\x8A", /* 廣告 */
    "\xE6\x8E\xA8\xE5\xB9\xBF", /* 推广 */
    "\xE6\x8E\xA8\xE5\xBB\xA3", /* 推廣 */
    "\xE8\xB5\x9E\xE5\x8A\xA9", /* 赞助 */
    "\xE8\xB4\x8A\xE5\x8A\xA9", /* 贊助 */
};

#define AD_BOX_MAX_CHARS 200 /* an ad box is short; longer boxes are content */
#define AD_LABEL_NODES 32    /* the label is among a box's first nodes */
#define AD_SCAN_NODES 256    /* bound on nodes counted in a labelled box */

static bool starts_with_ad_label(const char *s)
{
    while (is_space((unsigned char)*s))
        s++;
    for (size_t i = 0; i < sizeof ad_labels / sizeof *ad_labels; i++) {
        size_t len = strlen(ad_labels[i]);
        size_t j = 0;
        while (j < len && s[j] && lower((unsigned char)s[j]) == (unsigned char)ad_labels[i][j])
            j++;
        if (j < len)
            continue;
        const char *r = s + len;
        while (is_space((unsigned char)*r))
            r++;
        if (*r == '\0' || *r == ':' || strncmp(r, "\xEF\xBC\x9A", 3) == 0 /* ： */)
            return true;
    }
    return false;
}

/* A short box (div, figure, p...) whose visible text starts with an ad label
 * such as "Ad：" or "广告". */
static bool is_ad_box(const xmlNode *box)
{
    const xmlNode *n = box->children;
    const char *first = NULL;
    size_t seen = 0;
    while (n && !first && seen++ < AD_LABEL_NODES) {
        bool skip = false;
        if (n->type == XML_TEXT_NODE && n->content) {
            const char *s = (const char *)n->content;
            while (is_space((unsigned char)*s))
                s++;
            if (*s)
                first = (const char *)n->content;
        } else {
            skip = scan_skips(n);
        }
        if (!first)
            n = next_in(n, box, skip);
    }
    if (!first || !starts_with_ad_label(first))
        return false;
    size_t total = 0;
    seen = 0;
    for (n = box->children; n; seen++) {
        if (seen >= AD_SCAN_NODES)
            return false;
        bool skip = false;
        if (n->type == XML_TEXT_NODE && n->content) {
            total += count_chars((const char *)n->content);
            if (total > AD_BOX_MAX_CHARS)
                return false;
        } else {
            skip = scan_skips(n);
        }
        n = next_in(n, box, skip);
    }
    return true;
}

/* ---- the walk --------------------------------------------------------------- */

struct walk {
    hf_buf *out;
    size_t base;    /* out->len at entry: never trimmed below */
    int pre;        /* open <pre> elements */
    bool pre_start; /* nothing yet since a <pre> start tag */
    /* The open list whose scan by link_list_verdict covered the lists
     * nested in it: they are not scanned again (linear time). */
    const xmlNode *judged;
    int err;
};

static bool at_line_start(const struct walk *w)
{
    return w->out->len == w->base || w->out->p[w->out->len - 1] == '\n';
}

static void put(struct walk *w, const char *s, size_t n)
{
    if (!w->err && hf_buf_append(w->out, s, n))
        w->err = -ENOMEM;
}

static void trim_spaces(struct walk *w)
{
    hf_buf *o = w->out;
    while (o->len > w->base && (o->p[o->len - 1] == ' ' || o->p[o->len - 1] == '\t'))
        o->len--;
    if (o->p)
        o->p[o->len] = '\0';
}

/* Block boundary: ends the current line, if any. */
static void soft_break(struct walk *w)
{
    trim_spaces(w);
    if (!at_line_start(w))
        put(w, "\n", 1);
}

/* <br> (and newlines in <pre>): a line break that may leave an empty line,
 * but never two in a row and never at the start. */
static void hard_break(struct walk *w)
{
    trim_spaces(w);
    hf_buf *o = w->out;
    if (o->len == w->base)
        return;
    if (o->len - w->base >= 2 && o->p[o->len - 1] == '\n' && o->p[o->len - 2] == '\n')
        return;
    put(w, "\n", 1);
}

static void emit_text(struct walk *w, const char *s)
{
    size_t n = strlen(s);
    size_t i = 0;
    if (w->pre_start) {
        /* HTML ignores a newline right after <pre>; libxml2 keeps it. */
        w->pre_start = false;
        if (w->pre && s[0] == '\r')
            i++;
        if (w->pre && s[i] == '\n')
            i++;
        else
            i = 0;
    }
    if (w->pre) {
        while (i < n) {
            size_t j = i;
            while (j < n && s[j] != '\n' && s[j] != '\r')
                j++;
            if (j > i)
                put(w, s + i, j - i);
            if (j == n)
                break;
            if (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
                j++;
            hard_break(w);
            i = j + 1;
        }
        return;
    }
    /* Outside <pre>, newlines and tabs in text are layout of the source,
     * not of the text: they become spaces (counted as is; a later stage
     * collapses runs), and spaces at the start of a line are dropped. */
    while (i < n) {
        size_t j = i;
        while (j < n && !is_space((unsigned char)s[j]))
            j++;
        if (j > i)
            put(w, s + i, j - i);
        i = j;
        while (j < n && is_space((unsigned char)s[j]))
            j++;
        if (j > i && !at_line_start(w))
            for (size_t k = i; k < j; k++)
                put(w, " ", 1);
        i = j;
    }
}

static bool cont_drops(struct cont *c)
{
    if (!c->confirmed)
        return false;
    if (c->verdict == 0) {
        /* Every element before the continuation in document order has been
         * visited or passed over by now, so a dropped ancestor is marked. */
        c->verdict = -1;
        for (const xmlNode *x = c->origin; x; x = x->parent)
            if (x->_private == &dropped_mark) {
                c->verdict = 1;
                break;
            }
    }
    return c->verdict > 0;
}

static bool marked_dropped(const xmlNode *n)
{
    void *m = n->_private;
    return m && m != (void *)&dropped_mark && cont_drops(m);
}

/* Decides whether an element is entered; emits what comes before its
 * content.  Returns false for dropped elements (marked for cont_drops). */
static bool enter(struct walk *w, xmlNode *n)
{
    unsigned f = tag_flags(n);
    bool drop = marked_dropped(n) || (f & T_SKIP) || attrs_say_boiler(n, f);
    bool judged = false;
    if (!drop && (f & T_LIST) && !w->judged) {
        int v = link_list_verdict(n);
        drop = v > 0;
        judged = v == 0;
    }
    if (!drop && (f & T_ADBOX))
        drop = is_ad_box(n);
    if (drop) {
        n->_private = &dropped_mark;
        return false;
    }
    if (f & T_BR)
        hard_break(w);
    if (f & T_BLOCK)
        soft_break(w);
    if (f & T_PRE)
        w->pre++;
    w->pre_start = (f & T_PRE) != 0;
    if (judged)
        w->judged = n;
    return true;
}

static void leave(struct walk *w, const xmlNode *n)
{
    unsigned f = tag_flags(n);
    if (f & T_BLOCK)
        soft_break(w);
    if (f & T_PRE)
        w->pre--;
    if (n == w->judged)
        w->judged = NULL;
}

/* Iterative pre-order walk (documents may nest arbitrarily deep). */
static void walk_doc(struct walk *w, xmlDoc *doc)
{
    xmlNode *top = (xmlNode *)doc;
    xmlNode *cur = doc->children;
    while (cur && !w->err) {
        bool entered = false;
        if (cur->type == XML_ELEMENT_NODE) {
            entered = enter(w, cur);
        } else if (cur->type == XML_TEXT_NODE && cur->content && !marked_dropped(cur)) {
            emit_text(w, (const char *)cur->content);
        }
        if (entered && cur->children) {
            cur = cur->children;
            continue;
        }
        if (entered)
            leave(w, cur);
        while (!cur->next) {
            cur = cur->parent;
            if (!cur || cur == top)
                return;
            leave(w, cur);
        }
        cur = cur->next;
    }
}

int hf_markup_to_text(const char *s, size_t n, hf_buf *out, hf_markup_note *note)
{
    hf_markup_note unused;
    if (!note)
        note = &unused;
    memset(note, 0, sizeof *note);
    if (n == 0)
        return 0;
    if (n > INT_MAX)
        return -EOVERFLOW; /* libxml2 takes an int size */
    /* A NUL byte where the parser expects content is the end of the input
     * to it (htmlParseContentInternal), and the rest of the page was lost;
     * in text it already became a space: so it becomes one everywhere. */
    char *copy = NULL;
    const char *nul = memchr(s, '\0', n);
    if (nul) {
        if (!(copy = malloc(n)))
            return -ENOMEM;
        memcpy(copy, s, n);
        for (char *p = copy + (nul - s); p; p = memchr(p, '\0', n - (size_t)(p - copy)))
            *p = ' ';
        s = copy;
    }
    xmlInitParser();

    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        free(copy);
        return -ENOMEM;
    }
    struct parse_state st = {0};
    st.start = ctxt->sax->startElement;
    st.end = ctxt->sax->endElement;
    st.chars = ctxt->sax->characters;
    if (!st.start || !st.end || !st.chars) {
        htmlFreeParserCtxt(ctxt);
        free(copy);
        return -EINVAL; /* not libxml2's default tree builder */
    }
    ctxt->sax->startElement = sax_start;
    ctxt->sax->endElement = sax_end;
    ctxt->sax->characters = sax_chars;
    ctxt->_private = &st;

    /* The handlers are per thread in libxml2; install ours for the parse
     * only, so nothing is printed and the caller's handlers survive. */
    xmlStructuredErrorFunc old_serror = xmlStructuredError;
    void *old_sctx = xmlStructuredErrorContext;
    xmlGenericErrorFunc old_gerror = xmlGenericError;
    void *old_gctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(&st, on_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);

    /* No NOBLANKS: it would drop the space in "<b>a</b> <i>b</i>".
     * IGNORE_ENC: the input is UTF-8 whatever a <meta charset> says.
     * XML_PARSE_HUGE: without it a text node stops at 10 MB, reported as
     * out of memory; the input's size bounds the memory anyway, and the
     * depth it would also unbound is held here (MAX_DEPTH). */
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
               HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE;
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, s, (int)n, NULL, "UTF-8", opts);
    bool oom = ctxt->errNo == XML_ERR_NO_MEMORY;
    /* Whether the parser read to the end: it may be halted (disableSAX)
     * or leave input unread.  No such case is known any more; should one
     * appear, the text before it is kept and the loss is reported. */
    const xmlParserInput *in = ctxt->input;
    if (!oom && (ctxt->disableSAX || (in && in->cur && in->end && in->cur < in->end))) {
        note->cut = true;
        note->cut_line = (uint64_t)(in && in->line > 0 ? in->line : 1);
    }

    int rc = 0;
    size_t base = out->len;
    if (doc) {
        struct walk w = {.out = out, .base = base};
        walk_doc(&w, doc);
        if (!w.err) {
            /* No trailing spaces or newlines. */
            while (out->len > w.base && is_space((unsigned char)out->p[out->len - 1]))
                out->len--;
            if (out->p)
                out->p[out->len] = '\0';
        }
        rc = w.err;
        xmlFreeDoc(doc);
    }
    cont_free_all(&st);
    note->flattened = st.refused;
    note->flattened_line = st.refused_line;
    if (oom)
        rc = -ENOMEM; /* a document cut short is not the document */
    if (rc) {
        out->len = base; /* on failure out keeps its previous contents */
        if (out->p)
            out->p[out->len] = '\0';
    }
    htmlFreeParserCtxt(ctxt);
    free(copy);

    xmlSetStructuredErrorFunc(old_sctx, old_serror);
    xmlSetGenericErrorFunc(old_gctx, old_gerror);
    return rc;
}

uint64_t hf_markup_describe(const hf_markup_note *note, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (note->cut) {
        /* the graver of the two, and the line is where the text ends */
        snprintf(buf, size, "the HTML parser stopped here, before the end of the record: the text "
                 "after this line is missing");
        return note->cut_line;
    }
    if (!note->flattened)
        return 0;
    snprintf(buf, size,
             "HTML nested deeper than %d elements: %llu deeper element%s flattened into the one "
             "around them, their text kept",
             MAX_DEPTH, (unsigned long long)note->flattened, note->flattened == 1 ? " was" : "s were");
    return note->flattened_line;
}
