/* The CPython module `hanfold`: libhanfold for Python pipelines.
 *
 * Built on the public API alone (hanfold.h).  What each part is for:
 *   Normalizer  settings, and the contexts and batches made from them
 *               (a context is not thread-safe: each call takes one from a
 *               pool kept under the GIL, and gives it back)
 *   Fingerprint a record's fingerprint, owning its arrays; bytes() and
 *               from_bytes() through the library's binary codec
 *   Clusterer   hanfold_clusterer with Python ids
 *   dedup()     an iterator: batches on the library's threads, then
 *               the streaming clusterer, as `hanfold dedup` runs
 * The GIL is released around everything that runs in the library. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <hanfold.h>

/* Records (or bytes) per batch in the *_many functions and dedup: enough
 * to keep the threads busy, little enough to bound the memory beside the
 * results (the CLI's batch sizes). */
#define CHUNK_RECORDS 512
#define CHUNK_BYTES (4u << 20)
/* Calls on texts shorter than this keep the GIL: releasing it costs more
 * than the work. */
#define GIL_MIN 256
/* Free contexts kept per Normalizer, and Normalizers cached for the
 * module functions' keyword settings. */
#define POOL_MAX 16
#define CACHE_MAX 32
/* A context (or batch) that processed a record larger than this is freed
 * rather than pooled: its buffers grew to several times the record and
 * would stay that large (a 50 MB string left ~900 MB resident). */
#define POOL_RECORD_MAX (8u << 20)

/* ---- settings ------------------------------------------------------------------ */

typedef struct opts {
    hanfold_settings set;
    PyObject *opencc_config, *opencc_dir; /* str or NULL, borrowed */
    const char *encoding;                 /* NULL: none given */
    PyObject *encoding_obj;
    int strict;
    int threads;                          /* 0: processors online */
    int have_settings;                    /* a normalization keyword was given */
} opts;

static const char *const target_names[] = {"simplified", "traditional", "taiwan", "hongkong"};

static int parse_furniture(PyObject *v, unsigned *out)
{
    static const struct { const char *n; unsigned k; } kinds[] = {
        {"url", HANFOLD_FURNITURE_URL}, {"location", HANFOLD_FURNITURE_LOCATION},
        {"emoticon", HANFOLD_FURNITURE_EMOTICON}, {"card", HANFOLD_FURNITURE_CARD},
        {"all", HANFOLD_FURNITURE_ALL}, {"none", 0},
    };
    PyObject *items;
    /* "url,location" as on the command line, or a sequence of names */
    if (PyUnicode_Check(v)) {
        PyObject *comma = PyUnicode_FromString(",");
        if (!comma)
            return -1;
        items = PyUnicode_Split(v, comma, -1);
        Py_DECREF(comma);
    } else {
        items = PySequence_Fast(v, "drop_furniture must be a str such as 'url,location' or a sequence of names");
    }
    if (!items)
        return -1;
    unsigned set = 0;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(items, i);
        const char *s = PyUnicode_Check(it) ? PyUnicode_AsUTF8(it) : NULL;
        size_t k = 0;
        while (s && k < sizeof kinds / sizeof kinds[0] && strcmp(s, kinds[k].n))
            k++;
        if (!s || k == sizeof kinds / sizeof kinds[0]) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "invalid value %R for drop_furniture (expected a comma-separated list "
                         "of url, location, emoticon, card, or none)", v);
            Py_DECREF(items);
            return -1;
        }
        set |= kinds[k].k;
    }
    Py_DECREF(items);
    *out = set;
    return 0;
}

static int bool_opt(PyObject *v, bool *out)
{
    int b = PyObject_IsTrue(v);
    if (b < 0)
        return -1;
    *out = b;
    return 0;
}

/* One keyword of the normalization settings (or encoding, strict,
 * threads when `extra` allows them).  1: taken, 0: not one of them, -1:
 * error set. */
enum { EXTRA_ENCODING = 1, EXTRA_THREADS = 2 };
static int take_option(opts *o, const char *k, PyObject *v, unsigned extra)
{
    if (!strcmp(k, "to")) {
        const char *s = PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, target_names[i])) {
                o->set.target = (enum hanfold_target)i;
                o->have_settings = 1;
                return 1;
            }
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "invalid value %R for to (expected simplified, traditional, taiwan or hongkong)", v);
        return -1;
    }
    if (!strcmp(k, "html")) {
        o->set.html = v == Py_None ? HANFOLD_HTML_AUTO : PyObject_IsTrue(v) ? HANFOLD_HTML_ON : HANFOLD_HTML_OFF;
        o->have_settings = 1;
        return PyErr_Occurred() ? -1 : 1;
    }
    if (!strcmp(k, "opencc_config") || !strcmp(k, "opencc_dir")) {
        if (v != Py_None && !PyUnicode_Check(v)) {
            PyErr_Format(PyExc_TypeError, "%s must be a str or None, not %.100s", k, Py_TYPE(v)->tp_name);
            return -1;
        }
        if (v != Py_None) {
            Py_ssize_t n;
            const char *s = PyUnicode_AsUTF8AndSize(v, &n);
            if (!s)
                return -1;
            if (strlen(s) != (size_t)n) {
                PyErr_Format(PyExc_ValueError, "%s must not contain NUL", k);
                return -1;
            }
        }
        if (k[7] == 'c')
            o->opencc_config = v == Py_None ? NULL : v;
        else
            o->opencc_dir = v == Py_None ? NULL : v;
        o->have_settings = 1;
        return 1;
    }
    bool b;
    if (!strcmp(k, "pinyin_repair"))
        return bool_opt(v, &o->set.repair_pinyin) ? -1 : (o->have_settings = 1);
    if (!strcmp(k, "repair_mojibake"))
        return bool_opt(v, &o->set.repair_mojibake) ? -1 : (o->have_settings = 1);
    if (!strcmp(k, "keep_lines"))
        return bool_opt(v, &o->set.keep_lines) ? -1 : (o->have_settings = 1);
    if (!strcmp(k, "script_only"))
        return bool_opt(v, &o->set.script_only) ? -1 : (o->have_settings = 1);
    if (!strcmp(k, "drop_furniture"))
        return parse_furniture(v, &o->set.drop_furniture) ? -1 : (o->have_settings = 1);
    if ((extra & EXTRA_ENCODING) && !strcmp(k, "encoding")) {
        if (v == Py_None) {
            o->encoding = NULL;
            return 1;
        }
        if (!PyUnicode_Check(v)) {
            PyErr_Format(PyExc_TypeError, "encoding must be a str, not %.100s", Py_TYPE(v)->tp_name);
            return -1;
        }
        Py_ssize_t n;
        if (!(o->encoding = PyUnicode_AsUTF8AndSize(v, &n)))
            return -1;
        if (strlen(o->encoding) != (size_t)n || n == 0 || n > 60) {
            PyErr_Format(PyExc_LookupError, "unknown encoding: %R", v);
            return -1;
        }
        o->encoding_obj = v;
        return 1;
    }
    if ((extra & EXTRA_ENCODING) && !strcmp(k, "strict"))
        return bool_opt(v, &b) ? -1 : ((o->strict = b), 1);
    if ((extra & EXTRA_THREADS) && !strcmp(k, "threads")) {
        if (v == Py_None) {
            o->threads = 0;
            return 1;
        }
        long t = PyLong_Check(v) ? PyLong_AsLong(v) : -1;
        if (t < 1 || t > HANFOLD_BATCH_MAX_THREADS) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "invalid value %R for threads (expected a number from 1 to %d, or None)",
                         v, HANFOLD_BATCH_MAX_THREADS);
            return -1;
        }
        o->threads = (int)t;
        return 1;
    }
    return 0;
}

static void opts_init(opts *o)
{
    memset(o, 0, sizeof *o);
    hanfold_settings_default(&o->set);
}

/* Takes every keyword in kw (NULL: none); skip names a keyword the caller
 * parses itself.  Returns 0 or -1 (TypeError for an unknown keyword). */
static int parse_kw(opts *o, PyObject *kw, unsigned extra, const char *fname)
{
    if (!kw)
        return 0;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kw, &pos, &k, &v)) {
        const char *ks = PyUnicode_AsUTF8(k);
        if (!ks)
            return -1;
        int r = take_option(o, ks, v, extra);
        if (r < 0)
            return -1;
        if (r == 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", fname, ks);
            return -1;
        }
    }
    return 0;
}

/* ---- errors ------------------------------------------------------------------ */

/* The library's failure e with its message as a Python exception. */
static void *raise_lib(int e, const char *msg)
{
    if (e == -ENOMEM)
        PyErr_NoMemory();
    else if (e == -EILSEQ)
        PyErr_SetString(PyExc_ValueError, msg && *msg ? msg : "invalid UTF-8");
    else
        PyErr_SetString(PyExc_ValueError, msg && *msg ? msg : strerror(-e));
    return NULL;
}

/* hanfold.HanfoldWarning: what the library could not keep of a record as
 * written (HTML nested too deep, a parse cut short), which the command
 * line reports on stderr with the file and line. */
static PyObject *HanfoldWarning;

/* Issues the warning for a record, if any: 0, or -1 when the warning
 * filter turned it into an exception. */
static int warn_record(const char *w, uint64_t line, size_t record, bool many)
{
    if (!w || !*w)
        return 0;
    if (many)
        return PyErr_WarnFormat(HanfoldWarning, 1, "record %zu: %s", record, w);
    return PyErr_WarnFormat(HanfoldWarning, 1, "line %llu: %s", (unsigned long long)line, w);
}

/* ---- Normalizer ------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    hanfold_settings set;
    PyObject *opencc_config, *opencc_dir; /* owned copies behind set's strings */
    PyObject *settings_repr;
    /* free contexts and one free batch, used under the GIL */
    hanfold_ctx *pool[POOL_MAX];
    int npool;
    hanfold_batch *batch;
    int batch_threads;
} NormalizerObject;

static PyTypeObject Normalizer_Type;
static PyTypeObject Fingerprint_Type;

