/* fuzz_log_eve.c - libFuzzer target for the "eve" log reader. */
#define FUZZ_LOG_FORMAT "eve"
#include "fuzz_log_common.h"
