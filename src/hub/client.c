/*
 * client.c - the hub's HTTP client, on libcurl: one request at a time, the
 * answer collected into a bounded buffer, errors that name the URL and
 * carry the hub's own error code and message.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "weerbaar/client.h"

typedef struct sink {
    wb_buf *out;
    size_t max;
    bool too_big;
    bool oom;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    if (s->out->len + len > s->max) {
        s->too_big = true;
        return 0;
    }
    if (wb_buf_append(s->out, p, len) != 0) {
        s->oom = true;
        return 0;
    }
    return len;
}

/* "the hub said: code: message" from an error body, when it is one. */
static void hub_error(const wb_buf *b, char *out, size_t cap)
{
    out[0] = '\0';
    json_t *j = b->data ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (code) snprintf(out, cap, ": %s: %s", code, msg ? msg : "");
    /* MISP's shape: {"name", "message", "url", "errors"} */
    const char *mmsg = json_string_value(json_object_get(j, "message"));
    if (code == NULL && mmsg) snprintf(out, cap, ": %s", mmsg);
    json_decref(j);
}

int wb_hub_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : WB_EINTERNAL;
}

void wb_hub_global_cleanup(void)
{
    curl_global_cleanup();
}

int wb_hub_call(const wb_hub_client *c, const char *method, const char *path, const char *body,
                size_t len, wb_buf *out, long *status, wb_error *err)
{
    if (status) *status = 0;
    wb_buf_reset(out);
    wb_buf url = {0};
    size_t bl = strlen(c->base);
    while (bl && c->base[bl - 1] == '/')
        bl--;
    if (wb_buf_append(&url, c->base, bl) || wb_buf_puts(&url, path)) {
        wb_buf_free(&url);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    CURL *h = curl_easy_init();
    if (h == NULL) {
        wb_buf_free(&url);
        return wb_error_set(err, WB_ENOMEM, "cannot start an HTTP client");
    }
    struct curl_slist *hdr = NULL;
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: %s%s", c->raw_key ? "" : "Bearer ",
             c->key ? c->key : "");
    hdr = curl_slist_append(hdr, auth);
    hdr = curl_slist_append(hdr, "Accept: application/json");
    if (body) hdr = curl_slist_append(hdr, "Content-Type: application/json");
    sink s = {.out = out, .max = c->max_body ? c->max_body : (size_t)512 << 20};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url.data);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 300L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "weerbaar/" WB_VERSION);
    if (strcmp(method, "GET") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode cr = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (status) *status = code;
    int rc = 0;
    if (s.too_big) {
        rc = wb_error_set(err, WB_ELIMIT, "%s: answer larger than %zu bytes", url.data, s.max);
    } else if (s.oom) {
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    } else if (cr != CURLE_OK) {
        rc = wb_error_set(err, WB_EIO, "%s: %s", url.data, cerr[0] ? cerr : curl_easy_strerror(cr));
    } else if (code < 200 || code > 299) {
        char detail[400];
        hub_error(out, detail, sizeof detail);
        rc = wb_error_set(err, code == 404 ? WB_ENOTFOUND : WB_EIO, "%s: HTTP %ld%s", url.data,
                          code, detail);
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    wb_buf_free(&url);
    return rc;
}