static hanfold_ctx *acquire_ctx(NormalizerObject *n)
{
    if (n->npool)
        return n->pool[--n->npool];
    hanfold_ctx *c;
    char err[512];
    /* with the GIL held: hanfold_ctx_new must not run beside itself */
    int e = hanfold_ctx_new(&c, &n->set, err, sizeof err);
    if (e)
        return raise_lib(e, err);
    return c;
}

static void release_ctx(NormalizerObject *n, hanfold_ctx *c, size_t largest)
{
    if (n->npool < POOL_MAX && largest <= POOL_RECORD_MAX)
        n->pool[n->npool++] = c;
    else
        hanfold_ctx_free(&c);
}

static hanfold_batch *acquire_batch(NormalizerObject *n, int threads)
{
    if (n->batch && n->batch_threads == threads) {
        hanfold_batch *b = n->batch;
        n->batch = NULL;
        return b;
    }
    hanfold_batch *b;
    char err[512];
    int e = hanfold_batch_new(&b, &n->set, (unsigned)threads, err, sizeof err);
    if (e)
        return raise_lib(e, err);
    return b;
}

static void release_batch(NormalizerObject *n, hanfold_batch *b, int threads, size_t largest)
{
    if (!n->batch && largest <= POOL_RECORD_MAX) {
        n->batch = b;
        n->batch_threads = threads;
    } else {
        hanfold_batch_free(&b);
    }
}

/* Makes a Normalizer from parsed options (new reference). */
static PyObject *normalizer_from_opts(const opts *o)
{
    NormalizerObject *n = PyObject_New(NormalizerObject, &Normalizer_Type);
    if (!n)
        return NULL;
    n->set = o->set;
    n->npool = 0;
    n->batch = NULL;
    n->batch_threads = 0;
    n->opencc_config = o->opencc_config;
    n->opencc_dir = o->opencc_dir;
    Py_XINCREF(n->opencc_config);
    Py_XINCREF(n->opencc_dir);
    n->set.opencc_config = n->opencc_config ? PyUnicode_AsUTF8(n->opencc_config) : NULL;
    n->set.opencc_dir = n->opencc_dir ? PyUnicode_AsUTF8(n->opencc_dir) : NULL;
    n->settings_repr = NULL;
    /* a context now, so that a bad OpenCC config fails here, not later */
    hanfold_ctx *c = acquire_ctx(n);
    if (!c) {
        Py_DECREF(n);
        return NULL;
    }
    release_ctx(n, c, 0);
    return (PyObject *)n;
}

static void Normalizer_dealloc(NormalizerObject *n)
{
    for (int i = 0; i < n->npool; i++)
        hanfold_ctx_free(&n->pool[i]);
    hanfold_batch_free(&n->batch);
    Py_XDECREF(n->opencc_config);
    Py_XDECREF(n->opencc_dir);
    Py_XDECREF(n->settings_repr);
    PyObject_Free(n);
}

static PyObject *Normalizer_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    if (PyTuple_GET_SIZE(args)) {
        PyErr_SetString(PyExc_TypeError, "Normalizer() takes keyword arguments only");
        return NULL;
    }
    opts o;
    opts_init(&o);
    if (parse_kw(&o, kw, 0, "Normalizer"))
        return NULL;
    return normalizer_from_opts(&o);
}

/* The Normalizer for the settings of a module function's keywords: the
 * default one, or one cached by the settings (new reference). */
static PyObject *default_normalizer;
static PyObject *normalizer_cache;

static PyObject *normalizer_for(const opts *o)
{
    if (!o->have_settings) {
        Py_INCREF(default_normalizer);
        return default_normalizer;
    }
    const hanfold_settings *s = &o->set;
    PyObject *key = Py_BuildValue("(iiiiiiiOO)", (int)s->target, (int)s->html, (int)s->repair_pinyin,
                                  (int)s->repair_mojibake, (int)s->keep_lines, (int)s->script_only,
                                  (int)s->drop_furniture, o->opencc_config ? o->opencc_config : Py_None,
                                  o->opencc_dir ? o->opencc_dir : Py_None);
    if (!key)
        return NULL;
    PyObject *n = PyDict_GetItemWithError(normalizer_cache, key);
    if (n) {
        Py_INCREF(n);
        Py_DECREF(key);
        return n;
    }
    if (PyErr_Occurred() || !(n = normalizer_from_opts(o))) {
        Py_DECREF(key);
        return NULL;
    }
    /* bounded: a program that varies settings per call does not grow */
    if (PyDict_GET_SIZE(normalizer_cache) >= CACHE_MAX)
        PyDict_Clear(normalizer_cache);
    if (PyDict_SetItem(normalizer_cache, key, n)) {
        Py_DECREF(key);
        Py_DECREF(n);
        return NULL;
    }
    Py_DECREF(key);
    return n;
}

/* ---- text in -------------------------------------------------------------------- */

/* A record's bytes for the library.  str: its UTF-8 (Python's cached copy,
 * no allocation); a lone surrogate, which UTF-8 cannot hold, is an error
 * with strict and otherwise becomes U+FFFD as the command line does with
 * invalid bytes (the record is then decoded).  bytes-like: the bytes, to
 * be decoded from the encoding (default UTF-8).  *owner holds what the
 * pointer points into, released with release_text. */
typedef struct text_in {
    const char *p;
    size_t n;
    bool decode;     /* bytes to decode (encoding, or UTF-8 with U+FFFD) */
    Py_buffer view;
    bool have_view;
    PyObject *tmp;   /* a copy: of a str, lone surrogates replaced; of a
                        writable buffer */
} text_in;

static void release_text(text_in *t)
{
    if (t->have_view)
        PyBuffer_Release(&t->view);
    t->have_view = false;
    Py_CLEAR(t->tmp);
}

static int get_text(PyObject *obj, const opts *o, text_in *t)
{
    memset(t, 0, sizeof *t);
    if (PyUnicode_Check(obj)) {
        if (o->encoding) {
            PyErr_SetString(PyExc_TypeError, "encoding= is for bytes; a str is text already");
            return -1;
        }
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(obj, &n);
        if (p) {
            t->p = p;
            t->n = (size_t)n;
            return 0;
        }
        if (o->strict || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
            return -1;
        PyErr_Clear();
        /* one U+FFFD per lone surrogate, in a copy */
        Py_ssize_t len = PyUnicode_GET_LENGTH(obj);
        PyObject *copy = PyUnicode_New(len, 0x10FFFF);
        if (!copy)
            return -1;
        int kind = PyUnicode_KIND(obj);
        const void *data = PyUnicode_DATA(obj);
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            PyUnicode_WRITE(PyUnicode_4BYTE_KIND, PyUnicode_DATA(copy), i, ch >= 0xD800 && ch <= 0xDFFF ? 0xFFFD : ch);
        }
        t->tmp = copy;
        if (!(t->p = PyUnicode_AsUTF8AndSize(copy, &n)))
            return -1;
        t->n = (size_t)n;
        return 0;
    }
    if (PyObject_CheckBuffer(obj)) {
        if (PyObject_GetBuffer(obj, &t->view, PyBUF_SIMPLE))
            return -1;
        t->have_view = true;
        t->p = t->view.buf;
        t->n = (size_t)t->view.len;
        t->decode = true;
        if (!t->view.readonly) {
            /* a bytearray (or a writable memoryview, mmap, array): other
             * threads may write it while the library reads it without the
             * GIL, and decoding checks UTF-8 once, then trusts it; the
             * record is its bytes as they are now, as a bytes one would be */
            t->tmp = PyBytes_FromStringAndSize(t->p, t->view.len);
            PyBuffer_Release(&t->view);
            t->have_view = false;
            if (!t->tmp)
                return -1;
            t->p = PyBytes_AS_STRING(t->tmp);
        }
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "expected str or bytes, not %.100s", Py_TYPE(obj)->tp_name);
    return -1;
}

/* strict: bytes that decoding had to replace raise UnicodeDecodeError
 * (Python's own, with the position, for UTF-8). */
static void raise_decode_error(const text_in *t, const char *charset, size_t invalid)
{
    if (!strcasecmp(charset, "UTF-8") || !strcasecmp(charset, "UTF8")) {
        PyObject *u = PyUnicode_DecodeUTF8(t->p, (Py_ssize_t)t->n, "strict");
        if (u) {
            Py_DECREF(u); /* valid to Python (a BOM?): say it plainly */
            PyErr_SetString(PyExc_ValueError, "invalid UTF-8");
        }
        return;
    }
    char reason[128];
    snprintf(reason, sizeof reason, "%zu invalid byte sequence%s", invalid, invalid == 1 ? "" : "s");
    PyObject *e = PyUnicodeDecodeError_Create(charset, t->p, (Py_ssize_t)t->n, 0, (Py_ssize_t)t->n, reason);
    if (e) {
        PyErr_SetObject(PyExc_UnicodeDecodeError, e);
        Py_DECREF(e);
    }
}

/* ---- Fingerprint ----------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    hanfold_fp fp;       /* arrays point into mem */
    void *mem;
    PyObject *key;       /* str, or NULL when not known (from_bytes) */
} FingerprintObject;

/* A Fingerprint owning copies of fp's arrays (new reference). */
static PyObject *fingerprint_new(const hanfold_fp *fp, const char *key, size_t keylen)
{
    FingerprintObject *f = PyObject_New(FingerprintObject, &Fingerprint_Type);
    if (!f)
        return NULL;
    f->fp = *fp;
    f->key = NULL;
    size_t nt = fp->tokens ? fp->ntokens : 0;
    size_t bytes = nt * sizeof(uint32_t) + fp->nsketch * sizeof(uint64_t);
    /* the sketch first: its alignment */
    f->mem = PyMem_Malloc(bytes ? bytes : 1);
    if (!f->mem) {
        f->fp.tokens = NULL;
        f->fp.sketch = NULL;
        Py_DECREF(f);
        return PyErr_NoMemory();
    }
    uint64_t *sk = f->mem;
    uint32_t *tk = (uint32_t *)(sk + fp->nsketch);
    if (fp->nsketch)
        memcpy(sk, fp->sketch, fp->nsketch * sizeof *sk);
    if (nt)
        memcpy(tk, fp->tokens, nt * sizeof *tk);
    f->fp.sketch = fp->nsketch ? sk : NULL;
    /* a short key of no tokens still has a tokens array (not NULL: NULL
     * means "sketch only" to the codec and the clusterer) */
    f->fp.tokens = fp->tokens ? tk : NULL;
    /* the key only where a row carries it (a short record): a long one
     * could be megabytes */
    if (key && fp->tokens && !(f->key = PyUnicode_DecodeUTF8(key, (Py_ssize_t)keylen, "strict"))) {
        Py_DECREF(f);
        return NULL;
    }
    return (PyObject *)f;
}

