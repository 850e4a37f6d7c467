/*
 * fuzz_web_session.c - libFuzzer target: what the hub reads from a
 * browser before it knows who is asking: the Cookie header (the
 * wb_session value, wbi_hub_cookie_session), the JSON bodies of the sign-in
 * endpoints (wbi_hub_session_body_parse), the Accept header (wbi_hub_accept_json)
 * and a TOTP code (wb_totp_check). The first byte chooses which.
 * Invariants: a cookie value found lies inside the header and holds no
 * ';'; a parsed body's strings are NUL-free and within their bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t max)
{
    if (s && strlen(s) > max) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    char *text = malloc(size);
    if (text == NULL) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 4) {
    case 0: {
        const char *v;
        size_t n;
        if (wbi_hub_cookie_session(text, &v, &n)) {
            if (v < text || v + n > text + strlen(text)) abort();
            if (memchr(v, ';', n)) abort();
        }
        break;
    }
    case 1: {
        json_t *root = NULL;
        wbi_hub_session_body b;
        char why[256];
        if (wbi_hub_session_body_parse(text, size - 1, 32, &root, &b, why, sizeof why) == 0) {
            check_str(b.email, WB_EMAIL_MAX);
            check_str(b.password, WB_PASSWORD_MAX);
            check_str(b.new_password, WB_PASSWORD_MAX);
            check_str(b.old, WB_PASSWORD_MAX);
            check_str(b.totp, 64);
            check_str(b.code, 64);
            check_str(b.key, 256);
            check_str(b.token, 256);
        } else if (why[0] == '\0') {
            abort();
        }
        json_decref(root);
        break;
    }
    case 2:
        (void)wbi_hub_accept_json(text);
        break;
    default: {
        static const uint8_t secret[WB_TOTP_SECRET_LEN] = "12345678901234567890";
        int64_t step = -1;
        if (wb_totp_check(secret, text, 1234567890, &step) && (step < 41152262 || step > 41152264))
            abort();
        break;
    }
    }
    free(text);
    return 0;
}
