/*
 * mispsvc.h - the rest of MISP's model as share services, beside
 * sharesvc.h: galaxies and their clusters (src/share/galaxy.c), proposals
 * or shadow attributes (src/share/proposal.c), and the attribute and
 * object paths MISP addresses by id (src/share/misp_write.c).
 *
 * Every operation takes a wb_share (who asks, the store, the clock) and
 * answers JSON text in MISP's shapes, refusing as sharesvc.h describes
 * (s->status, s->code, the message in s->err): 404 for what the caller may
 * not see as for what does not exist.
 */
#ifndef WEERBAAR_MISPSVC_H
#define WEERBAAR_MISPSVC_H

#include "weerbaar/sharesvc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- galaxies ------------------------------------------------------------------------- */

typedef struct wb_galaxy_import_stats {
    size_t files, galaxies, clusters;
    size_t skipped; /* cluster values refused (no uuid, a bad value), the first in why */
    char why[WB_ERROR_MSG_MAX];
} wb_galaxy_import_stats;

/* Imports MISP galaxy JSON (misp-galaxy's galaxies/NAME.json definitions
 * and clusters/NAME.json collections): a file, or a directory of them (or
 * with galaxies/ and clusters/ inside, as misp-galaxy has it). A galaxy or
 * cluster with the same uuid (or type, or tag) is replaced. A site admin
 * or the local operator; one transaction, audited ("galaxy.import"). */
int wb_share_galaxy_import(wb_share *s, const char *path, wb_galaxy_import_stats *st);
/* galaxies/index: [{"Galaxy": {...}}]; with text (galaxies/index search
 * or POST galaxies {"value"}) only those whose name, type, namespace or
 * description contains it. */
int wb_share_misp_galaxies(wb_share *s, const char *text, wb_buf *out);
/* galaxies/view/REF (id, uuid or type): {"Galaxy": {...}, "GalaxyCluster":
 * [...]}. */
int wb_share_misp_galaxy_view(wb_share *s, const char *ref, wb_buf *out);
/* galaxy_clusters/index/GALAXY {"context", "searchall"}: [{"GalaxyCluster":
 * {...}}] of the galaxy's clusters whose value, description or meta
 * contains the text; contexts other than "all" and "default" (custom, org,
 * orgc, deleted) hold none here. */
int wb_share_misp_clusters(wb_share *s, const char *galaxy, const char *context, const char *text,
                           wb_buf *out);
/* galaxy_clusters/view/REF (id or uuid): {"GalaxyCluster": {..., "Galaxy"}}. */
int wb_share_misp_cluster_view(wb_share *s, const char *ref, wb_buf *out);
/* galaxies/attachCluster/TARGET/event|attribute: the cluster (id or uuid)
 * as its tag on the caller's organisation's event or attribute (MISP's id
 * or uuid), stored as an edit of the event. */
int wb_share_misp_cluster_attach(wb_share *s, const char *target, bool attribute,
                                 const char *cluster, wb_buf *out);

/* ---- proposals (shadow attributes) ---------------------------------------------------------- */

/* shadow_attributes/add/EVENT: a new attribute proposed for an event the
 * caller may read but whose organisation is another's (the event's own
 * organisation adds directly: 403 here). {"ShadowAttribute": {...}}. */
int wb_share_proposal_add(wb_share *s, const char *event, const char *body, size_t len,
                          wb_buf *out);
/* shadow_attributes/edit/ATTR and delete/ATTR: a change to, or the
 * deletion of, a visible attribute of another organisation's event. */
int wb_share_proposal_edit(wb_share *s, const char *attr, const char *body, size_t len, bool remove,
                           wb_buf *out);
/* shadow_attributes/accept/ID: the event's organisation (or a site admin)
 * applies the proposal through the event path (validation, audit, change
 * feed); discard/ID: the event's organisation, a site admin, or the
 * proposing organisation withdraws it. */
int wb_share_proposal_accept(wb_share *s, const char *id, wb_buf *out);
int wb_share_proposal_discard(wb_share *s, const char *id, wb_buf *out);
/* shadow_attributes/index[/EVENT] and view/ID: the open proposals on the
 * caller's organisation's events and those it made (a site admin: all). */
int wb_share_proposal_list(wb_share *s, const char *event, wb_buf *out);
int wb_share_proposal_view(wb_share *s, const char *id, wb_buf *out);

/* events/view for a person (misp_sync_api.c answers a server's sync
 * user itself): the event as wb_share_event_get renders it, with MISP's
 * numeric ids on the event and its attributes. */
int wb_share_misp_event_view(wb_share *s, const char *uuid, wb_buf *out);

/* ---- attributes and objects by id --------------------------------------------------------- */

/* attributes/view/REF (MISP's id or uuid): {"Attribute": {...}} as the
 * caller may see it. */
int wb_share_misp_attr_view(wb_share *s, const char *ref, wb_buf *out);
/* objects/delete/UUID: the object and its attributes out of the caller's
 * organisation's event. */
int wb_share_misp_object_delete(wb_share *s, const char *ref, wb_buf *out);

#ifdef __cplusplus
}
#endif
#endif