static void Fingerprint_dealloc(FingerprintObject *f)
{
    PyMem_Free(f->mem);
    Py_XDECREF(f->key);
    PyObject_Free(f);
}

static PyObject *Fingerprint_bytes(FingerprintObject *f, PyObject *unused)
{
    (void)unused;
    size_t n = hanfold_fp_encoded_size(&f->fp);
    if (!n) {
        PyErr_SetString(PyExc_ValueError, "this fingerprint cannot be encoded");
        return NULL;
    }
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (b)
        hanfold_fp_encode(PyBytes_AS_STRING(b), n, &f->fp);
    return b;
}

static PyObject *Fingerprint_from_bytes(PyObject *cls, PyObject *arg)
{
    (void)cls;
    Py_buffer v;
    if (PyObject_GetBuffer(arg, &v, PyBUF_SIMPLE))
        return NULL;
    hanfold_fp fp;
    hanfold_fp_store *store = PyMem_Malloc(sizeof *store);
    if (!store) {
        PyBuffer_Release(&v);
        return PyErr_NoMemory();
    }
    size_t used;
    int e = hanfold_fp_decode(v.buf, (size_t)v.len, &fp, store, &used);
    PyObject *r = NULL;
    if (e == -EPROTONOSUPPORT)
        PyErr_SetString(PyExc_ValueError, "a fingerprint of another binary version");
    else if (e)
        PyErr_SetString(PyExc_ValueError, "not a hanfold fingerprint encoding");
    else if (used != (size_t)v.len)
        PyErr_SetString(PyExc_ValueError, "bytes after the fingerprint encoding");
    else
        r = fingerprint_new(&fp, NULL, 0);
    PyMem_Free(store);
    PyBuffer_Release(&v);
    return r;
}

static PyObject *Fingerprint_reduce(FingerprintObject *f, PyObject *unused)
{
    (void)unused;
    PyObject *b = Fingerprint_bytes(f, NULL);
    if (!b)
        return NULL;
    PyObject *from = PyObject_GetAttrString((PyObject *)Py_TYPE(f), "from_bytes");
    PyObject *r = from ? Py_BuildValue("(N(N)O)", from, b, f->key ? f->key : Py_None) : NULL;
    if (!from)
        Py_DECREF(b);
    return r;
}

static PyObject *Fingerprint_setstate(FingerprintObject *f, PyObject *state)
{
    if (state != Py_None) {
        if (!PyUnicode_Check(state)) {
            PyErr_SetString(PyExc_TypeError, "bad Fingerprint state");
            return NULL;
        }
        Py_INCREF(state);
        Py_XSETREF(f->key, state);
    }
    Py_RETURN_NONE;
}

static PyObject *Fingerprint_row(FingerprintObject *f, PyObject *id)
{
    if (!PyUnicode_Check(id)) {
        PyErr_Format(PyExc_TypeError, "id must be a str, not %.100s", Py_TYPE(id)->tp_name);
        return NULL;
    }
    hanfold_fprow row = {.simhash = f->fp.simhash, .key_hash = f->fp.key_hash, .key_tokens = f->fp.key_tokens};
    Py_ssize_t n;
    if (!(row.id = PyUnicode_AsUTF8AndSize(id, &n)))
        return NULL;
    row.id_len = (size_t)n;
    if (f->fp.tokens) {
        if (!f->key) {
            PyErr_SetString(PyExc_ValueError, "the row of a short record carries its key, which a fingerprint "
                            "made by from_bytes() does not know");
            return NULL;
        }
        if (!(row.key = PyUnicode_AsUTF8AndSize(f->key, &n)))
            return NULL;
        row.key_len = (size_t)n;
    } else {
        row.sketch = f->fp.sketch;
        row.nsketch = f->fp.nsketch;
    }
    size_t len = hanfold_fp_encode_row(NULL, 0, &row);
    char *buf = PyMem_Malloc(len);
    if (!buf)
        return PyErr_NoMemory();
    hanfold_fp_encode_row(buf, len, &row);
    PyObject *r = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "surrogateescape");
    PyMem_Free(buf);
    return r;
}

static PyObject *Fingerprint_distance(FingerprintObject *f, PyObject *other)
{
    if (!PyObject_TypeCheck(other, &Fingerprint_Type)) {
        PyErr_SetString(PyExc_TypeError, "distance() takes a Fingerprint");
        return NULL;
    }
    return PyLong_FromLong(__builtin_popcountll(f->fp.simhash ^ ((FingerprintObject *)other)->fp.simhash));
}

static PyObject *Fingerprint_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!PyObject_TypeCheck(b, &Fingerprint_Type) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    const hanfold_fp *x = &((FingerprintObject *)a)->fp, *y = &((FingerprintObject *)b)->fp;
    bool eq = x->simhash == y->simhash && x->key_hash == y->key_hash && x->key_tokens == y->key_tokens &&
              !x->tokens == !y->tokens && x->nsketch == y->nsketch &&
              (!x->tokens || x->ntokens == y->ntokens) &&
              (!x->tokens || !x->ntokens || !memcmp(x->tokens, y->tokens, x->ntokens * sizeof *x->tokens)) &&
              (!x->nsketch || !memcmp(x->sketch, y->sketch, x->nsketch * sizeof *x->sketch));
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t Fingerprint_hash(FingerprintObject *f)
{
    Py_hash_t h = (Py_hash_t)(f->fp.key_hash ^ f->fp.simhash);
    return h == -1 ? -2 : h;
}

static PyObject *Fingerprint_repr(FingerprintObject *f)
{
    char buf[96];
    snprintf(buf, sizeof buf, "<hanfold.Fingerprint simhash=%016llx key_tokens=%lu>",
             (unsigned long long)f->fp.simhash, (unsigned long)f->fp.key_tokens);
    return PyUnicode_FromString(buf);
}

