/*
 * version_maven.c - Maven versions as org.apache.maven.artifact.versioning.
 * ComparableVersion (Maven 3.8.7, as Debian ships it) orders them.
 *
 * The version is lower-cased and cut into items at '.', at '-' and where
 * digits meet letters. Numbers are numeric items; words are qualifiers:
 *   alpha (a1) < beta (b1) < milestone (m1) < rc = cr < snapshot
 *     < "" = ga = final = release < sp < any other word (alphabetically)
 * A '-' and every digit/letter transition open a nested list, so
 * "1-1" = [1, [1]] and "1.0alpha1" = [1, 0, [alpha, [1]]]. Trailing "null"
 * items (0, "", ga, final, release, an empty list) are dropped from each list, which
 * makes 1 = 1.0 = 1.0.0 = 1-ga. Comparison walks the lists pairwise: a
 * number beats a list, which beats a qualifier; a missing item compares as
 * "null" (so 1-alpha < 1 < 1-sp and 1 < 1.1).
 *
 * The items live in a fixed array on the stack (each byte opens at most two
 * items), so a comparison never allocates and cannot fail. That is why Maven
 * versions are limited to MV_MAX_LEN bytes, far above any real one.
 */
#include <string.h>

#include "vuln/version_internal.h"
#include "weerbaar/core.h"

enum { MV_INT, MV_STR, MV_LIST };
enum { MV_Q_RELEASE = 5, MV_Q_UNKNOWN = 7 };
#define MV_MAX_LEN 256
#define MV_MAX_NODES (2 * MV_MAX_LEN + 4)
#define MV_NONE (-1)

typedef struct mv_node {
    unsigned char type;
    unsigned char qual;  /* MV_STR: index in the qualifier list, MV_Q_UNKNOWN otherwise */
    short first, last;   /* MV_LIST: children */
    short prev, next;    /* siblings */
    unsigned short p, n; /* text of an MV_INT or unknown MV_STR */
} mv_node;

typedef struct mv_version {
    const char *s;
    mv_node node[MV_MAX_NODES];
    int count;
} mv_version;

static short mv_new(mv_version *v, unsigned char type)
{
    mv_node *x = &v->node[v->count];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->first = x->last = x->prev = x->next = MV_NONE;
    return (short)v->count++;
}

static void mv_add(mv_version *v, short list, short item)
{
    mv_node *l = &v->node[list];
    v->node[item].prev = l->last;
    if (l->last != MV_NONE)
        v->node[l->last].next = item;
    else
        l->first = item;
    l->last = item;
}

static void mv_remove(mv_version *v, short list, short item)
{
    mv_node *l = &v->node[list], *x = &v->node[item];
    if (x->prev != MV_NONE)
        v->node[x->prev].next = x->next;
    else
        l->first = x->next;
    if (x->next != MV_NONE)
        v->node[x->next].prev = x->prev;
    else
        l->last = x->prev;
}

static const char *const mv_quals[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};

static short mv_string(mv_version *v, size_t p, size_t n, bool followed_by_digit)
{
    const char *s = v->s + p;
    short id = mv_new(v, MV_STR);
    mv_node *x = &v->node[id];
    x->p = (unsigned short)p;
    x->n = (unsigned short)n;
    x->qual = MV_Q_UNKNOWN;
    if (followed_by_digit && n == 1) {
        char c = wb_lower(s[0]);
        if (c == 'a') x->qual = 0;
        if (c == 'b') x->qual = 1;
        if (c == 'm') x->qual = 2;
        if (x->qual != MV_Q_UNKNOWN) return id;
    }
    if (wb_strn_ieq(s, n, "ga") || wb_strn_ieq(s, n, "final") || wb_strn_ieq(s, n, "release")) {
        x->qual = MV_Q_RELEASE;
    } else if (wb_strn_ieq(s, n, "cr")) {
        x->qual = 3;
    } else {
        for (unsigned char q = 0; q < 7; q++)
            if (wb_strn_ieq(s, n, mv_quals[q])) x->qual = q;
    }
    return id;
}

static short mv_item(mv_version *v, bool digit, size_t p, size_t n)
{
    if (!digit) return mv_string(v, p, n, false);
    short id = mv_new(v, MV_INT);
    v->node[id].p = (unsigned short)p;
    v->node[id].n = (unsigned short)n;
    return id;
}

static short mv_zero(mv_version *v)
{
    short id = mv_new(v, MV_INT);
    v->node[id].p = 0;
    v->node[id].n = 0; /* an empty digit run is the number 0 */
    return id;
}

static bool mv_is_null(const mv_version *v, short id)
{
    const mv_node *x = &v->node[id];
    switch (x->type) {
    case MV_INT:
        return wbi_num_is_zero(v->s + x->p, x->n);
    case MV_STR:
        return x->qual == MV_Q_RELEASE;
    default:
        return x->first == MV_NONE;
    }
}

