/* fuzz_log_dns_bind.c - libFuzzer target for the "dns-bind" log reader. */
#define FUZZ_LOG_FORMAT "dns-bind"
#include "fuzz_log_common.h"