static PyObject *Fingerprint_get_simhash(FingerprintObject *f, void *c) { (void)c; return PyLong_FromUnsignedLongLong(f->fp.simhash); }
static PyObject *Fingerprint_get_key_hash(FingerprintObject *f, void *c) { (void)c; return PyLong_FromUnsignedLongLong(f->fp.key_hash); }
static PyObject *Fingerprint_get_key_tokens(FingerprintObject *f, void *c) { (void)c; return PyLong_FromUnsignedLong(f->fp.key_tokens); }
static PyObject *Fingerprint_get_key(FingerprintObject *f, void *c)
{
    (void)c;
    PyObject *k = f->key ? f->key : Py_None;
    Py_INCREF(k);
    return k;
}
static PyObject *Fingerprint_get_sketch(FingerprintObject *f, void *c)
{
    (void)c;
    PyObject *t = PyTuple_New((Py_ssize_t)f->fp.nsketch);
    for (size_t i = 0; t && i < f->fp.nsketch; i++) {
        PyObject *v = PyLong_FromUnsignedLongLong(f->fp.sketch[i]);
        if (!v) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    return t;
}

static PyGetSetDef Fingerprint_getset[] = {
    {"simhash", (getter)Fingerprint_get_simhash, NULL, "64-bit Charikar SimHash of the key's 3-gram shingles (int).", NULL},
    {"key_tokens", (getter)Fingerprint_get_key_tokens, NULL,
     "Length of the key in tokens (Han characters, Latin and digit runs): the key length of\n"
     "`hanfold fingerprint` rows.", NULL},
    {"key_length", (getter)Fingerprint_get_key_tokens, NULL, "Same as key_tokens.", NULL},
    {"key_hash", (getter)Fingerprint_get_key_hash, NULL, "XXH3-64 of the key, for exact duplicates (int).", NULL},
    {"key", (getter)Fingerprint_get_key, NULL,
     "The dedup key (str) when the fingerprint was made from text, None after from_bytes().", NULL},
    {"sketch", (getter)Fingerprint_get_sketch, NULL,
     "Bottom-k sketch: up to 128 smallest distinct shingle hashes, ascending (tuple of int).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef Fingerprint_methods[] = {
    {"__bytes__", (PyCFunction)Fingerprint_bytes, METH_NOARGS,
     "bytes(fp): the library's compact binary encoding (versioned, little-endian),\n"
     "for files and the network; Fingerprint.from_bytes() reads it back."},
    {"from_bytes", (PyCFunction)Fingerprint_from_bytes, METH_O | METH_CLASS,
     "Fingerprint.from_bytes(data) -> Fingerprint\n\n"
     "Decodes bytes(fp) made on any machine.  ValueError for bytes that are no\n"
     "fingerprint.  The key itself is not in the encoding (its tokens are), so\n"
     "fp.key is None; clustering does not need it."},
    {"row", (PyCFunction)Fingerprint_row, METH_O,
     "fp.row(id) -> str\n\n"
     "The row `hanfold fingerprint` writes for this record (TSV, with its newline):\n"
     "the exchange format `hanfold cluster --fingerprints` reads."},
    {"distance", (PyCFunction)Fingerprint_distance, METH_O,
     "fp.distance(other) -> int: Hamming distance of the two SimHashes (0..64)."},
    {"__reduce__", (PyCFunction)Fingerprint_reduce, METH_NOARGS, "Pickles through bytes(fp) (and the key)."},
    {"__setstate__", (PyCFunction)Fingerprint_setstate, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Fingerprint_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hanfold.Fingerprint",
    .tp_basicsize = sizeof(FingerprintObject),
    .tp_dealloc = (destructor)Fingerprint_dealloc,
    .tp_repr = (reprfunc)Fingerprint_repr,
    .tp_hash = (hashfunc)Fingerprint_hash,
    .tp_richcompare = Fingerprint_richcompare,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Fingerprint of a record: what clustering needs of it, without the text.\n\n"
              "Made by fingerprint() and fingerprint_many(); compared by Clusterer.add_fingerprint().\n"
              "bytes(fp) and Fingerprint.from_bytes() carry it between machines (pickle\n"
              "uses them too), so that shards fingerprinted anywhere cluster in one place.",
    .tp_methods = Fingerprint_methods,
    .tp_getset = Fingerprint_getset,
};

/* ---- one record --------------------------------------------------------------------- */

enum { OUT_TEXT, OUT_KEY, OUT_FP };

/* Normalizes one record with a context of n's pool: the readable text,
 * the key, or the fingerprint (new reference). */
static PyObject *process_one(NormalizerObject *n, PyObject *obj, const opts *o, int what)
{
    text_in t;
    if (get_text(obj, o, &t))
        return NULL;
    hanfold_ctx *c = acquire_ctx(n);
    if (!c) {
        release_text(&t);
        return NULL;
    }
    const char *charset = o->encoding ? o->encoding : "UTF-8";
    const char *in = t.p;
    size_t len = t.n, invalid = 0;
    hanfold_result res;
    hanfold_fp fp;
    int e = 0, stage = 0;
    bool nogil = len >= GIL_MIN;
    PyThreadState *ts = nogil ? PyEval_SaveThread() : NULL;
    if (t.decode) {
        if (!strcasecmp(charset, "auto")) {
            size_t bom;
            charset = hanfold_detect_charset(in, len, n->set.html != HANFOLD_HTML_OFF, &bom);
            in += bom;
            len -= bom;
        }
        e = hanfold_decode(c, in, len, charset, &in, &len, &invalid);
    }
    if (!e && !(invalid && o->strict)) {
        stage = 1;
        e = hanfold_process(c, in, len, what == OUT_TEXT ? HANFOLD_WANT_TEXT : HANFOLD_WANT_KEY, &res);
        if (!e && what == OUT_FP)
            e = hanfold_fingerprint(c, res.key, res.key_len, &fp);
    }
    if (ts)
        PyEval_RestoreThread(ts);
    PyObject *r = NULL;
    if (e == -EINVAL && stage == 0)
        PyErr_Format(PyExc_LookupError, "unknown encoding: %s", charset);
    else if (e)
        raise_lib(e, hanfold_ctx_error(c));
    else if (invalid && o->strict)
        raise_decode_error(&t, charset, invalid);
    else if (what == OUT_TEXT)
        r = PyUnicode_DecodeUTF8(res.text, (Py_ssize_t)res.text_len, "strict");
    else if (what == OUT_KEY)
        r = PyUnicode_DecodeUTF8(res.key, (Py_ssize_t)res.key_len, "strict");
    else
        r = fingerprint_new(&fp, res.key, res.key_len);
    if (r) {
        uint64_t line;
        const char *w = hanfold_ctx_warning(c, &line);
        if (warn_record(w, line, 0, false))
            Py_CLEAR(r);
    }
    release_ctx(n, c, t.n);
    release_text(&t);
    return r;
}

/* ---- many records ------------------------------------------------------------------- */

/* Runs recs[0..count) (texts in ins) through a batch without the GIL and
 * appends what `what` asks for to out.  rec_base numbers the records in
 * messages. */
static int run_chunk(NormalizerObject *n, hanfold_batch *b, text_in *ins, hanfold_batch_record *recs, size_t count,
                     const opts *o, int what, PyObject *out, size_t rec_base)
{
    bool decode = false;
    for (size_t i = 0; i < count; i++)
        decode |= ins[i].decode;
    /* str records are valid UTF-8; bytes (or a str with a lone surrogate)
     * are decoded, as are all records then: valid UTF-8 stays as it is */
    const char *charset = o->encoding ? o->encoding : decode ? "UTF-8" : NULL;
    unsigned want = what == OUT_TEXT ? HANFOLD_WANT_TEXT : what == OUT_KEY ? HANFOLD_WANT_KEY : HANFOLD_WANT_FP;
    int e;
    Py_BEGIN_ALLOW_THREADS
    e = hanfold_batch_run(b, recs, count, charset, want);
    Py_END_ALLOW_THREADS
    if (e) {
        raise_lib(e, NULL);
        return -1;
    }
    (void)n;
    for (size_t i = 0; i < count; i++) {
        const hanfold_batch_result *r = hanfold_batch_get(b, i);
        if (r->err) {
            if (r->err == -EINVAL && charset && strcasecmp(charset, "UTF-8"))
                PyErr_Format(PyExc_LookupError, "unknown encoding: %s", charset);
            else if (r->err == -ENOMEM)
                PyErr_NoMemory();
            else
                PyErr_Format(PyExc_ValueError, "record %zu: %s", rec_base + i, r->error);
            return -1;
        }
        if (r->invalid && o->strict) {
            raise_decode_error(&ins[i], charset, r->invalid);
            return -1;
        }
        if (warn_record(r->warning, 0, rec_base + i, true))
            return -1;
        PyObject *v = what == OUT_TEXT  ? PyUnicode_DecodeUTF8(r->text, (Py_ssize_t)r->text_len, "strict")
                      : what == OUT_KEY ? PyUnicode_DecodeUTF8(r->key, (Py_ssize_t)r->key_len, "strict")
                                        : fingerprint_new(&r->fp, r->key, r->key_len);
        if (!v || PyList_Append(out, v)) {
            Py_XDECREF(v);
            return -1;
        }
        Py_DECREF(v);
    }
    return 0;
}

/* normalize_many, key_many, fingerprint_many: a list of the results, in
 * order, made on the batch's threads chunk by chunk. */
static PyObject *process_many(NormalizerObject *n, PyObject *iterable, const opts *o, int what)
{
    PyObject *it = PyObject_GetIter(iterable);
    if (!it)
        return NULL;
    PyObject *out = PyList_New(0);
    PyObject *held = PyList_New(0); /* the chunk's objects, alive while their bytes are read */
    text_in *ins = PyMem_Calloc(CHUNK_RECORDS, sizeof *ins);
    hanfold_batch_record *recs = PyMem_Calloc(CHUNK_RECORDS, sizeof *recs);
    hanfold_batch *b = NULL;
    size_t count = 0, bytes = 0, base = 0, largest = 0;
    bool ok = out && held && ins && recs;
    if (ok && !(b = acquire_batch(n, o->threads)))
        ok = false;
    if (!ins || !recs)
        PyErr_NoMemory();
    while (ok) {
        PyObject *x = PyIter_Next(it);
        if (!x && PyErr_Occurred()) {
            ok = false;
            break;
        }
        if (x) {
            if (PyList_Append(held, x) || get_text(x, o, &ins[count])) {
                Py_DECREF(x);
                ok = false;
                break;
            }
            Py_DECREF(x);
            recs[count].data = ins[count].p;
            recs[count].len = ins[count].n;
            bytes += ins[count].n;
            if (ins[count].n > largest)
                largest = ins[count].n;
            count++;
        }
        if (count && (!x || count == CHUNK_RECORDS || bytes >= CHUNK_BYTES)) {
            ok = run_chunk(n, b, ins, recs, count, o, what, out, base + 1) == 0;
            for (size_t i = 0; i < count; i++)
                release_text(&ins[i]);
            base += count;
            count = bytes = 0;
            if (PyList_SetSlice(held, 0, PyList_GET_SIZE(held), NULL))
                ok = false;
        }
        if (!x)
            break;
    }
    for (size_t i = 0; ins && i < count; i++)
        release_text(&ins[i]);
    if (b)
        release_batch(n, b, o->threads, largest);
    PyMem_Free(ins);
    PyMem_Free(recs);
    Py_XDECREF(held);
    Py_DECREF(it);
    if (!ok)
        Py_CLEAR(out);
    return out;
}

/* ---- the functions, as methods and module functions ------------------------------- */

/* Splits (text, **kw) for a Normalizer method: only the per-call keywords. */
static int method_args(PyObject *args, PyObject *kw, const char *fname, unsigned extra, PyObject **text, opts *o)
{
    opts_init(o);
    if (PyTuple_GET_SIZE(args) != 1) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly one positional argument (%zd given)", fname,
                     PyTuple_GET_SIZE(args));
        return -1;
    }
    *text = PyTuple_GET_ITEM(args, 0);
    if (kw) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &k, &v)) {
            const char *ks = PyUnicode_AsUTF8(k);
            if (!ks)
                return -1;
            bool per_call = !strcmp(ks, "encoding") || !strcmp(ks, "strict") ||
                            ((extra & EXTRA_THREADS) && !strcmp(ks, "threads"));
            int r = per_call ? take_option(o, ks, v, extra | EXTRA_ENCODING) : 0;
            if (r < 0)
                return -1;
            if (r == 0) {
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s' (settings belong "
                             "to the Normalizer)", fname, ks);
                return -1;
            }
        }
    }
    return 0;
}

