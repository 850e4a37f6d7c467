/*
 * cpe.h - Common Platform Enumeration names: CPE 2.3 formatted strings
 * ("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*") and CPE 2.2 URIs
 * ("cpe:/a:apache:log4j:2.14.1"), unbound into well-formed names (WFN) and
 * bound back as NISTIR 7695 describes, and compared as NISTIR 7696 does.
 *
 * A wb_cpe is a plain value: the caller owns it (on the stack is fine), it
 * holds no pointers, and it can be copied with '='.
 */
#ifndef WEERBAAR_CPE_H
#define WEERBAAR_CPE_H

#include <stddef.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The quoted values of a name hold at most 2 * WB_CPE_MAX bytes together;
 * strings up to 8 * WB_CPE_MAX bytes are read, so that every name that
 * parses binds to strings (a URI triples what it percent-encodes) that parse
 * again. */
#define WB_CPE_MAX 1024

/* The eleven WFN attributes, in binding order. */
typedef enum wb_cpe_attr {
    WB_CPE_PART,
    WB_CPE_VENDOR,
    WB_CPE_PRODUCT,
    WB_CPE_VERSION,
    WB_CPE_UPDATE,
    WB_CPE_EDITION,
    WB_CPE_LANGUAGE,
    WB_CPE_SW_EDITION,
    WB_CPE_TARGET_SW,
    WB_CPE_TARGET_HW,
    WB_CPE_OTHER,
    WB_CPE_NATTR
} wb_cpe_attr;

typedef enum wb_cpe_kind {
    WB_CPE_ANY,  /* "*" in 2.3, empty in 2.2: any value */
    WB_CPE_NA,   /* "-": not applicable */
    WB_CPE_VALUE /* a string, possibly with '*' and '?' wildcards at its ends */
} wb_cpe_kind;

typedef struct wb_cpe {
    unsigned char kind[WB_CPE_NATTR];
    unsigned short off[WB_CPE_NATTR], len[WB_CPE_NATTR];
    /* WFN values, lower-case, punctuation quoted with '\' */
    char text[2 * WB_CPE_MAX + WB_CPE_NATTR];
} wb_cpe;

/* How a source name relates to a target name (NISTIR 7696). OVERLAP is the
 * case the four name relations of 7696 leave out: some attributes are wider
 * in the source and others in the target. */
typedef enum wb_cpe_relation {
    WB_CPE_EQUAL,
    WB_CPE_SUBSET,   /* every name the source matches, the target matches */
    WB_CPE_SUPERSET, /* the source matches every name the target matches */
    WB_CPE_DISJOINT,
    WB_CPE_OVERLAP
} wb_cpe_relation;

/* "attribute name" for messages ("vendor", "target_sw", ...). */
const char *wb_cpe_attr_name(wb_cpe_attr a);
/* "equal", "subset", "superset", "disjoint", "overlap". */
const char *wb_cpe_relation_name(wb_cpe_relation r);

/* Parses a 2.3 formatted string or a 2.2 URI (chosen by its prefix) into
 * *out. 0, or WB_EINVAL with a message naming the string and the attribute
 * at fault. */
int wb_cpe_parse(const char *s, size_t n, wb_cpe *out, wb_error *err);

/* The WFN value of an attribute (quoted form, not NUL-terminated); *len 0
 * for ANY and NA. */
const char *wb_cpe_value(const wb_cpe *c, wb_cpe_attr a, size_t *len);

/* Binds to a 2.3 formatted string / a 2.2 URI in out (replacing its
 * content). 0 or WB_ENOMEM. */
int wb_cpe_format(const wb_cpe *c, wb_buf *out);
int wb_cpe_format_uri(const wb_cpe *c, wb_buf *out);

/* The relation of source to target. Wildcards count only in the source; a
 * target attribute with wildcards makes the comparison undefined, reported
 * as WB_EINVAL. */
int wb_cpe_compare(const wb_cpe *source, const wb_cpe *target, wb_cpe_relation *out, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
