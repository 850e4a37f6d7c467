/*
 * fuzz_catalogue.c - libFuzzer target: control catalogues in the YAML
 * library format. A catalogue that loads must have a consistent tree (every
 * node reachable once, children after their parents) and an index that finds
 * every node by its key and urn.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "weerbaar/assess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_catalogue *cat = NULL;
    wb_error err = {0};
    if (wb_catalogue_parse((const char *)data, size, "fuzz.yaml", "fuzz", &cat, &err) != 0)
        return 0;
    size_t reached = cat->nroots, assessable = 0;
    for (size_t i = 0; i < cat->nnodes; i++) {
        const wb_req_node *n = &cat->nodes[i];
        if (wb_catalogue_find(cat, n->key) != n || wb_catalogue_find(cat, n->urn) != n) abort();
        for (size_t c = 0; c < n->nchildren; c++)
            if (n->children[c] <= i || cat->nodes[n->children[c]].parent != (long)i) abort();
        reached += n->nchildren;
        assessable += n->assessable;
        (void)wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, "nl", NULL);
    }
    if (reached != cat->nnodes || assessable != cat->nassessable) abort();
    /* scoring with no answers walks every node and the catalogue's own mappings */
    wb_scores *s = NULL;
    if (wb_assess_score(cat, NULL, cat, 3, &s, &err) != 0) abort();
    if (s->ngaps != cat->nassessable) abort();
    wb_scores_free(s);
    wb_catalogue_free(cat);
    return 0;
}
