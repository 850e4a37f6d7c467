/*
 * fuzz_vulnfetch.c - libFuzzer target: the readers of what a CSAF provider's
 * server sends to `weerbaar vuln fetch` (src/vuln/fetch_parse.c). The first
 * byte picks the reader: 0 provider-metadata.json, 1 a ROLIE feed, 2
 * changes.csv, 3 index.txt, 4 a checksum file, 5 an armoured key, 6 a
 * document URL mapped to a local path; the rest is its input. Every URL a
 * reader hands out must pass the URL check, and every local path must stay
 * inside the provider's folder.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/fetch_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const wbi_doc_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (wbi_fetch_url_ok(l->v[i].url) != 0) abort();
        for (size_t j = 0; j < 2; j++)
            if (l->v[i].hash[j] && wbi_fetch_url_ok(l->v[i].hash[j]) != 0) abort();
        if (l->v[i].sig && wbi_fetch_url_ok(l->v[i].sig) != 0) abort();
        if (l->v[i].updated) (void)strlen(l->v[i].updated);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    wb_error err = {0};
    switch (data[0] % 7) {
    case 0: {
        wbi_provider_meta m;
        if (wbi_fetch_parse_metadata("fuzz", s, n, &m, &err) == 0) {
            for (size_t i = 0; i < m.nkeys; i++)
                if (strlen(m.keys[i].fingerprint) != 40 && strlen(m.keys[i].fingerprint) != 64)
                    abort();
            for (size_t i = 0; i < m.ndirs; i++)
                if (wbi_fetch_url_ok(m.dirs[i]) != 0) abort();
            for (size_t i = 0; i < m.nfeeds; i++)
                if (wbi_fetch_url_ok(m.feeds[i].url) != 0) abort();
        }
        wbi_provider_meta_free(&m);
        break;
    }
    case 1:
    case 2:
    case 3: {
        wbi_doc_list l = {0};
        if (data[0] % 7 == 1)
            wbi_fetch_parse_rolie("fuzz", s, n, &l, &err);
        else
            wbi_fetch_parse_listing("fuzz", "https://p.example/csaf", s, n, data[0] % 7 == 2, &l,
                                    &err);
        check_list(&l);
        wbi_doc_list_free(&l);
        break;
    }
    case 4: {
        unsigned char d[64];
        unsigned bits = 0;
        if (wbi_fetch_parse_checksum(s, n, d, &bits) == 0 && bits != 256 && bits != 512) abort();
        break;
    }
    case 5: {
        wb_buf b = {0};
        wbi_fetch_dearmor(s, n, &b);
        wb_buf_free(&b);
        break;
    }
    case 6: {
        char *url = malloc(n + 1);
        if (url == NULL) return 0;
        memcpy(url, s, n);
        url[n] = '\0';
        wb_buf b = {0};
        if (wbi_fetch_local_path("https://p.example/csaf/", url, &b, &err) == 0) {
            /* no segment is empty or starts with '.' (no "..", no hidden
             * file such as the state file) */
            if (b.data[0] == '/' || b.data[0] == '.' || strstr(b.data, "/.") ||
                strstr(b.data, "//"))
                abort();
        }
        wb_buf_free(&b);
        free(url);
        break;
    }
    }
    return 0;
}
