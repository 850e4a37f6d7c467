/*
 * jsonflat.c - the one-pass JSON object reader behind the JSON-lines log
 * formats (see jsonflat.h for why it exists).
 */
#include <stdlib.h>
#include <string.h>

#include "logs/jsonflat.h"

#define MAX_DEPTH 64

typedef struct jp {
    wbi_jflat *f;
    const char *s;
    size_t n, i;
    uint32_t nobj;
    int rc; /* WB_ENOMEM once an allocation failed */
} jp;

static inline void ws(jp *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
        p->i++;
    }
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static int put_utf8(wb_buf *b, unsigned cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    return wb_buf_append(b, u, k);
}

/* A string at p->i (the opening quote). Without escapes it stays in the
 * line (esc false; off and len point into the line); with escapes it is
 * decoded into strs (esc true). Returns 0, 1 (malformed) or WB_ENOMEM. */
static int string(jp *p, uint32_t *off, uint32_t *len, bool *esc)
{
    size_t start = ++p->i;
    const char *s = p->s;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)s[p->i];
        if (c == '"') {
            *off = (uint32_t)start;
            *len = (uint32_t)(p->i - start);
            *esc = false;
            p->i++;
            return 0;
        }
        if (c == '\\') break;
        if (c < 0x20) return 1;
        p->i++;
    }
    if (p->i >= p->n) return 1;
    /* Escapes: decode the whole string. */
    wb_buf *b = &p->f->strs;
    size_t boff = b->len;
    if (wb_buf_append(b, s + start, p->i - start)) return WB_ENOMEM;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)s[p->i];
        if (c == '"') {
            *off = (uint32_t)boff;
            *len = (uint32_t)(b->len - boff);
            *esc = true;
            p->i++;
            /* keep strings NUL-separated so none runs into the next */
            return wb_buf_putc(b, '\0') ? WB_ENOMEM : 0;
        }
        if (c < 0x20) return 1;
        if (c != '\\') {
            if (wb_buf_putc(b, (char)c)) return WB_ENOMEM;
            p->i++;
            continue;
        }
        if (p->i + 1 >= p->n) return 1;
        char e = s[p->i + 1];
        p->i += 2;
        char out;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out = e;
            break;
        case 'b':
            out = '\b';
            break;
        case 'f':
            out = '\f';
            break;
        case 'n':
            out = '\n';
            break;
        case 'r':
            out = '\r';
            break;
        case 't':
            out = '\t';
            break;
        case 'u': {
            unsigned cp, lo;
            if (p->i + 4 > p->n || hex4(s + p->i, &cp)) return 1;
            p->i += 4;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (p->i + 6 > p->n || s[p->i] != '\\' || s[p->i + 1] != 'u' ||
                    hex4(s + p->i + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return 1;
                p->i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                return 1;
            }
            if (put_utf8(b, cp)) return WB_ENOMEM;
            continue;
        }
        default:
            return 1;
        }
        if (wb_buf_putc(b, out)) return WB_ENOMEM;
    }
    return 1;
}

static int number(jp *p)
{
    const char *s = p->s;
    size_t i = p->i;
    if (i < p->n && s[i] == '-') i++;
    if (i >= p->n) return 1;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return 1;
    }
    if (i < p->n && s[i] == '.') {
        size_t d = ++i;
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d) return 1;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) i++;
        size_t d = i;
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d) return 1;
    }
    p->i = i;
    return 0;
}

static int add(jp *p, uint8_t type, uint32_t obj, uint32_t key, bool in_array, uint32_t val,
               uint32_t vlen, bool esc)
{
    wbi_jflat *f = p->f;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        wbi_jent *ne = realloc(f->e, cap * sizeof *ne);
        if (ne == NULL) return WB_ENOMEM;
        f->e = ne;
        f->cap = cap;
    }
    wbi_jent *e = &f->e[f->n++];
    e->path = (uint32_t)f->paths.len;
    e->plen = (uint32_t)f->cur.len;
    e->key = key;
    e->obj = obj;
    e->val = val;
    e->vlen = vlen;
    e->type = type;
    e->in_array = in_array;
    e->esc = esc;
    if (wb_buf_append(&f->paths, f->cur.data ? f->cur.data : "", f->cur.len) ||
        wb_buf_putc(&f->paths, '\0'))
        return WB_ENOMEM;
    return 0;
}

