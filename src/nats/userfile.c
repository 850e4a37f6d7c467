/*
 * userfile.c - the file `admin nats-config` gives each sensor user and
 * `match --follow --nats --nats-user FILE` reads: "key=value" lines, '#'
 * comments, nothing else. It holds the user's NKey seed, so the sensor
 * reads it as untrusted text (a copied, truncated or edited file): every
 * key is known, none repeats, no value holds a control character, and
 * subjects are indicator subjects (fuzz/fuzz_nats_user.c).
 */
#include <string.h>

#include "weerbaar/nats.h"

/* A NATS subject token of ours: letters, digits, '-', '_' (no '.', '*',
 * '>' or spaces, which would widen or break a subject). */
static bool token_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Whether s is "prefix" followed by exactly `tokens` valid tokens. */
static bool subject_of(const char *s, const char *prefix, int tokens)
{
    size_t pl = strlen(prefix);
    if (strncmp(s, prefix, pl) != 0) return false;
    const char *p = s + pl;
    for (int t = 0; t < tokens; t++) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!token_ok(p, n)) return false;
        if (t + 1 < tokens) {
            if (dot == NULL) return false;
            p = dot + 1;
        } else if (dot) {
            return false;
        }
    }
    return true;
}

static bool indicator_subject(const char *s)
{
    return strcmp(s, "wb.ind.all") == 0 || subject_of(s, "wb.ind.org.", 1) ||
           subject_of(s, "wb.ind.sg.", 1) || subject_of(s, "wb.ind.sg2.", 2);
}

int wb_nats_user_parse(char *text, size_t len, wb_nats_user *u, wb_error *err)
{
    memset(u, 0, sizeof *u);
    static const char *const keys[] = {"url", "user", "org", "nkey", "seed", "inbox", "sights"};
    const char **slots[] = {&u->url, &u->user, &u->org, &u->nkey, &u->seed, &u->inbox, &u->sights};
    size_t line = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        if (eol > p && eol[-1] == '\r') eol[-1] = '\0', eol--;
        *eol = '\0'; /* eol == end only when text has room: checked below */
        char *l = p;
        p = nl ? nl + 1 : end;
        if (*l == '\0' || *l == '#') continue;
        for (char *c = l; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                return wb_error_set(err, WB_EPARSE, "line %zu: a control character", line);
        if (strlen(l) != (size_t)(eol - l))
            return wb_error_set(err, WB_EPARSE, "line %zu: a NUL byte", line);
        char *eq = strchr(l, '=');
        if (eq == NULL || eq == l || eq[1] == '\0')
            return wb_error_set(err, WB_EPARSE, "line %zu: not key=value", line);
        *eq = '\0';
        char *v = eq + 1;
        if (strcmp(l, "subject") == 0) {
            if (!indicator_subject(v))
                return wb_error_set(err, WB_EPARSE, "line %zu: '%.80s' is no indicator subject",
                                    line, v);
            if (u->nsubjects == WB_NATS_MAX_SUBJECTS)
                return wb_error_set(err, WB_ELIMIT, "line %zu: more than %d subjects", line,
                                    WB_NATS_MAX_SUBJECTS);
            u->subjects[u->nsubjects++] = v;
            continue;
        }
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && strcmp(keys[k], l) != 0)
            k++;
        if (k == sizeof keys / sizeof keys[0])
            return wb_error_set(err, WB_EPARSE, "line %zu: unknown key '%.40s'", line, l);
        if (*slots[k]) return wb_error_set(err, WB_EPARSE, "line %zu: '%s' given twice", line, l);
        *slots[k] = v;
    }
    if (u->user == NULL || u->seed == NULL || u->inbox == NULL || u->org == NULL)
        return wb_error_set(err, WB_EPARSE, "user, org, seed and inbox are required");
    if (!token_ok(u->user, strlen(u->user)) || !subject_of(u->inbox, "_I.", 1))
        return wb_error_set(err, WB_EPARSE, "user or inbox: not a NATS token");
    char pub[WB_NKEY_PUB_LEN + 1];
    if (wb_nkey_user_public(u->seed, pub) != 0)
        return wb_error_set(err, WB_EPARSE, "seed: not a NATS user seed");
    if (u->nkey && strcmp(u->nkey, pub) != 0)
        return wb_error_set(err, WB_EPARSE, "nkey: not the seed's public key");
    if (u->sights && !subject_of(u->sights, "wb.sight.", 2))
        return wb_error_set(err, WB_EPARSE, "sights: not a sighting subject");
    return 0;
}