#define METHOD(name, what, extra, many)                                                                 \
    static PyObject *Normalizer_##name(NormalizerObject *n, PyObject *args, PyObject *kw)                \
    {                                                                                                   \
        PyObject *text;                                                                                 \
        opts o;                                                                                         \
        if (method_args(args, kw, #name, extra, &text, &o))                                             \
            return NULL;                                                                                \
        return many ? process_many(n, text, &o, what) : process_one(n, text, &o, what);                 \
    }                                                                                                   \
    static PyObject *mod_##name(PyObject *self, PyObject *args, PyObject *kw)                           \
    {                                                                                                   \
        (void)self;                                                                                     \
        opts o;                                                                                         \
        opts_init(&o);                                                                                  \
        if (PyTuple_GET_SIZE(args) != 1) {                                                              \
            PyErr_Format(PyExc_TypeError, #name "() takes exactly one positional argument (%zd given)", \
                         PyTuple_GET_SIZE(args));                                                       \
            return NULL;                                                                                \
        }                                                                                               \
        if (parse_kw(&o, kw, EXTRA_ENCODING | (extra), #name))                                          \
            return NULL;                                                                                \
        PyObject *n = normalizer_for(&o);                                                               \
        if (!n)                                                                                         \
            return NULL;                                                                                \
        PyObject *text = PyTuple_GET_ITEM(args, 0);                                                     \
        PyObject *r = many ? process_many((NormalizerObject *)n, text, &o, what)                        \
                           : process_one((NormalizerObject *)n, text, &o, what);                        \
        Py_DECREF(n);                                                                                   \
        return r;                                                                                       \
    }

METHOD(normalize, OUT_TEXT, 0, false)
METHOD(key, OUT_KEY, 0, false)
METHOD(fingerprint, OUT_FP, 0, false)
METHOD(normalize_many, OUT_TEXT, EXTRA_THREADS, true)
METHOD(key_many, OUT_KEY, EXTRA_THREADS, true)
METHOD(fingerprint_many, OUT_FP, EXTRA_THREADS, true)

static PyObject *Normalizer_repr(NormalizerObject *n)
{
    const hanfold_settings *s = &n->set;
    return PyUnicode_FromFormat("hanfold.Normalizer(to='%s', html=%s, pinyin_repair=%s, repair_mojibake=%s, "
                                "keep_lines=%s, opencc_config=%R)",
                                target_names[s->target],
                                s->html == HANFOLD_HTML_AUTO ? "None" : s->html == HANFOLD_HTML_ON ? "True" : "False",
                                s->repair_pinyin ? "True" : "False", s->repair_mojibake ? "True" : "False",
                                s->keep_lines ? "True" : "False", n->opencc_config ? n->opencc_config : Py_None);
}

/* The keyword settings that make a Normalizer like n (new reference). */
static PyObject *Normalizer_settings(NormalizerObject *n, PyObject *unused)
{
    (void)unused;
    const hanfold_settings *s = &n->set;
    static const struct { const char *n; unsigned k; } kinds[] = {
        {"url", HANFOLD_FURNITURE_URL}, {"location", HANFOLD_FURNITURE_LOCATION},
        {"emoticon", HANFOLD_FURNITURE_EMOTICON}, {"card", HANFOLD_FURNITURE_CARD},
    };
    unsigned f = s->drop_furniture;
    char furn[64] = "";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (f & kinds[i].k) {
            if (furn[0])
                strcat(furn, ",");
            strcat(furn, kinds[i].n);
        }
    PyObject *html = s->html == HANFOLD_HTML_AUTO ? Py_None : s->html == HANFOLD_HTML_ON ? Py_True : Py_False;
    return Py_BuildValue("{s:s,s:O,s:O,s:O,s:s,s:O,s:O,s:O,s:O}", "to", target_names[s->target], "html", html,
                         "pinyin_repair", s->repair_pinyin ? Py_True : Py_False, "repair_mojibake",
                         s->repair_mojibake ? Py_True : Py_False, "drop_furniture", furn[0] ? furn : "none",
                         "keep_lines", s->keep_lines ? Py_True : Py_False, "script_only",
                         s->script_only ? Py_True : Py_False, "opencc_config",
                         n->opencc_config ? n->opencc_config : Py_None, "opencc_dir",
                         n->opencc_dir ? n->opencc_dir : Py_None);
}

/* Pickles as its settings, so that pipelines that ship their steps to
 * other processes (Dask, multiprocessing, datatrove) can take one. */
static PyObject *Normalizer_reduce(NormalizerObject *n, PyObject *unused)
{
    (void)unused;
    PyObject *mod = PyImport_ImportModule("hanfold");
    if (!mod)
        return NULL;
    PyObject *make = PyObject_GetAttrString(mod, "_normalizer_from_settings");
    Py_DECREF(mod);
    if (!make)
        return NULL;
    PyObject *kw = Normalizer_settings(n, NULL);
    if (!kw) {
        Py_DECREF(make);
        return NULL;
    }
    return Py_BuildValue("(N(N))", make, kw);
}

static PyObject *normalizer_from_settings(PyObject *self, PyObject *kw)
{
    (void)self;
    if (!PyDict_Check(kw)) {
        PyErr_SetString(PyExc_TypeError, "_normalizer_from_settings() takes a dict");
        return NULL;
    }
    PyObject *args = PyTuple_New(0);
    if (!args)
        return NULL;
    PyObject *r = Normalizer_new(&Normalizer_Type, args, kw);
    Py_DECREF(args);
    return r;
}

#define DOC_SETTINGS \
    "Settings (keywords; the names of the command line's options):\n" \
    "  to='simplified'      the script of the readable text: simplified, traditional,\n" \
    "                       taiwan, hongkong (the key is always from simplified)\n" \
    "  html=None            True: every record is HTML; False: never; None: detect\n" \
    "                       real markup per record\n" \
    "  pinyin_repair=True   remove flattened pinyin readings such as 產(chǎn)\n" \
    "  repair_mojibake=False  repair UTF-8 read as GBK and GBK read one byte off\n" \
    "  drop_furniture='url,location'  repost furniture the key leaves out: url,\n" \
    "                       location, emoticon, card, all or none (str or list)\n" \
    "  keep_lines=False     keep line breaks inside a record (what --input paragraphs\n" \
    "                       and files do); otherwise lines are joined\n" \
    "  opencc_config=None   an OpenCC config (name or path) applied to every record\n" \
    "  opencc_dir=None      where opencc_config names are looked up\n" \
    "  script_only=False    only the script conversion, of the whole text\n"

#define DOC_TEXT \
    "text is a str, or bytes with encoding= (default UTF-8; 'auto' detects: BOM,\n" \
    "<meta charset>, uchardet).  Invalid byte sequences and lone surrogates become\n" \
    "U+FFFD, as on the command line; strict=True raises UnicodeDecodeError\n" \
    "(UnicodeEncodeError for a str) instead.\n"

#define DOC_MANY \
    "texts is any iterable of str or bytes; the result is a list in the same order.\n" \
    "The records are processed in batches on the library's threads (threads=None:\n" \
    "one per processor, as `hanfold --threads`), without the GIL; the results do not\n" \
    "depend on the number of threads.\n"

PyDoc_STRVAR(normalize_doc,
"normalize(text, **settings, encoding=None, strict=False) -> str\n\n"
"The readable normalized text of one record, as `hanfold normalize` prints it:\n"
"HTML reduced to text, pinyin readings removed, NFKC, whitespace collapsed, and\n"
"the script converted per clause (text already in the target script is left\n"
"alone, so normalize(normalize(x)) == normalize(x)).\n\n"
"    >>> hanfold.normalize('軟體更新了。')\n"
"    '软体更新了。'\n"
"    >>> hanfold.normalize('软件', to='taiwan')\n"
"    '軟件'\n\n"
DOC_TEXT "\n" DOC_SETTINGS);

PyDoc_STRVAR(key_doc,
"key(text, **settings, encoding=None, strict=False) -> str\n\n"
"The dedup key of one record, as `hanfold normalize --key` prints it: the text in\n"
"simplified script, lower-cased, letters and digits only, variant characters\n"
"folded, so that the same text in any script gives the same key.\n\n"
"    >>> hanfold.key('軟體更新了。') == hanfold.key('软件 更新了')\n"
"    True\n\n"
DOC_TEXT "\nSettings as for normalize().");

PyDoc_STRVAR(fingerprint_doc,
"fingerprint(text, **settings, encoding=None, strict=False) -> Fingerprint\n\n"
"The fingerprint of one record's key, as `hanfold fingerprint` computes it:\n"
"64-bit SimHash, key length in tokens, key hash and what verification needs.\n"
"Clusterer.add_fingerprint() takes it; bytes(fp) ships it.\n\n"
"    >>> fp = hanfold.fingerprint('軟體更新了。')\n"
"    >>> fp.key_tokens, hex(fp.simhash)\n\n"
DOC_TEXT "\nSettings as for normalize().");

PyDoc_STRVAR(normalize_many_doc,
"normalize_many(texts, **settings, encoding=None, strict=False, threads=None) -> list of str\n\n"
"normalize() for many records at once.  " DOC_MANY);
PyDoc_STRVAR(key_many_doc,
"key_many(texts, **settings, encoding=None, strict=False, threads=None) -> list of str\n\n"
"key() for many records at once.  " DOC_MANY);
PyDoc_STRVAR(fingerprint_many_doc,
"fingerprint_many(texts, **settings, encoding=None, strict=False, threads=None) -> list of Fingerprint\n\n"
"fingerprint() for many records at once.  " DOC_MANY);

static PyMethodDef Normalizer_methods[] = {
    {"normalize", (PyCFunction)(void (*)(void))Normalizer_normalize, METH_VARARGS | METH_KEYWORDS, normalize_doc},
    {"key", (PyCFunction)(void (*)(void))Normalizer_key, METH_VARARGS | METH_KEYWORDS, key_doc},
    {"fingerprint", (PyCFunction)(void (*)(void))Normalizer_fingerprint, METH_VARARGS | METH_KEYWORDS, fingerprint_doc},
    {"normalize_many", (PyCFunction)(void (*)(void))Normalizer_normalize_many, METH_VARARGS | METH_KEYWORDS,
     normalize_many_doc},
    {"key_many", (PyCFunction)(void (*)(void))Normalizer_key_many, METH_VARARGS | METH_KEYWORDS, key_many_doc},
    {"fingerprint_many", (PyCFunction)(void (*)(void))Normalizer_fingerprint_many, METH_VARARGS | METH_KEYWORDS,
     fingerprint_many_doc},
    {"settings", (PyCFunction)Normalizer_settings, METH_NOARGS,
     "settings() -> dict\n\nThe keyword settings this Normalizer was made with: Normalizer(**n.settings())\n"
     "is an equal one."},
    {"__reduce__", (PyCFunction)Normalizer_reduce, METH_NOARGS, "Pickles as its settings."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Normalizer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hanfold.Normalizer",
    .tp_basicsize = sizeof(NormalizerObject),
    .tp_dealloc = (destructor)Normalizer_dealloc,
    .tp_repr = (reprfunc)Normalizer_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Normalizer(**settings): normalize, key and fingerprint with fixed settings.\n\n"
              "Like opencc.OpenCC(config): make it once, call it many times.  Its methods are\n"
              "the module's functions (normalize, key, fingerprint and their _many forms)\n"
              "without the settings keywords.  It may be shared by threads: each call takes\n"
              "a context of its own.  An OpenCC config that cannot be loaded raises\n"
              "ValueError here.\n\n" DOC_SETTINGS,
    .tp_methods = Normalizer_methods,
    .tp_new = Normalizer_new,
};

/* ---- Clusterer ---------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    hanfold_clusterer *cl;
    hanfold_cluster_settings cs;
    PyObject *norm;  /* the Normalizer for add(text) */
    PyObject *ids;   /* list: the id of every record, by number */
    PyObject *sims;  /* list of float: similarity to the record matched */
    bool busy;       /* a call is running without the GIL */
} ClustererObject;

static PyTypeObject Clusterer_Type;

/* The clusterer and the ids list change while add() runs without the
 * GIL (the ids list is one longer than the similarities then): readers in
 * other threads are refused as a second add() is. */
static int check_idle(ClustererObject *c)
{
    if (c->busy) {
        PyErr_SetString(PyExc_RuntimeError, "Clusterer used by two threads at once");
        return -1;
    }
    return 0;
}

static const char *const cluster_kw[] = {"threshold", "long_threshold", "jaccard_threshold", "min_ratio"};

/* Takes the clusterer's own keywords out of kw (into cs), leaving the
 * normalization settings.  Returns the rest (new reference) or NULL. */
static PyObject *take_cluster_kw(PyObject *kw, hanfold_cluster_settings *cs, bool allow_linkage)
{
    PyObject *rest = kw ? PyDict_Copy(kw) : PyDict_New();
    if (!rest)
        return NULL;
    double *fields[] = {&cs->threshold, &cs->long_threshold, &cs->jaccard_threshold, &cs->min_ratio};
    for (int i = 0; i < 4; i++) {
        PyObject *v = PyDict_GetItemString(rest, cluster_kw[i]);
        if (!v)
            continue;
        double d = PyFloat_AsDouble(v);
        if ((d == -1.0 && PyErr_Occurred()) || !(d >= 0.0 && d <= 1.0)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "invalid value %R for %s (expected a number from 0 to 1)", v, cluster_kw[i]);
            Py_DECREF(rest);
            return NULL;
        }
        *fields[i] = d;
        PyDict_DelItemString(rest, cluster_kw[i]);
    }
    PyObject *v = PyDict_GetItemString(rest, "linkage");
    if (v) {
        const char *s = allow_linkage && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
        if (s && !strcmp(s, "single"))
            cs->linkage = HANFOLD_LINKAGE_SINGLE;
        else if (s && !strcmp(s, "representative"))
            cs->linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
        else {
            PyErr_Clear();
            if (allow_linkage)
                PyErr_Format(PyExc_ValueError, "invalid value %R for linkage (expected single or representative)", v);
            else
                PyErr_SetString(PyExc_TypeError, "dedup compares with kept records only (linkage representative); "
                                "use Clusterer for chains");
            Py_DECREF(rest);
            return NULL;
        }
        PyDict_DelItemString(rest, "linkage");
    }
    return rest;
}

static PyObject *Clusterer_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if (PyTuple_GET_SIZE(args)) {
        PyErr_SetString(PyExc_TypeError, "Clusterer() takes keyword arguments only");
        return NULL;
    }
    ClustererObject *c = (ClustererObject *)type->tp_alloc(type, 0);
    if (!c)
        return NULL;
    hanfold_cluster_settings_default(&c->cs);
    /* the command line's default: single linkage (hanfold cluster) */
    c->cs.linkage = HANFOLD_LINKAGE_SINGLE;
    PyObject *rest = take_cluster_kw(kw, &c->cs, true);
    opts o;
    opts_init(&o);
    if (!rest || parse_kw(&o, rest, 0, "Clusterer") || !(c->norm = normalizer_for(&o))) {
        Py_XDECREF(rest);
        Py_DECREF(c);
        return NULL;
    }
    Py_DECREF(rest);
    if (!(c->ids = PyList_New(0)) || !(c->sims = PyList_New(0))) {
        Py_DECREF(c);
        return NULL;
    }
    int e = hanfold_clusterer_new(&c->cl, &c->cs);
    if (e) {
        Py_DECREF(c);
        return raise_lib(e, "invalid cluster settings");
    }
    return (PyObject *)c;
}

static int Clusterer_traverse(ClustererObject *c, visitproc visit, void *arg)
{
    Py_VISIT(c->ids);
    Py_VISIT(c->norm);
    return 0;
}

static int Clusterer_clear(ClustererObject *c)
{
    Py_CLEAR(c->ids);
    Py_CLEAR(c->sims);
    Py_CLEAR(c->norm);
    return 0;
}

static void Clusterer_dealloc(ClustererObject *c)
{
    PyObject_GC_UnTrack(c);
    Clusterer_clear(c);
    hanfold_clusterer_free(&c->cl);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

/* The id of record i's cluster as it stands (borrowed). */
static PyObject *cluster_id(ClustererObject *c, uint64_t i)
{
    uint64_t k = hanfold_clusterer_cluster_of(c->cl, i);
    return PyList_GET_ITEM(c->ids, (Py_ssize_t)(k == UINT64_MAX ? i : k));
}

/* Adds fp under id: (cluster id, similarity). */
static PyObject *cluster_add(ClustererObject *c, PyObject *id, const hanfold_fp *fp)
{
    if (check_idle(c))
        return NULL;
    if (PyList_Append(c->ids, id))
        return NULL;
    uint64_t match;
    double sim;
    int e;
    c->busy = true;
    Py_BEGIN_ALLOW_THREADS
    e = hanfold_clusterer_add(c->cl, fp, &match, &sim);
    Py_END_ALLOW_THREADS
    c->busy = false;
    if (e) {
        PySequence_DelItem(c->ids, PyList_GET_SIZE(c->ids) - 1);
        return raise_lib(e, e == -EOVERFLOW ? "more records than one clusterer can hold (2^32 - 2)" : NULL);
    }
    PyObject *s = PyFloat_FromDouble(sim);
    if (!s || PyList_Append(c->sims, s)) {
        Py_XDECREF(s);
        return NULL;
    }
    Py_DECREF(s);
    uint64_t me = hanfold_clusterer_count(c->cl) - 1;
    return Py_BuildValue("(Od)", cluster_id(c, me), sim);
}

static PyObject *Clusterer_add(ClustererObject *c, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"id", "text", "encoding", "strict", NULL};
    PyObject *id, *text, *enc = Py_None;
    int strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|Op:add", kwlist, &id, &text, &enc, &strict))
        return NULL;
    opts o;
    opts_init(&o);
    o.strict = strict;
    if (take_option(&o, "encoding", enc, EXTRA_ENCODING) < 0)
        return NULL;
    FingerprintObject *fp = (FingerprintObject *)process_one((NormalizerObject *)c->norm, text, &o, OUT_FP);
    if (!fp)
        return NULL;
    PyObject *r = cluster_add(c, id, &fp->fp);
    Py_DECREF(fp);
    return r;
}

static PyObject *Clusterer_add_fingerprint(ClustererObject *c, PyObject *args)
{
    PyObject *id, *fp;
    if (!PyArg_ParseTuple(args, "OO!:add_fingerprint", &id, &Fingerprint_Type, &fp))
        return NULL;
    return cluster_add(c, id, &((FingerprintObject *)fp)->fp);
}

static PyObject *Clusterer_clusters(ClustererObject *c, PyObject *unused)
{
    (void)unused;
    if (check_idle(c))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(c->ids);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *row = PyTuple_Pack(3, PyList_GET_ITEM(c->ids, i), cluster_id(c, (uint64_t)i),
                                     PyList_GET_ITEM(c->sims, i));
        if (!row) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, row);
    }
    return out;
}

