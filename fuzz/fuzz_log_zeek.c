/* fuzz_log_zeek.c - libFuzzer target for the "zeek" log reader. */
#define FUZZ_LOG_FORMAT "zeek"
#include "fuzz_log_common.h"
