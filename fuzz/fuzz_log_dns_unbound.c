/* fuzz_log_dns_unbound.c - libFuzzer target for the "dns-unbound" log reader. */
#define FUZZ_LOG_FORMAT "dns-unbound"
#include "fuzz_log_common.h"
