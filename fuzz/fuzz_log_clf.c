/* fuzz_log_clf.c - libFuzzer target for the "clf" log reader. */
#define FUZZ_LOG_FORMAT "clf"
#include "fuzz_log_common.h"
