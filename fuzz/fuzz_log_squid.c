/* fuzz_log_squid.c - libFuzzer target for the "squid" log reader. */
#define FUZZ_LOG_FORMAT "squid"
#include "fuzz_log_common.h"
