/* fuzz_log_jsonl.c - libFuzzer target for the "jsonl" log reader. */
#define FUZZ_LOG_FORMAT "jsonl"
#include "fuzz_log_common.h"
