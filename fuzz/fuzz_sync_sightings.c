/*
 * fuzz_sync_sightings.c - libFuzzer target: the sightings another hub
 * sends (MISP's Sighting objects, in a bulkSaveSightings body or inside
 * an event's attributes) as sync reads them before anything touches the
 * database (wbi_sync_prepare_sightings: taken out of the document,
 * checked, those that are not valid counted). Every record kept must have
 * valid uuids, a type 0-2, a positive count and first_seen not after
 * date_sighting; kept plus left out is what was sent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sync/sync_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool uuid_ok(const char *u)
{
    return u && strlen(u) == 36 && wb_uuid_valid(u, 36);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *arr = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return 0;
    }
    size_t sent = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_object(v)) sent++;
    }
    json_t *holder = json_pack("{s:o}", "Sighting", arr);
    if (holder == NULL) return 0;
    wbi_sync_from from = {.server_id = 1, .server_org = 1, .user = "fuzz", .org = "fuzz"};
    wbi_sync_arrived *x = malloc(sizeof *x);
    wb_error err = {0};
    if (x && wbi_sync_prepare_sightings(NULL, &from, holder, x, &err) == 0) {
        const wbi_share_sync_doc *d = &x->doc;
        if (d->nsightings + x->sbad != sent) __builtin_trap();
        for (size_t k = 0; k < d->nsightings; k++) {
            const wbi_sync_sighting_in *s = &d->sightings[k];
            if (!uuid_ok(s->uuid) || !uuid_ok(s->attr_uuid) || s->type < 0 || s->type > 2 ||
                s->count < 1 || s->date_sighting < 1 || s->first_seen > s->date_sighting ||
                (s->org_uuid && !uuid_ok(s->org_uuid)) || (s->org_uuid && s->org_name == NULL))
                __builtin_trap();
        }
    }
    if (x) {
        wbi_sync_arrived_free(x);
        free(x);
    }
    json_decref(holder);
    return 0;
}
