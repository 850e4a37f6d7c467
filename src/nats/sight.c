/*
 * sight.c - the sightings a sensor sends back over NATS: the parser of a
 * message (untrusted: any client with a sensor's key writes it; fuzzed
 * by fuzz/fuzz_nats_user.c) and its bounds. The format is the body of
 * POST /api/v1/sightings that `match --report` sends, so both ways carry
 * the same document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "weerbaar/nats.h"

static bool uuid_ok(const char *s)
{
    if (s == NULL || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* A number given as a JSON integer or as a string of digits. */
static bool num(json_t *v, int64_t min, int64_t max, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < min || x > max) return false;
        *out = (int64_t)x;
        return true;
    }
    const char *s = json_string_value(v);
    return s && wb_parse_i64(s, strlen(s), min, max, out) == 0;
}

/* first_seen: an RFC 3339 time, Unix seconds, or null/absent (0). */
static bool when(json_t *v, int64_t *out)
{
    *out = 0;
    if (v == NULL || json_is_null(v)) return true;
    if (num(v, 0, 253402300799LL, out)) return true;
    const char *s = json_string_value(v);
    wb_time t;
    if (s == NULL || wb_time_parse(s, strlen(s), &t) != 0 || t < 0) return false;
    *out = (int64_t)(t / 1000000);
    return true;
}

int wb_nats_sightings_parse(const char *text, size_t len, wb_nats_sighting **out, size_t *n,
                            size_t *skipped, wb_error *err)
{
    *out = NULL;
    *n = *skipped = 0;
    if (len > WB_NATS_SIGHT_BYTES)
        return wb_error_set(err, WB_ELIMIT, "a sightings message of %zu bytes (at most %d)", len,
                            WB_NATS_SIGHT_BYTES);
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_array(j)) {
        json_decref(j);
        return wb_error_set(err, WB_EPARSE, "a sightings message that is no JSON array");
    }
    size_t total = json_array_size(j);
    if (total > WB_NATS_SIGHT_MAX) {
        json_decref(j);
        return wb_error_set(err, WB_ELIMIT, "%zu sightings in a message (at most %d)", total,
                            WB_NATS_SIGHT_MAX);
    }
    wb_nats_sighting *v = calloc(total ? total : 1, sizeof *v);
    if (v == NULL) {
        json_decref(j);
        return wb_error_set(err, WB_ENOMEM, "out of memory");
    }
    size_t i;
    json_t *el;
    json_array_foreach(j, i, el)
    {
        wb_nats_sighting s = {.count = 1};
        const char *attr = json_string_value(json_object_get(el, "uuid"));
        const char *req = json_string_value(json_object_get(el, "sighting_uuid"));
        const char *src = json_string_value(json_object_get(el, "source"));
        json_t *type = json_object_get(el, "type"), *count = json_object_get(el, "count");
        int64_t t = 0;
        bool ok = json_is_object(el) && uuid_ok(attr) && (req == NULL || uuid_ok(req)) &&
                  (type == NULL || num(type, 0, 2, &t)) &&
                  num(json_object_get(el, "date_sighting"), 1, 253402300799LL, &s.date) &&
                  (count == NULL || num(count, 1, INT64_C(1) << 40, &s.count)) &&
                  when(json_object_get(el, "first_seen"), &s.first) &&
                  (s.first == 0 || s.first <= s.date) && (src == NULL || strlen(src) < 128);
        if (!ok) {
            (*skipped)++;
            continue;
        }
        s.type = (int)t;
        memcpy(s.attr, attr, 37);
        if (req) memcpy(s.request, req, 37);
        if (src) snprintf(s.source, sizeof s.source, "%s", src);
        v[(*n)++] = s;
    }
    json_decref(j);
    *out = v;
    return 0;
}
