/*
 * need_shared.h - forced (-include, CMakeLists.txt) into every test program
 * whose source names WB_SHARED_DIR or the vuln suites' suite.h: the public
 * test suites live in ../shared beside the checkout, and a clone without
 * it must skip those programs (exit 77, which CTest counts as skipped)
 * rather than fail them.
 */
#ifndef WB_TEST_NEED_SHARED_H
#define WB_TEST_NEED_SHARED_H

#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void wb_test_need_shared(void)
{
    if (access(WB_SHARED_DIR "/testdata", R_OK) == 0) return;
    fprintf(stderr, "skipped: %s/testdata is absent (a clone without ../shared)\n", WB_SHARED_DIR);
    _exit(77);
}

#endif
