/*
 * fetch_csaf.c - mirroring a CSAF 2.0 provider for `weerbaar vuln fetch`:
 * its provider-metadata.json, its OpenPGP keys, its ROLIE feeds and
 * directory distributions (changes.csv, else index.txt), and each document
 * with the checksum file and signature the provider publishes beside it
 * (CSAF 2.0 section 7.1). Signatures are checked by gpgv, run with only the
 * provider's keys, and the signing key's fingerprint must be one the
 * metadata lists.
 *
 * A document whose listing time equals the one recorded for our copy is not
 * requested again, so an unchanged provider costs the conditional requests
 * for its metadata, keys and listings and nothing more.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "vuln/fetch_internal.h"

extern char **environ;

static int check_meta(void *ud, const char *tmp, wb_error *err)
{
    (void)ud;
    char *data = NULL;
    size_t len = 0;
    int rc = wbi_fetch_read_small(tmp, WBI_FETCH_MAX_META, &data, &len, err);
    wbi_provider_meta m;
    if (rc == 0) rc = wbi_fetch_parse_metadata("provider-metadata.json", data, len, &m, err);
    if (rc == 0) wbi_provider_meta_free(&m);
    free(data);
    return rc;
}

static int check_key(void *ud, const char *tmp, wb_error *err)
{
    (void)ud;
    char *data = NULL;
    size_t len = 0;
    wb_buf b = {0};
    int rc = wbi_fetch_read_small(tmp, WBI_FETCH_MAX_KEY, &data, &len, err);
    if (rc == 0 && wbi_fetch_dearmor(data, len, &b) != 0)
        rc = wb_error_set(err, WB_EPARSE, "not an OpenPGP public key");
    wb_buf_free(&b);
    free(data);
    return rc;
}

static int check_feed(void *ud, const char *tmp, wb_error *err)
{
    const char *kind = ud;
    char *data = NULL;
    size_t len = 0;
    wbi_doc_list l = {0};
    int rc = wbi_fetch_read_small(tmp, WBI_FETCH_MAX_LISTING, &data, &len, err);
    if (rc == 0) {
        if (strcmp(kind, "rolie") == 0)
            rc = wbi_fetch_parse_rolie("feed", data, len, &l, err);
        else
            rc = wbi_fetch_parse_listing(kind, "http://x", data, len,
                                         strcmp(kind, "changes.csv") == 0, &l, err);
    }
    wbi_doc_list_free(&l);
    free(data);
    return rc;
}

/* The digest of a file. */
static int digest_file(const char *path, unsigned bits, unsigned char out[64], wb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
    crypto_hash_sha256_state s256;
    crypto_hash_sha512_state s512;
    if (bits == 256)
        crypto_hash_sha256_init(&s256);
    else
        crypto_hash_sha512_init(&s512);
    unsigned char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (bits == 256)
            crypto_hash_sha256_update(&s256, chunk, n);
        else
            crypto_hash_sha512_update(&s512, chunk, n);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) return wb_error_set(err, WB_EIO, "%s: read error", path);
    if (bits == 256)
        crypto_hash_sha256_final(&s256, out);
    else
        crypto_hash_sha512_final(&s512, out);
    return 0;
}

/* The program's path when it can be run: the name itself when it has a
 * slash, else the first match on PATH. */
static bool find_program(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return access(name, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL) return false;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0) {
            snprintf(out, cap, "%.*s/%s", (int)n, p, name);
            if (access(out, X_OK) == 0) return true;
        }
        p += n;
        if (*p == ':') p++;
    }
    return false;
}

/* Runs gpgv over data and its detached signature with only the provider's
 * keys; 0 when it reports a good signature (VALIDSIG) by a key whose primary
 * or signing-key fingerprint the provider metadata lists. */
