/* fuzz_log_dnsmasq.c - libFuzzer target for the "dnsmasq" log reader. */
#define FUZZ_LOG_FORMAT "dnsmasq"
#include "fuzz_log_common.h"