static PyObject *Clusterer_cluster_of(ClustererObject *c, PyObject *arg)
{
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if ((i == -1 && PyErr_Occurred()) || check_idle(c))
        return NULL;
    if (i < 0 || i >= PyList_GET_SIZE(c->ids)) {
        PyErr_SetString(PyExc_IndexError, "no such record number");
        return NULL;
    }
    PyObject *r = cluster_id(c, (uint64_t)i);
    Py_INCREF(r);
    return r;
}

static Py_ssize_t Clusterer_len(ClustererObject *c)
{
    return PyList_GET_SIZE(c->ids);
}

static PyMethodDef Clusterer_methods[] = {
    {"add", (PyCFunction)(void (*)(void))Clusterer_add, METH_VARARGS | METH_KEYWORDS,
     "add(id, text, encoding=None, strict=False) -> (cluster_id, similarity)\n\n"
     "Normalizes and fingerprints text with the Clusterer's settings and adds it as\n"
     "the next record.  cluster_id is the id of the first record of its cluster (its\n"
     "own id when it starts one), similarity that to the record it matched (1.0\n"
     "when none).  With single linkage a later record can merge two clusters: the\n"
     "final ids are those of clusters()."},
    {"add_fingerprint", (PyCFunction)Clusterer_add_fingerprint, METH_VARARGS,
     "add_fingerprint(id, fp) -> (cluster_id, similarity)\n\n"
     "add() for a Fingerprint made elsewhere (fingerprint_many() on workers,\n"
     "Fingerprint.from_bytes()): the same result as adding the text."},
    {"clusters", (PyCFunction)Clusterer_clusters, METH_NOARGS,
     "clusters() -> list of (id, cluster_id, similarity), in the order added:\n"
     "the rows of `hanfold cluster`."},
    {"cluster_of", (PyCFunction)Clusterer_cluster_of, METH_O,
     "cluster_of(n) -> the cluster id of the n-th record added (0-based)."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Clusterer_as_sequence = {.sq_length = (lenfunc)Clusterer_len};

static PyTypeObject Clusterer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hanfold.Clusterer",
    .tp_basicsize = sizeof(ClustererObject),
    .tp_dealloc = (destructor)Clusterer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)Clusterer_traverse,
    .tp_clear = (inquiry)Clusterer_clear,
    .tp_as_sequence = &Clusterer_as_sequence,
    .tp_doc = "Clusterer(**settings): near-duplicate clusters, as `hanfold cluster` makes them.\n\n"
              "    >>> c = hanfold.Clusterer()\n"
              "    >>> c.add('a', '軟體更新了。'); c.add('b', '软件更新了')\n"
              "    ('a', 1.0)\n"
              "    ('a', 1.0)\n\n"
              "Keywords (defaults as on the command line; see the man page, THRESHOLDS):\n"
              "  threshold=0.80        keys under 100 tokens: LCS share, five tokens not\n"
              "                        counted: (LCS - 5) / (shorter - 5)\n"
              "  long_threshold=0.70   the same when the shorter key has 100 tokens or more\n"
              "  jaccard_threshold=0.30  keys over 1000 tokens: estimated 3-gram Jaccard\n"
              "  min_ratio=0.6         never match keys whose length ratio is below this\n"
              "  linkage='single'      every near-duplicate pair joins its clusters; or\n"
              "                        'representative': join the most similar earlier\n"
              "                        cluster representative\n"
              "and the normalization settings of Normalizer, for add(text).\n"
              "Ids are any Python objects.  Not for two threads at once.",
    .tp_methods = Clusterer_methods,
    .tp_new = Clusterer_new,
    .tp_alloc = PyType_GenericAlloc,
    .tp_free = PyObject_GC_Del,
};

