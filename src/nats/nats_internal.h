/*
 * nats_internal.h - what the files of src/nats/ share: consumer names and
 * the subjects of an organisation.
 */
#ifndef WB_NATS_INTERNAL_H
#define WB_NATS_INTERNAL_H

#include <stddef.h>

#include <nats/nats.h>

#include "weerbaar/nats.h"

/* The durable consumer a user reads `subject` through: "<user>-all",
 * "<user>-org", "<user>-sg-<uuid>", "<user>-sg2-<a>-<b>" (a NATS token).
 * WB_EINVAL for a subject that is not an indicator subject, or no room. */
int wbi_nats_consumer_name(const char *user, const char *subject, char *out, size_t n);

/* Sets the servers of a comma-separated URL list (a cluster's). */
natsStatus wbi_nats_set_urls(natsOptions *o, const char *urls);

#endif
