/* fuzz_log_text.c - libFuzzer target for the "text" log reader. */
#define FUZZ_LOG_FORMAT "text"
#include "fuzz_log_common.h"
