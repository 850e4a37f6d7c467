/*
 * version_apk.c - Alpine Linux package versions as apk-tools compares them:
 *
 *   {number}{.number}...{letter}{_suffix{number}}...{-r{number}}
 *
 * Suffixes _alpha, _beta, _pre, _rc mark pre-releases (before the plain
 * version); _cvs, _svn, _git, _hg, _p come after it. A dotted component with
 * leading zeros is special: "1.05" reads as 1, (one zero), 5 and so sorts
 * before 1.5 (apk compares such parts as strings would). The comparison walks
 * both versions token by token as apk's state machine does; when one runs
 * out, the longer one is newer unless what remains is a pre-release suffix.
 *
 * Numbers are compared as digit strings, so unlike apk (which keeps them in
 * an int) a long number never overflows.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/version_internal.h"

enum {
    T_INVALID = -1,
    T_DIGIT_OR_ZERO,
    T_DIGIT,
    T_LETTER,
    T_SUFFIX,
    T_SUFFIX_NO,
    T_REVISION_NO,
    T_END
};

typedef struct apk_val {
    int small;     /* letters, suffix ranks, minus the count of leading zeros */
    const char *d; /* a number as digits, or NULL when `small` holds the value */
    size_t dn;
} apk_val;

typedef struct apk_blob {
    const char *p;
    size_t n;
} apk_blob;

static void next_token(int *type, apk_blob *b)
{
    int n = T_INVALID;
    if (b->n == 0 || b->p[0] == 0) {
        n = T_END;
    } else if ((*type == T_DIGIT || *type == T_DIGIT_OR_ZERO) && b->p[0] >= 'a' && b->p[0] <= 'z') {
        n = T_LETTER;
    } else if (*type == T_LETTER && wbi_isdigit(b->p[0])) {
        n = T_DIGIT;
    } else if (*type == T_SUFFIX && wbi_isdigit(b->p[0])) {
        n = T_SUFFIX_NO;
    } else {
        switch (b->p[0]) {
        case '.':
            n = T_DIGIT_OR_ZERO;
            break;
        case '_':
            n = T_SUFFIX;
            break;
        case '-':
            if (b->n > 1 && b->p[1] == 'r') {
                n = T_REVISION_NO;
                b->p++;
                b->n--;
            }
            break;
        default:
            break;
        }
        b->p++;
        b->n--;
    }
    /* tokens must come in order, with these three ways back */
    if (n < *type) {
        if (!((n == T_DIGIT_OR_ZERO && *type == T_DIGIT) ||
              (n == T_SUFFIX && *type == T_SUFFIX_NO) || (n == T_DIGIT && *type == T_LETTER)))
            n = T_INVALID;
    }
    *type = n;
}

static apk_val get_token(int *type, apk_blob *b)
{
    static const char *const pre[] = {"alpha", "beta", "pre", "rc"};
    static const char *const post[] = {"cvs", "svn", "git", "hg", "p"};
    apk_val v = {0, NULL, 0};
    size_t i = 0;
    int nt = T_INVALID;
    if (b->n == 0) {
        *type = T_END;
        return v;
    }
    switch (*type) {
    case T_DIGIT_OR_ZERO:
        if (b->p[0] == '0') {
            while (i < b->n && b->p[i] == '0')
                i++;
            nt = T_DIGIT;
            v.small = -(int)(i > 1000 ? 1000 : i);
            break;
        }
        /* fall through */
    case T_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
        while (i < b->n && wbi_isdigit(b->p[i]))
            i++;
        v.d = b->p;
        v.dn = i;
        break;
    case T_LETTER:
        v.small = (unsigned char)b->p[i++];
        break;
    case T_SUFFIX: {
        int k;
        for (k = 0; k < 4; k++) {
            i = strlen(pre[k]);
            if (i <= b->n && memcmp(pre[k], b->p, i) == 0) break;
        }
        if (k < 4) {
            v.small = k - 4;
            break;
        }
        for (k = 0; k < 5; k++) {
            i = strlen(post[k]);
            if (i <= b->n && memcmp(post[k], b->p, i) == 0) break;
        }
        if (k < 5) {
            v.small = k;
            break;
        }
        *type = T_INVALID;
        v.small = -1;
        return v;
    }
    default:
        *type = T_INVALID;
        v.small = -1;
        return v;
    }
    b->p += i;
    b->n -= i;
    if (b->n == 0)
        *type = T_END;
    else if (nt != T_INVALID)
        *type = nt;
    else
        next_token(type, b);
    return v;
}

static int apk_valcmp(const apk_val *x, const apk_val *y)
{
    if (x->d && y->d) return wbi_numcmp(x->d, x->dn, y->d, y->dn);
    if (!x->d && !y->d) return x->small < y->small ? -1 : x->small > y->small;
    char buf[16];
    int len = snprintf(buf, sizeof buf, "%d", x->d ? y->small : x->small);
    int small_neg = (x->d ? y->small : x->small) < 0;
    int c = small_neg ? -1 : wbi_numcmp(buf, (size_t)len, x->d ? x->d : y->d, x->d ? x->dn : y->dn);
    return x->d ? -c : c;
}

int wbi_apk_check(const char *v, size_t n, wb_error *err)
{
    if (n == 0) return wb_error_set(err, WB_EINVAL, "empty version");
    if (!wbi_isdigit(v[0]))
        return wb_error_set(err, WB_EINVAL, "an apk version starts with a digit");
    int t = T_DIGIT;
    apk_blob b = {v, n};
    while (t != T_END && t != T_INVALID)
        (void)get_token(&t, &b);
    if (t != T_END)
        return wb_error_set(err, WB_EINVAL,
                            "not an apk version (number{.number}[letter][_suffix[N]][-rN]) "
                            "near offset %zu",
                            n - b.n > 0 ? n - b.n - 1 : 0);
    return 0;
}

int wbi_apk_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int at = T_DIGIT, bt = T_DIGIT, tt;
    apk_val av = {0, NULL, 0}, bv = {0, NULL, 0};
    apk_blob x = {a, an}, y = {b, bn};
    while (at == bt && at != T_END && at != T_INVALID && apk_valcmp(&av, &bv) == 0) {
        av = get_token(&at, &x);
        bv = get_token(&bt, &y);
    }
    int c = apk_valcmp(&av, &bv);
    if (c) return c;
    if (at == bt) return 0;
    /* equal so far: the longer version is newer unless it continues with a
     * pre-release suffix */
    tt = at;
    if (at == T_SUFFIX && get_token(&tt, &x).small < 0) return -1;
    tt = bt;
    if (bt == T_SUFFIX && get_token(&tt, &y).small < 0) return 1;
    if (at > bt) return -1;
    if (bt > at) return 1;
    return 0;
}
