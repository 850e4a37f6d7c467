/* fuzz_log_zeek_json.c - libFuzzer target for the "zeek-json" log reader. */
#define FUZZ_LOG_FORMAT "zeek-json"
#include "fuzz_log_common.h"