static int run_gpgv(const char *gpgv, const char *home, const char *keyring, const char *sig,
                    const char *data, const wbi_provider_meta *m, wb_error *err)
{
    int pfd[2];
    if (pipe(pfd) != 0) return wb_error_set(err, WB_EIO, "pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addclose(&fa, pfd[1]);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)gpgv, "--homedir",     (char *)home, "--status-fd", "1",
                    "--keyring",  (char *)keyring, (char *)sig,  (char *)data,  NULL};
    pid_t pid;
    int se = posix_spawn(&pid, gpgv, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (se != 0) {
        close(pfd[0]);
        return wb_error_set(err, WB_EIO, "cannot run %s: %s", gpgv, strerror(se));
    }
    wb_buf out = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(pfd[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && out.len < (64 << 10)) wb_buf_append(&out, chunk, (size_t)n);
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc = 0;
    const char *v = out.data ? strstr(out.data, "[GNUPG:] VALIDSIG ") : NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || v == NULL) {
        const char *why = "the signature is not valid";
        if (out.data && strstr(out.data, "NO_PUBKEY"))
            why = "signed by a key the provider metadata does not list";
        else if (out.data && strstr(out.data, "BADSIG"))
            why = "BAD signature: the document does not match its signature";
        rc = wb_error_set(err, WB_EPARSE, "OpenPGP: %s", why);
    } else {
        /* VALIDSIG <fpr> <date> <ts> <expire> <ver> <res> <pk> <hash> <class> <primary> */
        char line[512];
        size_t ln = strcspn(v, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(ln < sizeof line ? ln : sizeof line - 1), v);
        const char *first = line + 18;
        size_t fl = strcspn(first, " ");
        const char *last = strrchr(line, ' ');
        last = last ? last + 1 : first;
        bool ok = false;
        for (size_t i = 0; i < m->nkeys && !ok; i++) {
            const char *fp = m->keys[i].fingerprint;
            ok = (fl == strlen(fp) && strncmp(first, fp, fl) == 0) || strcmp(last, fp) == 0;
        }
        if (!ok)
            rc = wb_error_set(err, WB_EPARSE,
                              "OpenPGP: signed by %.*s, which the provider metadata does not list",
                              (int)(fl > 64 ? 64 : fl), first);
    }
    wb_buf_free(&out);
    return rc;
}

/* ---- CSAF providers ---------------------------------------------------------------------- */

typedef struct provider {
    wbi_fetcher *f;
    wbi_fetch_state *s;
    const char *srcdir;
    const char *name; /* the source's folder name, for messages */
    wbi_provider_meta meta;
    char base[4200]; /* directory URL of provider-metadata.json, with '/' */
    char gpgv[1024];
    char keyring[4700], keyhome[4700];
    bool sign;    /* keys and gpgv: signatures are checked */
    bool require; /* --require-signatures */
    json_t *seen; /* local paths done in this run */
    size_t unsigned_docs, unchecked_docs;
    wb_buf tmpb;
} provider;

typedef struct doc_ctx {
    provider *p;
    const wbi_doc_ref *ref;
    unsigned bits;
    const char *hash_url;
    bool have_sig;
    wb_buf sig;
    wb_buf sum;
} doc_ctx;

/* The checksum: the feed's hash links, else URL.sha512, then URL.sha256.
 * 0 with dc->bits 0 when the provider publishes none. */
static int doc_checksum(doc_ctx *dc, const char *tmp, wb_error *err)
{
    provider *p = dc->p;
    char guess[2][4200];
    const char *urls[2];
    size_t nu = 0;
    if (dc->ref->hash[0]) {
        for (size_t i = 0; i < 2 && dc->ref->hash[i]; i++)
            urls[nu++] = dc->ref->hash[i];
    } else {
        snprintf(guess[0], sizeof guess[0], "%s.sha512", dc->ref->url);
        snprintf(guess[1], sizeof guess[1], "%s.sha256", dc->ref->url);
        urls[0] = guess[0], urls[1] = guess[1], nu = 2;
    }
    dc->bits = 0;
    for (size_t i = 0; i < nu; i++) {
        long code = 0;
        wb_error e = {0};
        int rc = wbi_fetch_get_mem(p->f, urls[i], WBI_FETCH_MAX_SMALL, &dc->sum, &code, &e);
        if (rc == WB_ENOTFOUND) continue;
        if (rc != 0) return wb_error_set(err, rc, "checksum: %s", e.msg);
        unsigned char want[64], have[64];
        unsigned bits = 0;
        if (wbi_fetch_parse_checksum(dc->sum.data, dc->sum.len, want, &bits) != 0)
            return wb_error_set(err, WB_EPARSE, "%s is not a SHA-256 or SHA-512 checksum file",
                                urls[i]);
        rc = digest_file(tmp, bits, have, err);
        if (rc != 0) return rc;
        if (sodium_memcmp(want, have, bits / 8) != 0)
            return wb_error_set(err, WB_EPARSE,
                                "SHA-%u does not match %s: the document was "
                                "altered or damaged",
                                bits, urls[i]);
        dc->bits = bits;
        dc->hash_url = urls[i];
        return 0;
    }
    return 0;
}

static int doc_signature(doc_ctx *dc, const char *tmp, wb_error *err)
{
    provider *p = dc->p;
    dc->have_sig = false;
    if (!p->sign) return 0;
    char guess[4200];
    const char *url = dc->ref->sig;
    if (url == NULL) {
        snprintf(guess, sizeof guess, "%s.asc", dc->ref->url);
        url = guess;
    }
    long code = 0;
    wb_error e = {0};
    int rc = wbi_fetch_get_mem(p->f, url, WBI_FETCH_MAX_SMALL, &dc->sig, &code, &e);
    if (rc == WB_ENOTFOUND) {
        if (p->require)
            return wb_error_set(err, WB_EPARSE, "no signature at %s (--require-signatures)", url);
        return 0;
    }
    if (rc != 0) return wb_error_set(err, rc, "signature: %s", e.msg);
    char sigtmp[4800];
    snprintf(sigtmp, sizeof sigtmp, "%s.asc", tmp);
    rc = wbi_fetch_write_atomic(sigtmp, dc->sig.data, dc->sig.len, err);
    if (rc == 0) rc = run_gpgv(p->gpgv, p->keyhome, p->keyring, sigtmp, tmp, &p->meta, err);
    unlink(sigtmp);
    if (rc == 0) dc->have_sig = true;
    return rc;
}

static int check_doc(void *ud, const char *tmp, wb_error *err)
{
    doc_ctx *dc = ud;
    int rc = doc_checksum(dc, tmp, err);
    if (rc == 0) rc = doc_signature(dc, tmp, err);
    return rc;
}

/* One document: skipped when the listing says it is unchanged since the
 * copy we have; else fetched (conditionally) and checked. */
static int csaf_doc(provider *p, const wbi_doc_ref *ref, wb_error *err)
{
    wb_error e = {0};
    if (wbi_fetch_local_path(p->base, ref->url, &p->tmpb, &e) != 0) {
        if (e.code == WB_ENOMEM) return wb_error_set(err, WB_ENOMEM, "out of memory");
        wbi_fetch_problem(p->f, &e);
        p->f->docs_failed++;
        return 0;
    }
    const char *rel = p->tmpb.data;
    if (json_object_get(p->seen, rel)) return 0;
    json_object_set_new(p->seen, rel, json_true());
    char dest[4700];
    snprintf(dest, sizeof dest, "%s/%s", p->srcdir, rel);
    json_t *entry = wbi_fetch_state_file(p->s, rel);
    if (entry == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    const char *was = wbi_fetch_jget(entry, "updated");
    if (ref->updated && was && strcmp(was, ref->updated) == 0 && wbi_fetch_is_file(dest) &&
        wbi_fetch_jget(entry, "url") && strcmp(wbi_fetch_jget(entry, "url"), ref->url) == 0) {
        p->f->st->unchanged++;
    } else {
        doc_ctx dc = {.p = p, .ref = ref};
        int got = 0;
        long code = 0;
        int rc = wbi_fetch_get_file(p->f, ref->url, dest, entry, WBI_FETCH_MAX_DOC, check_doc, &dc,
                                    &got, &code, &e);
        if (rc == 0 && got == WBI_GOT_NEW) {
            json_object_set_new(entry, "checksum",
                                dc.bits ? json_sprintf("sha%u", dc.bits) : json_null());
            json_object_set_new(entry, "signed", json_boolean(dc.have_sig));
            /* the proofs beside the document, as a CSAF mirror keeps them */
            char side[4800];
            wb_error e2 = {0};
            if (dc.bits) {
                snprintf(side, sizeof side, "%s.sha%u", dest, dc.bits);
                wbi_fetch_write_atomic(side, dc.sum.data, dc.sum.len, &e2);
            }
            if (dc.have_sig) {
                snprintf(side, sizeof side, "%s.asc", dest);
                wbi_fetch_write_atomic(side, dc.sig.data, dc.sig.len, &e2);
            }
        }
        wb_buf_free(&dc.sig);
        wb_buf_free(&dc.sum);
        if (rc == WB_ENOMEM) return wb_error_set(err, WB_ENOMEM, "out of memory");
        if (rc != 0) {
            if (!strstr(e.msg, dest)) {
                size_t n = strlen(e.msg);
                snprintf(e.msg + n, sizeof e.msg - n, " (%s)", dest);
            }
            wbi_fetch_problem(p->f, &e);
            p->f->docs_failed++;
            return 0;
        }
        wbi_fetch_jset(entry, "updated", ref->updated);
    }
    if (json_is_null(json_object_get(entry, "checksum"))) p->unchecked_docs++;
    if (p->sign && json_is_false(json_object_get(entry, "signed"))) p->unsigned_docs++;
    return 0;
}

/* A hidden local name for a listing or feed URL: ".fetch/HASH-what". */
static void listing_rel(const char *url, const char *what, char *out, size_t cap)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[17];
    crypto_hash_sha256(h, (const unsigned char *)url, strlen(url));
    sodium_bin2hex(hex, sizeof hex, h, 8);
    snprintf(out, cap, ".fetch/%s-%s", hex, what);
}

/* Fetches a listing (conditionally) and parses the local copy into l.
 * *code the HTTP status (for 401/403/404 decisions by the caller). */
static int get_listing(provider *p, const char *url, const char *what, const char *base,
                       wbi_doc_list *l, long *code, wb_error *err)
{
    char rel[128], dest[4700];
    listing_rel(url, what, rel, sizeof rel);
    snprintf(dest, sizeof dest, "%s/%s", p->srcdir, rel);
    json_t *entry = wbi_fetch_state_file(p->s, rel);
    if (entry == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    int got = 0;
    int rc = wbi_fetch_get_file(p->f, url, dest, entry, WBI_FETCH_MAX_LISTING, check_feed,
                                (void *)what, &got, code, err);
    if (rc == WB_ENOTFOUND && !wbi_fetch_is_file(dest)) json_object_del(p->s->files, rel);
    if (rc != 0) return rc;
    char *data = NULL;
    size_t len = 0;
    rc = wbi_fetch_read_small(dest, WBI_FETCH_MAX_LISTING, &data, &len, err);
    if (rc == 0) {
        if (strcmp(what, "rolie") == 0)
            rc = wbi_fetch_parse_rolie(url, data, len, l, err);
        else
            rc = wbi_fetch_parse_listing(url, base, data, len, strcmp(what, "changes.csv") == 0, l,
                                         err);
    }
    free(data);
    return rc;
}

/* The provider's keys into one binary keyring for gpgv. */
static int csaf_keys(provider *p, wb_error *err)
{
    const wbi_provider_meta *m = &p->meta;
    wb_buf ring = {0};
    int rc = 0;
    snprintf(p->keyhome, sizeof p->keyhome, "%s/.keys", p->srcdir);
    for (size_t i = 0; rc == 0 && i < m->nkeys; i++) {
        const wbi_pm_key *k = &m->keys[i];
        if (k->url == NULL) {
            wbi_fetch_warn(p->f, "%s: key %s has no url in the provider metadata: not used",
                           p->name, k->fingerprint);
            continue;
        }
        char rel[128], dest[4700];
        snprintf(rel, sizeof rel, ".keys/%s.asc", k->fingerprint);
        snprintf(dest, sizeof dest, "%s/%s", p->srcdir, rel);
        json_t *entry = wbi_fetch_state_file(p->s, rel);
        if (entry == NULL) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        int got = 0;
        long code = 0;
        wb_error e = {0};
        if (wbi_fetch_get_file(p->f, k->url, dest, entry, WBI_FETCH_MAX_KEY, check_key, NULL, &got,
                               &code, &e) != 0) {
            wbi_fetch_problem(p->f, &e);
            if (!wbi_fetch_is_file(dest)) continue;
        }
        char *data = NULL;
        size_t len = 0;
        if (wbi_fetch_read_small(dest, WBI_FETCH_MAX_KEY, &data, &len, &e) == 0) {
            if (wbi_fetch_dearmor(data, len, &ring) != 0) {
                wb_error_set(&e, WB_EPARSE, "%s: not an OpenPGP public key (%s)", k->url, dest);
                wbi_fetch_problem(p->f, &e);
            }
            free(data);
        }
    }
    if (rc == 0 && ring.len > 0) {
        char path[4700];
        snprintf(path, sizeof path, "%s/keyring.gpg", p->keyhome);
        rc = wbi_fetch_write_atomic(path, ring.data, ring.len, err);
        /* gpgv reads a relative keyring name from its home directory */
        if (rc == 0 && realpath(path, p->keyring) == NULL)
            rc = wb_error_set(err, WB_EIO, "%s: %s", path, strerror(errno));
        if (rc == 0 && realpath(p->keyhome, path) != NULL)
            snprintf(p->keyhome, sizeof p->keyhome, "%s", path);
    }
    wb_buf_free(&ring);
    if (rc == 0) p->sign = p->keyring[0] != '\0';
    return rc;
}

int wbi_fetch_csaf(wbi_fetcher *f, wbi_fetch_state *s, const wb_fetch_source *src,
                   const char *srcdir, wb_error *err)
{
    provider *p = calloc(1, sizeof *p);
    if (p == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    p->f = f;
    p->s = s;
    p->srcdir = srcdir;
    p->name = src->name;
    p->require = f->o->require_signatures;
    p->seen = json_object();
    int rc = p->seen ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
    /* base: the metadata's directory */
    const char *host = strstr(src->url, "://") + 3;
    const char *last = strrchr(host, '/');
    size_t bl = last ? (size_t)(last - src->url) + 1 : strlen(src->url);
    snprintf(p->base, sizeof p->base, "%.*s%s", (int)bl, src->url, last ? "" : "/");

    char dest[4700];
    snprintf(dest, sizeof dest, "%s/provider-metadata.json", srcdir);
    json_t *entry = rc == 0 ? wbi_fetch_state_file(s, "provider-metadata.json") : NULL;
    int got = 0;
    long code = 0;
    if (rc == 0 && entry == NULL) rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0)
        rc = wbi_fetch_get_file(f, src->url, dest, entry, WBI_FETCH_MAX_META, check_meta, NULL,
                                &got, &code, err);
    char *data = NULL;
    size_t len = 0;
    if (rc == 0) rc = wbi_fetch_read_small(dest, WBI_FETCH_MAX_META, &data, &len, err);
    if (rc == 0) rc = wbi_fetch_parse_metadata(dest, data, len, &p->meta, err);
    free(data);
    /* signatures: keys in the metadata and gpgv on this machine */
    bool gpgv = rc == 0 && find_program(f->o->gpgv ? f->o->gpgv : "gpgv", p->gpgv, sizeof p->gpgv);
    if (rc == 0 && p->meta.nkeys == 0) {
        if (p->require)
            rc = wb_error_set(err, WB_EINVAL,
                              "%s (%s): the provider publishes no OpenPGP keys "
                              "(public_openpgp_keys): its documents cannot be checked and "
                              "--require-signatures is given",
                              src->name, src->url);
        else
            wbi_fetch_warn(f,
                           "%s (%s): the provider publishes no OpenPGP keys: documents are NOT "
                           "signature-checked, only against their checksums",
                           src->name, src->url);
    } else if (rc == 0 && !gpgv) {
        if (p->require)
            rc = wb_error_set(err, WB_EINVAL,
                              "%s: gpgv (Debian package gpgv) is not installed: signatures cannot "
                              "be checked and --require-signatures is given",
                              src->name);
        else
            wbi_fetch_warn(f,
                           "%s: gpgv (Debian package gpgv) is not installed: documents are NOT "
                           "signature-checked, only against their checksums",
                           src->name);
    } else if (rc == 0) {
        rc = csaf_keys(p, err);
        if (rc == 0 && !p->sign) {
            if (p->require)
                rc = wb_error_set(err, WB_EINVAL,
                                  "%s: none of the provider's OpenPGP keys could be fetched "
                                  "and --require-signatures is given",
                                  src->name);
            else
                wbi_fetch_warn(
                    f,
                    "%s: none of the provider's OpenPGP keys could be fetched: documents "
                    "are NOT signature-checked",
                    src->name);
        }
    }
    /* ROLIE feeds, then directory distributions (a document in both is
     * fetched once) */
    for (size_t i = 0; rc == 0 && i < p->meta.nfeeds; i++) {
        wbi_doc_list l = {0};
        wb_error e = {0};
        const wbi_pm_feed *fd = &p->meta.feeds[i];
        int lrc = get_listing(p, fd->url, "rolie", NULL, &l, &code, &e);
        if (lrc != 0 && (code == 401 || code == 403)) {
            wbi_fetch_warn(f, "%s: feed %s (TLP:%s) needs authorisation: skipped", src->name,
                           fd->url, fd->tlp ? fd->tlp : "?");
        } else if (lrc == WB_ENOMEM) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        } else if (lrc != 0) {
            wbi_fetch_problem(f, &e);
        }
        for (size_t j = 0; rc == 0 && lrc == 0 && j < l.n; j++)
            rc = csaf_doc(p, &l.v[j], err);
        wbi_doc_list_free(&l);
    }
    for (size_t i = 0; rc == 0 && i < p->meta.ndirs; i++) {
        wbi_doc_list l = {0};
        wb_error e = {0};
        char url[4200];
        const char *dir = p->meta.dirs[i];
        snprintf(url, sizeof url, "%s/changes.csv", dir);
        int lrc = get_listing(p, url, "changes.csv", dir, &l, &code, &e);
        if (lrc == WB_ENOTFOUND) {
            wb_error_clear(&e);
            snprintf(url, sizeof url, "%s/index.txt", dir);
            lrc = get_listing(p, url, "index.txt", dir, &l, &code, &e);
        }
        if (lrc != 0 && (code == 401 || code == 403))
            wbi_fetch_warn(f, "%s: %s needs authorisation: skipped", src->name, dir);
        else if (lrc == WB_ENOMEM)
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
        else if (lrc != 0)
            wbi_fetch_problem(f, &e);
        for (size_t j = 0; rc == 0 && lrc == 0 && j < l.n; j++)
            rc = csaf_doc(p, &l.v[j], err);
        wbi_doc_list_free(&l);
    }
    if (rc == 0 && p->unsigned_docs)
        wbi_fetch_warn(f, "%s: %zu document%s without an OpenPGP signature", src->name,
                       p->unsigned_docs, p->unsigned_docs == 1 ? " is" : "s are");
    if (rc == 0 && p->unchecked_docs)
        wbi_fetch_warn(f, "%s: %zu document%s without a published SHA-256/SHA-512 checksum",
                       src->name, p->unchecked_docs, p->unchecked_docs == 1 ? " is" : "s are");
    json_object_set_new(s->root, "signatures", json_string(p->sign ? "checked" : "not checked"));
    json_decref(p->seen);
    wbi_provider_meta_free(&p->meta);
    wb_buf_free(&p->tmpb);
    free(p);
    return rc;
}