/* Drops trailing null items; non-empty lists are stepped over, not stopped
 * at, exactly as ListItem.normalize() does. */
static void mv_normalize(mv_version *v, short list)
{
    short i = v->node[list].last;
    while (i != MV_NONE) {
        short prev = v->node[i].prev;
        if (mv_is_null(v, i))
            mv_remove(v, list, i);
        else if (v->node[i].type != MV_LIST)
            break;
        i = prev;
    }
}

static short mv_push_list(mv_version *v, short list)
{
    short l = mv_new(v, MV_LIST);
    mv_add(v, list, l);
    return l;
}

static void mv_parse(mv_version *v, const char *s, size_t n)
{
    v->s = s;
    v->count = 0;
    short list = mv_new(v, MV_LIST);
    bool digit = false;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' || c == '-') {
            mv_add(v, list, i == start ? mv_zero(v) : mv_item(v, digit, start, i - start));
            start = i + 1;
            if (c == '-') list = mv_push_list(v, list);
        } else if (wbi_isdigit(c)) {
            if (!digit && i > start) {
                /* "1.0.0.X1" < "1.0.0-X2": a word after a dot opens a list
                 * as if a hyphen preceded it */
                if (v->node[list].first != MV_NONE) list = mv_push_list(v, list);
                mv_add(v, list, mv_string(v, start, i - start, true));
                start = i;
                list = mv_push_list(v, list);
            }
            digit = true;
        } else {
            if (digit && i > start) {
                mv_add(v, list, mv_item(v, true, start, i - start));
                start = i;
                list = mv_push_list(v, list);
            }
            digit = false;
        }
    }
    if (n > start) {
        if (!digit && v->node[list].first != MV_NONE) list = mv_push_list(v, list);
        mv_add(v, list, mv_item(v, digit, start, n - start));
    }
    /* ComparableVersion normalises its stack of lists from the innermost
     * out; lists are created in push order, so newest-first is the same. */
    for (int i = v->count - 1; i >= 0; i--)
        if (v->node[i].type == MV_LIST) mv_normalize(v, (short)i);
}

static int mv_cmp_item(const mv_version *a, short x, const mv_version *b, short y);

/* A qualifier against "null" (a missing item): its place relative to the
 * release qualifier. */
static int mv_str_vs_null(const mv_node *x)
{
    if (x->qual == MV_Q_RELEASE) return 0;
    return x->qual < MV_Q_RELEASE ? -1 : 1;
}

static int mv_cmp_item(const mv_version *a, short x, const mv_version *b, short y)
{
    const mv_node *nx = &a->node[x];
    if (y == MV_NONE) {
        switch (nx->type) {
        case MV_INT:
            return wbi_num_is_zero(a->s + nx->p, nx->n) ? 0 : 1;
        case MV_STR:
            return mv_str_vs_null(nx);
        default:
            return nx->first == MV_NONE ? 0 : mv_cmp_item(a, nx->first, b, MV_NONE);
        }
    }
    const mv_node *ny = &b->node[y];
    switch (nx->type) {
    case MV_INT:
        if (ny->type == MV_INT) return wbi_numcmp(a->s + nx->p, nx->n, b->s + ny->p, ny->n);
        return 1; /* 1.1 > 1-sp, 1.1 > 1-1 */
    case MV_STR:
        if (ny->type != MV_STR) return -1; /* 1.any < 1.1, 1.any < 1-1 */
        if (nx->qual != ny->qual) return nx->qual < ny->qual ? -1 : 1;
        if (nx->qual != MV_Q_UNKNOWN) return 0;
        return wbi_bytecasecmp(a->s + nx->p, nx->n, b->s + ny->p, ny->n);
    default:
        if (ny->type == MV_INT) return -1; /* 1-1 < 1.0.x */
        if (ny->type == MV_STR) return 1;  /* 1-1 > 1-sp */
        for (short l = nx->first, r = ny->first; l != MV_NONE || r != MV_NONE;) {
            int c = l == MV_NONE ? -mv_cmp_item(b, r, a, MV_NONE) : mv_cmp_item(a, l, b, r);
            if (c) return c;
            if (l != MV_NONE) l = a->node[l].next;
            if (r != MV_NONE) r = b->node[r].next;
        }
        return 0;
    }
}

int wbi_maven_check(const char *v, size_t n, wb_error *err)
{
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    if (n > MV_MAX_LEN)
        return wb_error_set(err, WB_EINVAL, "longer than %d bytes (the limit for Maven versions)",
                            MV_MAX_LEN);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= ' ' || c == 0x7f)
            return wb_error_set(err, WB_EINVAL, "whitespace or a control byte at offset %zu", i);
    }
    return 0;
}

int wbi_maven_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    mv_version x, y;
    mv_parse(&x, a, an);
    mv_parse(&y, b, bn);
    return mv_cmp_item(&x, 0, &y, 0);
}