/* ---- dedup ------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *it;         /* the records */
    PyObject *norm;
    PyObject *text_field, *id_field;
    PyObject *dropped;    /* callable or NULL */
    hanfold_batch *batch;
    hanfold_clusterer *cl;
    PyObject *rep_ids;    /* dict: record number -> id of a kept record */
    PyObject *chunk;      /* list of the records of the chunk */
    PyObject *kept;       /* list: the chunk's kept records, handed out in order */
    Py_ssize_t kept_pos;
    uint64_t number;      /* records read */
    size_t largest;       /* the longest record's bytes */
    opts o;
    PyObject *encoding_obj;
    bool done;
    /* in Dedup_next: the records' iterator, a mapping's __getitem__ and
     * dropped() run Python code, and the batch runs without the GIL; a
     * second next() then (from that code or another thread) would reuse
     * the chunk and the batch under the first */
    bool running;
} DedupObject;

static PyTypeObject Dedup_Type;

static int Dedup_traverse(DedupObject *d, visitproc visit, void *arg)
{
    Py_VISIT(d->it);
    Py_VISIT(d->norm);
    Py_VISIT(d->dropped);
    Py_VISIT(d->rep_ids);
    Py_VISIT(d->chunk);
    Py_VISIT(d->kept);
    return 0;
}

static int Dedup_clear(DedupObject *d)
{
    Py_CLEAR(d->it);
    Py_CLEAR(d->dropped);
    Py_CLEAR(d->rep_ids);
    Py_CLEAR(d->chunk);
    Py_CLEAR(d->kept);
    Py_CLEAR(d->text_field);
    Py_CLEAR(d->id_field);
    Py_CLEAR(d->encoding_obj);
    if (d->norm && d->batch) {
        release_batch((NormalizerObject *)d->norm, d->batch, d->o.threads, d->largest);
        d->batch = NULL;
    }
    Py_CLEAR(d->norm);
    return 0;
}

static void Dedup_dealloc(DedupObject *d)
{
    PyObject_GC_UnTrack(d);
    Dedup_clear(d);
    hanfold_batch_free(&d->batch);
    hanfold_clusterer_free(&d->cl);
    Py_TYPE(d)->tp_free((PyObject *)d);
}

/* A record's text and id: str/bytes (id: its 1-based number, as --input
 * lines), a mapping (text_field, id_field, as --input jsonl), or an
 * (id, text) pair.  Borrowed or new in *text; *id new. */
static int record_parts(DedupObject *d, PyObject *rec, PyObject **text, PyObject **id)
{
    *text = *id = NULL;
    if (PyUnicode_Check(rec) || PyBytes_Check(rec) || PyByteArray_Check(rec)) {
        *text = Py_NewRef(rec);
        *id = PyLong_FromUnsignedLongLong(d->number);
        return *id ? 0 : -1;
    }
    if (PyTuple_Check(rec) && PyTuple_GET_SIZE(rec) == 2) {
        *id = Py_NewRef(PyTuple_GET_ITEM(rec, 0));
        *text = Py_NewRef(PyTuple_GET_ITEM(rec, 1));
        return 0;
    }
    if (PyMapping_Check(rec)) {
        *text = PyObject_GetItem(rec, d->text_field);
        if (!*text) {
            if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_ValueError, "record %llu: no field %R", (unsigned long long)d->number,
                             d->text_field);
            }
            return -1;
        }
        *id = PyObject_GetItem(rec, d->id_field);
        if (!*id) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                Py_CLEAR(*text);
                return -1;
            }
            PyErr_Clear();
            *id = PyLong_FromUnsignedLongLong(d->number);
        }
        return *id ? 0 : -1;
    }
    PyErr_Format(PyExc_TypeError, "record %llu: expected str, bytes, a mapping or an (id, text) pair, not %.100s",
                 (unsigned long long)d->number, Py_TYPE(rec)->tp_name);
    return -1;
}

/* Reads, fingerprints and clusters the next chunk; fills d->kept. */
static int dedup_chunk(DedupObject *d)
{
    text_in ins[CHUNK_RECORDS];
    hanfold_batch_record recs[CHUNK_RECORDS];
    PyObject *ids[CHUNK_RECORDS];
    PyObject *texts[CHUNK_RECORDS];
    size_t count = 0, bytes = 0;
    int status = 0;
    if (PyList_SetSlice(d->chunk, 0, PyList_GET_SIZE(d->chunk), NULL) ||
        PyList_SetSlice(d->kept, 0, PyList_GET_SIZE(d->kept), NULL))
        return -1;
    d->kept_pos = 0;
    while (count < CHUNK_RECORDS && bytes < CHUNK_BYTES) {
        PyObject *rec = PyIter_Next(d->it);
        if (!rec) {
            if (PyErr_Occurred())
                status = -1;
            else
                d->done = true;
            break;
        }
        d->number++;
        texts[count] = ids[count] = NULL;
        int e = PyList_Append(d->chunk, rec) || record_parts(d, rec, &texts[count], &ids[count]);
        Py_DECREF(rec);
        if (e) {
            Py_XDECREF(texts[count]);
            Py_XDECREF(ids[count]);
            status = -1;
            break;
        }
        if (get_text(texts[count], &d->o, &ins[count])) {
            Py_DECREF(texts[count]);
            Py_DECREF(ids[count]);
            status = -1;
            break;
        }
        recs[count].data = ins[count].p;
        recs[count].len = ins[count].n;
        bytes += ins[count].n;
        if (ins[count].n > d->largest)
            d->largest = ins[count].n;
        count++;
    }
    if (!status && count) {
        bool decode = false;
        for (size_t i = 0; i < count; i++)
            decode |= ins[i].decode;
        const char *charset = d->o.encoding ? d->o.encoding : decode ? "UTF-8" : NULL;
        int e;
        Py_BEGIN_ALLOW_THREADS
        e = hanfold_batch_run(d->batch, recs, count, charset, HANFOLD_WANT_FP);
        Py_END_ALLOW_THREADS
        if (e) {
            raise_lib(e, NULL);
            status = -1;
        }
        /* records in input order through the clusterer: kept ones are
         * handed out, dropped ones reported */
        for (size_t i = 0; !status && i < count; i++) {
            const hanfold_batch_result *r = hanfold_batch_get(d->batch, i);
            uint64_t num = d->number - count + i + 1;
            if (r->err) {
                if (r->err == -EINVAL && charset && strcasecmp(charset, "UTF-8"))
                    PyErr_Format(PyExc_LookupError, "unknown encoding: %s", charset);
                else
                    PyErr_Format(PyExc_ValueError, "record %llu: %s", (unsigned long long)num, r->error);
                status = -1;
                break;
            }
            if (r->invalid && d->o.strict) {
                raise_decode_error(&ins[i], charset, r->invalid);
                status = -1;
                break;
            }
            if (warn_record(r->warning, 0, (size_t)num, true)) {
                status = -1;
                break;
            }
            uint64_t match;
            double sim;
            if ((e = hanfold_clusterer_add(d->cl, &r->fp, &match, &sim))) {
                raise_lib(e, NULL);
                status = -1;
                break;
            }
            uint64_t me = hanfold_clusterer_count(d->cl) - 1;
            PyObject *rec = PyList_GET_ITEM(d->chunk, (Py_ssize_t)i);
            if (match == me) {
                PyObject *k = PyLong_FromUnsignedLongLong(me);
                if (!k || PyDict_SetItem(d->rep_ids, k, ids[i]) || PyList_Append(d->kept, rec))
                    status = -1;
                Py_XDECREF(k);
            } else if (d->dropped) {
                PyObject *k = PyLong_FromUnsignedLongLong(match);
                PyObject *kid = k ? PyDict_GetItemWithError(d->rep_ids, k) : NULL;
                Py_XDECREF(k);
                PyObject *res = kid ? PyObject_CallFunction(d->dropped, "OOd", rec, kid, sim) : NULL;
                if (!res)
                    status = -1;
                Py_XDECREF(res);
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        release_text(&ins[i]);
        Py_DECREF(texts[i]);
        Py_DECREF(ids[i]);
    }
    if (status)
        d->done = true;
    return status;
}

static PyObject *Dedup_next(DedupObject *d)
{
    if (d->running) {
        PyErr_SetString(PyExc_ValueError, "dedup iterator already executing");
        return NULL;
    }
    while (d->kept_pos >= PyList_GET_SIZE(d->kept)) {
        if (d->done)
            return NULL;
        d->running = true;
        int e = dedup_chunk(d);
        d->running = false;
        if (e)
            return NULL;
    }
    PyObject *r = PyList_GET_ITEM(d->kept, d->kept_pos);
    d->kept_pos++;
    return Py_NewRef(r);
}

static PyTypeObject Dedup_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hanfold._Dedup",
    .tp_basicsize = sizeof(DedupObject),
    .tp_dealloc = (destructor)Dedup_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)Dedup_traverse,
    .tp_clear = (inquiry)Dedup_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)Dedup_next,
    .tp_doc = "The iterator dedup() returns.",
    .tp_free = PyObject_GC_Del,
};

