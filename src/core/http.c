/*
 * http.c - the one libcurl client helper (http.h): a handle with the
 * common options, and a request with its headers, body and a bounded sink.
 *
 * The bound is checked in the write callback, before a byte past it is
 * kept, and told to libcurl too (CURLOPT_MAXFILESIZE_LARGE) so that an
 * answer announcing a larger Content-Length is refused before its body.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "weerbaar/http.h"

/* libcurl's global set-up must run once, before any other libcurl call,
 * and is not thread-safe in every build (it initialises the TLS library):
 * pthread_once makes it once per process whichever thread comes first.
 * It is never undone: curl_global_cleanup is not thread-safe either, and
 * the hub's threads (hooks, sync, feed pulls) may still hold handles when
 * a front end is done; the process's end releases it. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int wb_http_global_init(void)
{
    if (pthread_once(&global_once, global_init) != 0) return WB_EINTERNAL;
    return global_rc == CURLE_OK ? 0 : WB_EINTERNAL;
}

void *wb_http_handle(const wb_http_opts *o)
{
    static const wb_http_opts none = {0};
    if (o == NULL) o = &none;
    if (wb_http_global_init() != 0) return NULL;
    CURL *h = curl_easy_init();
    if (h == NULL) return NULL;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->protocols ? o->protocols : "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                     o->connect_timeout_s > 0 ? o->connect_timeout_s : 10L);
    if (o->timeout_s > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout_s);
    if (o->stall_timeout_s > 0) {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
    }
    if (o->max_redirects > 0) {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, o->max_redirects);
    } else {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    }
    if (o->compressed) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (o->no_proxy) curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (o->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "weerbaar/" WB_VERSION);
    return h;
}

void wb_http_free(void *h)
{
    if (h) curl_easy_cleanup(h);
}

typedef struct sink {
    const wb_http_req *r;
    uint64_t max, got;
    bool too_big, oom, write_err, stopped;
} sink;

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    if (s->got + len > s->max) {
        s->too_big = true;
        return 0;
    }
    const wb_http_req *r = s->r;
    if (r->out) {
        if (wb_buf_append(r->out, p, len) != 0) {
            s->oom = true;
            return 0;
        }
    } else if (r->file) {
        if (fwrite(p, 1, len, r->file) != len) {
            s->write_err = true;
            return 0;
        }
    } else if (r->on_data) {
        if (r->on_data(r->ud, p, len) != 0) {
            s->stopped = true;
            return 0;
        }
    }
    s->got += len;
    return len;
}

static size_t on_head(char *p, size_t size, size_t n, void *ud)
{
    const wb_http_req *r = ud;
    r->on_header(r->ud, p, size * n);
    return size * n;
}

static int on_xfer(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                   curl_off_t ulnow)
{
    const wb_http_req *r = ud;
    (void)ultotal, (void)ulnow;
    if (dlnow > 0) r->on_progress(r->ud, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0);
    return 0;
}

int wb_http_perform(void *h, const wb_http_req *r, long *status, uint64_t *got, wb_error *err)
{
    *status = 0;
    if (got) *got = 0;
    if (r->out) wb_buf_reset(r->out);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; i < r->nheaders; i++) {
        struct curl_slist *t = curl_slist_append(hl, r->headers[i]);
        if (t == NULL) {
            curl_slist_free_all(hl);
            return wb_error_set(err, WB_ENOMEM, "out of memory");
        }
        hl = t;
    }
    sink s = {.r = r, .max = r->max_body ? r->max_body : WB_HTTP_MAX_BODY};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
    /* What was asked for over TLS is not taken from plain HTTP. */
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
                     strncmp(r->url, "https://", 8) == 0 ? "https" : "http,https");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, r->on_header ? on_head : NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r->on_header ? (void *)r : NULL);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, r->on_progress ? on_xfer : NULL);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, r->on_progress ? (void *)r : NULL);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, r->on_progress ? 0L : 1L);
    if (r->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
                     r->method && strcmp(r->method, r->body ? "POST" : "GET") != 0 ? r->method
                                                                                   : NULL);
    CURLcode cr = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hl);
    if (got) *got = s.got;
    if (s.too_big || cr == CURLE_FILESIZE_EXCEEDED)
        return wb_error_set(err, WB_ELIMIT, "%s: larger than %llu bytes: refused", r->url,
                            (unsigned long long)s.max);
    if (s.oom) return wb_error_set(err, WB_ENOMEM, "out of memory");
    if (s.write_err) return wb_error_set(err, WB_EIO, "%s: cannot store the answer", r->url);
    if (s.stopped) return wb_error_set(err, WB_EIO, "%s: the transfer was stopped", r->url);
    if (cr != CURLE_OK)
        return wb_error_set(err, WB_EIO, "%s: %s", r->url, cerr[0] ? cerr : curl_easy_strerror(cr));
    return 0;
}

int wb_http_request(const wb_http_opts *o, const wb_http_req *r, long *status, wb_error *err)
{
    void *h = wb_http_handle(o);
    if (h == NULL) {
        *status = 0;
        return wb_error_set(err, WB_ENOMEM, "cannot start an HTTP client");
    }
    int rc = wb_http_perform(h, r, status, NULL, err);
    wb_http_free(h);
    return rc;
}

/* ---- SMTP ------------------------------------------------------------------------ */

typedef struct smtp_src {
    const char *p;
    size_t left;
} smtp_src;

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    smtp_src *src = ud;
    size_t k = size * n < src->left ? size * n : src->left;
    memcpy(buf, src->p, k);
    src->p += k;
    src->left -= k;
    return k;
}

int wb_smtp_send(void *h, const wb_smtp_msg *m, long *code, wb_error *err)
{
    *code = 0;
    struct curl_slist *rcpt = curl_slist_append(NULL, m->to);
    if (rcpt == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    smtp_src src = {m->data, m->len};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, m->url);
    /* STARTTLS is required on smtp:// unless the caller allows plain text:
     * a reminder names incidents, and the password must not cross in clear. */
    curl_easy_setopt(h, CURLOPT_USE_SSL, m->plain ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_USERNAME, m->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, m->password);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, m->from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &src);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
    CURLcode cr = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    /* The password stays with the caller, not in the handle. */
    curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
    curl_slist_free_all(rcpt);
    if (cr != CURLE_OK)
        return wb_error_set(err, WB_EIO, "%s: %s", m->url, cerr[0] ? cerr : curl_easy_strerror(cr));
    return 0;
}
