/*
 * names.c - the durable consumer name of a user's subject. The name is in
 * the JetStream API subjects the user's permissions list one by one
 * (config.c), so it is made from the user's token and the subject alone:
 * the hub's configuration and the sensor arrive at the same name.
 */
#include <stdio.h>
#include <string.h>

#include "nats/nats_internal.h"

int wbi_nats_consumer_name(const char *user, const char *subject, char *out, size_t n)
{
    int w;
    if (strcmp(subject, "wb.ind.all") == 0) {
        w = snprintf(out, n, "%s-all", user);
    } else if (strncmp(subject, "wb.ind.org.", 11) == 0) {
        w = snprintf(out, n, "%s-org", user);
    } else if (strncmp(subject, "wb.ind.sg.", 10) == 0) {
        w = snprintf(out, n, "%s-sg-%s", user, subject + 10);
    } else if (strncmp(subject, "wb.ind.sg2.", 11) == 0) {
        w = snprintf(out, n, "%s-sg2-%s", user, subject + 11);
        char *dot = strchr(out, '.');
        if (dot) *dot = '-';
    } else {
        return WB_EINVAL;
    }
    if (w < 0 || (size_t)w >= n) return WB_EINVAL;
    return 0;
}

natsStatus wbi_nats_set_urls(natsOptions *o, const char *urls)
{
    /* natsOptions_SetURL takes one URL; a cluster's are a list */
    char buf[2048];
    if (snprintf(buf, sizeof buf, "%s", urls) >= (int)sizeof buf) return NATS_INVALID_ARG;
    const char *list[16];
    int n = 0;
    for (char *p = buf; p && *p && n < 16;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (*p) list[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    if (n == 0) return NATS_INVALID_ARG;
    /* natsOptions_SetServers copies the strings */
    return natsOptions_SetServers(o, list, n);
}