PyDoc_STRVAR(dedup_doc,
"dedup(records, *, text_field='text', id_field='id', dropped=None, threshold=0.80,\n"
"      long_threshold=0.70, jaccard_threshold=0.30, min_ratio=0.6, threads=None,\n"
"      encoding=None, strict=False, **settings) -> iterator\n\n"
"The records minus near-duplicates of earlier kept ones, as `hanfold dedup`:\n"
"an iterator over the kept records themselves (the same objects), in order.\n"
"It streams: memory grows with the kept records' fingerprints only.\n\n"
"A record is a str or bytes (its id: its 1-based number, as --input lines), a\n"
"dict or other mapping (text in text_field, id in id_field, as --input jsonl;\n"
"datatrove-style documents work through a dict view), or an (id, text) pair.\n"
"dropped(record, kept_id, similarity) is called for each dropped record, with\n"
"the id of the kept record it duplicates.\n\n"
"    >>> list(hanfold.dedup(['軟體更新了。', '软件更新了', '今天天气很好']))\n"
"    ['軟體更新了。', '今天天气很好']\n\n"
"Records are fingerprinted in batches on the library's threads, without the GIL.");

static PyObject *mod_dedup(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *records;
    if (PyTuple_GET_SIZE(args) != 1) {
        PyErr_SetString(PyExc_TypeError, "dedup() takes exactly one positional argument (the records)");
        return NULL;
    }
    records = PyTuple_GET_ITEM(args, 0);
    DedupObject *d = PyObject_GC_New(DedupObject, &Dedup_Type);
    if (!d)
        return NULL;
    memset((char *)d + sizeof(PyObject), 0, sizeof *d - sizeof(PyObject));
    PyObject_GC_Track(d);
    opts_init(&d->o);
    hanfold_cluster_settings cs;
    hanfold_cluster_settings_default(&cs);
    /* as hanfold dedup: representatives only, the first near-duplicate
     * found, nothing kept of dropped records */
    cs.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
    cs.streaming = true;
    cs.first_match = true;
    PyObject *rest = take_cluster_kw(kw, &cs, false);
    if (!rest)
        goto fail;
    static const char *own[] = {"text_field", "id_field", "dropped"};
    PyObject **dst[] = {&d->text_field, &d->id_field, &d->dropped};
    for (int i = 0; i < 3; i++) {
        PyObject *v = PyDict_GetItemString(rest, own[i]);
        if (v && v != Py_None) {
            if (i == 2 && !PyCallable_Check(v)) {
                PyErr_SetString(PyExc_TypeError, "dropped must be callable");
                Py_DECREF(rest);
                goto fail;
            }
            *dst[i] = Py_NewRef(v);
        }
        if (v)
            PyDict_DelItemString(rest, own[i]);
    }
    if (!d->text_field)
        d->text_field = PyUnicode_FromString("text");
    if (!d->id_field)
        d->id_field = PyUnicode_FromString("id");
    if (!d->text_field || !d->id_field || parse_kw(&d->o, rest, EXTRA_ENCODING | EXTRA_THREADS, "dedup")) {
        Py_DECREF(rest);
        goto fail;
    }
    /* the encoding's string lives in the dict, which goes now */
    d->encoding_obj = Py_XNewRef(d->o.encoding_obj);
    Py_DECREF(rest);
    if (d->encoding_obj)
        d->o.encoding = PyUnicode_AsUTF8(d->encoding_obj);
    if (!(d->norm = normalizer_for(&d->o)) || !(d->it = PyObject_GetIter(records)) || !(d->rep_ids = PyDict_New()) ||
        !(d->chunk = PyList_New(0)) || !(d->kept = PyList_New(0)))
        goto fail;
    if (!(d->batch = acquire_batch((NormalizerObject *)d->norm, d->o.threads)))
        goto fail;
    int e = hanfold_clusterer_new(&d->cl, &cs);
    if (e) {
        raise_lib(e, "invalid cluster settings");
        goto fail;
    }
    return (PyObject *)d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* ---- the module ----------------------------------------------------------------------- */

static PyMethodDef module_methods[] = {
    {"normalize", (PyCFunction)(void (*)(void))mod_normalize, METH_VARARGS | METH_KEYWORDS, normalize_doc},
    {"key", (PyCFunction)(void (*)(void))mod_key, METH_VARARGS | METH_KEYWORDS, key_doc},
    {"fingerprint", (PyCFunction)(void (*)(void))mod_fingerprint, METH_VARARGS | METH_KEYWORDS, fingerprint_doc},
    {"normalize_many", (PyCFunction)(void (*)(void))mod_normalize_many, METH_VARARGS | METH_KEYWORDS,
     normalize_many_doc},
    {"key_many", (PyCFunction)(void (*)(void))mod_key_many, METH_VARARGS | METH_KEYWORDS, key_many_doc},
    {"fingerprint_many", (PyCFunction)(void (*)(void))mod_fingerprint_many, METH_VARARGS | METH_KEYWORDS,
     fingerprint_many_doc},
    {"dedup", (PyCFunction)(void (*)(void))mod_dedup, METH_VARARGS | METH_KEYWORDS, dedup_doc},
    {"_normalizer_from_settings", normalizer_from_settings, METH_O, "Normalizer(**settings): for pickle."},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"hanfold - fold Chinese text into one normalized form and find near-duplicates\n\n"
"The Python face of libhanfold, the library under the hanfold(1) command: the\n"
"same normalization, keys, fingerprints and clusters, byte for byte.\n\n"
"It folds traditional, simplified and regional-variant Chinese script, full-width\n"
"and invisible characters, flattened pinyin annotations and HTML boilerplate into\n"
"one normalized form, and folds near-duplicate reposts into clusters.\n\n"
"One record at a time:\n"
"    normalize(text)      readable normalized text     (hanfold normalize)\n"
"    key(text)            the dedup key                (hanfold normalize --key)\n"
"    fingerprint(text)    a Fingerprint                (hanfold fingerprint)\n"
"Many records, on the library's threads without the GIL:\n"
"    normalize_many(texts), key_many(texts), fingerprint_many(texts)\n"
"    dedup(records)       the records minus near-duplicates (hanfold dedup)\n"
"Clusters:\n"
"    Clusterer(**settings).add(id, text) / .add_fingerprint(id, fp)\n"
"                         -> (cluster_id, similarity)  (hanfold cluster)\n"
"Fixed settings, made once (like opencc.OpenCC(config)):\n"
"    Normalizer(**settings)\n\n"
"Settings are keywords named after the command line's options: to=, html=,\n"
"pinyin_repair=, repair_mojibake=, drop_furniture=, keep_lines=,\n"
"opencc_config=, opencc_dir=; thresholds threshold=, long_threshold=,\n"
"jaccard_threshold=, min_ratio=, linkage=; threads=.  Text is str, or bytes with\n"
"encoding= (invalid sequences become U+FFFD unless strict=True).  Errors raise\n"
"ValueError (UnicodeDecodeError for strict decoding) with the library's message.\n\n"
"    >>> import hanfold\n"
"    >>> hanfold.normalize('軟體更新了。')\n"
"    '软体更新了。'\n"
"    >>> c = hanfold.Clusterer()\n"
"    >>> [c.add(i, t)[0] for i, t in enumerate(['軟體更新了。', '软件更新了', '天气很好'])]\n"
"    [0, 0, 2]\n\n"
"See hanfold(1) for what each stage does and how the thresholds were chosen.");

static struct PyModuleDef hanfold_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hanfold",
    .m_doc = module_doc,
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit_hanfold(void)
{
    if (PyType_Ready(&Normalizer_Type) < 0 || PyType_Ready(&Fingerprint_Type) < 0 ||
        PyType_Ready(&Clusterer_Type) < 0 || PyType_Ready(&Dedup_Type) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&hanfold_module);
    if (!m)
        return NULL;
    opts o;
    opts_init(&o);
    if (!default_normalizer && !(default_normalizer = normalizer_from_opts(&o)))
        goto fail;
    if (!normalizer_cache && !(normalizer_cache = PyDict_New()))
        goto fail;
    if (!HanfoldWarning &&
        !(HanfoldWarning = PyErr_NewExceptionWithDoc(
              "hanfold.HanfoldWarning",
              "Something of a record could not be kept as written (HTML nested deeper than\n"
              "the parser goes: flattened, text kept; a parse cut short), as hanfold(1)\n"
              "reports on stderr.  The result is still returned.",
              PyExc_UserWarning, NULL)))
        goto fail;
    if (PyModule_AddObjectRef(m, "HanfoldWarning", HanfoldWarning) ||
        PyModule_AddObjectRef(m, "Normalizer", (PyObject *)&Normalizer_Type) ||
        PyModule_AddObjectRef(m, "Fingerprint", (PyObject *)&Fingerprint_Type) ||
        PyModule_AddObjectRef(m, "Clusterer", (PyObject *)&Clusterer_Type) ||
        PyModule_AddStringConstant(m, "__version__", hanfold_version()) ||
        PyModule_AddStringConstant(m, "schema", hanfold_schema()) ||
        PyModule_AddIntConstant(m, "SCHEMA_VERSION", HANFOLD_SCHEMA_VERSION))
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
