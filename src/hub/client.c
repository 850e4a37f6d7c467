/*
 * client.c - the hub's HTTP client, on the shared one (http.h): one request
 * at a time, the answer collected into a bounded buffer, errors that name the URL and
 * carry the hub's own error code and message.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "weerbaar/client.h"
#include "weerbaar/http.h"

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
    return wb_http_global_init();
}

/* libcurl's global state lives until the process ends (http.c says why). */
void wb_hub_global_cleanup(void) {}

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
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: %s%s", c->raw_key ? "" : "Bearer ",
             c->key ? c->key : "");
    const char *hdr[] = {auth, "Accept: application/json", "Content-Type: application/json"};
    wb_http_opts o = {.timeout_s = c->timeout_s > 0 ? c->timeout_s : 300L};
    wb_http_req r = {.url = url.data,
                     .method = method,
                     .headers = hdr,
                     .nheaders = body ? 3 : 2,
                     .body = body,
                     .body_len = len,
                     .max_body = c->max_body ? c->max_body : (size_t)512 << 20,
                     .out = out};
    long code = 0;
    int rc = c->handle ? wb_http_perform(c->handle, &r, &code, NULL, err)
                       : wb_http_request(&o, &r, &code, err);
    if (status) *status = code;
    if (rc == 0 && (code < 200 || code > 299)) {
        char detail[400];
        hub_error(out, detail, sizeof detail);
        rc = wb_error_set(err, code == 404 ? WB_ENOTFOUND : WB_EIO, "%s: HTTP %ld%s", url.data,
                          code, detail);
    }
    wb_buf_free(&url);
    return rc;
}
