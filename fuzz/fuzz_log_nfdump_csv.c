/* fuzz_log_nfdump_csv.c - libFuzzer target for the "nfdump-csv" log reader. */
#define FUZZ_LOG_FORMAT "nfdump-csv"
#include "fuzz_log_common.h"