static int value(jp *p, uint32_t obj, uint32_t key, bool in_array, int depth);

static int object(jp *p, int depth)
{
    if (depth > MAX_DEPTH) return 1;
    uint32_t me = p->nobj++;
    p->i++; /* '{' */
    ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        return 0;
    }
    wb_buf *cur = &p->f->cur;
    for (;;) {
        ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') return 1;
        uint32_t koff, klen;
        bool kesc;
        int rc = string(p, &koff, &klen, &kesc);
        if (rc) return rc;
        ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') return 1;
        p->i++;
        size_t keep = cur->len;
        const char *k = kesc ? p->f->strs.data + koff : p->s + koff;
        if ((keep && wb_buf_putc(cur, '.')) || wb_buf_append(cur, k, klen)) return WB_ENOMEM;
        uint32_t kstart = (uint32_t)(keep ? keep + 1 : 0);
        rc = value(p, me, kstart, false, depth);
        cur->len = keep;
        if (cur->data) cur->data[keep] = '\0';
        if (rc) return rc;
        ws(p);
        if (p->i >= p->n) return 1;
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] == '}') {
            p->i++;
            return 0;
        }
        return 1;
    }
}

static int array(jp *p, uint32_t obj, uint32_t key, int depth)
{
    if (depth > MAX_DEPTH) return 1;
    p->i++; /* '[' */
    ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        return 0;
    }
    for (;;) {
        int rc = value(p, obj, key, true, depth);
        if (rc) return rc;
        ws(p);
        if (p->i >= p->n) return 1;
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] == ']') {
            p->i++;
            return 0;
        }
        return 1;
    }
}

static int literal(jp *p, const char *lit, size_t n)
{
    if (p->i + n > p->n || memcmp(p->s + p->i, lit, n) != 0) return 1;
    p->i += n;
    return 0;
}

static int value(jp *p, uint32_t obj, uint32_t key, bool in_array, int depth)
{
    ws(p);
    if (p->i >= p->n) return 1;
    char c = p->s[p->i];
    int rc;
    switch (c) {
    case '{':
        return object(p, depth + 1);
    case '[':
        return array(p, obj, key, depth + 1);
    case '"': {
        uint32_t off, len;
        bool esc;
        rc = string(p, &off, &len, &esc);
        return rc ? rc : add(p, WBI_J_STR, obj, key, in_array, off, len, esc);
    }
    case 't':
        rc = literal(p, "true", 4);
        break;
    case 'f':
        rc = literal(p, "false", 5);
        break;
    case 'n':
        rc = literal(p, "null", 4);
        break;
    default: {
        size_t start = p->i;
        rc = number(p);
        return rc ? rc
                  : add(p, WBI_J_NUM, obj, key, in_array, (uint32_t)start, (uint32_t)(p->i - start),
                        false);
    }
    }
    return rc ? rc : add(p, WBI_J_OTHER, obj, key, in_array, 0, 0, false);
}

int wbi_jflat_parse(wbi_jflat *f, const char *s, size_t n)
{
    f->n = 0;
    wb_buf_reset(&f->paths);
    wb_buf_reset(&f->strs);
    wb_buf_reset(&f->cur);
    f->line = s;
    if (n > UINT32_MAX) return 1;
    jp p = {.f = f, .s = s, .n = n};
    ws(&p);
    if (p.i >= n) return 1;
    if (s[p.i] != '{') {
        /* Valid JSON of another kind is "not an object", else "not JSON". */
        int rc = value(&p, 0, 0, false, 0);
        if (rc == WB_ENOMEM) return rc;
        ws(&p);
        f->n = 0;
        return rc == 0 && p.i == n ? 2 : 1;
    }
    int rc = object(&p, 0);
    if (rc) return rc;
    ws(&p);
    return p.i == n ? 0 : 1;
}

void wbi_jflat_free(wbi_jflat *f)
{
    free(f->e);
    wb_buf_free(&f->paths);
    wb_buf_free(&f->strs);
    wb_buf_free(&f->cur);
    memset(f, 0, sizeof *f);
}
