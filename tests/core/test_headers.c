/*
 * test_headers.c - every public header together in one translation unit:
 * catches a type or function name that two modules both claim (the
 * incident and vuln modules once both defined wb_severity) and headers that
 * do not compile on their own terms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/assess.h"
#include "weerbaar/assessdb.h"
#include "weerbaar/client.h"
#include "weerbaar/core.h"
#include "weerbaar/cpe.h"
#include "weerbaar/error.h"
#include "weerbaar/hooks.h"
#include "weerbaar/feed.h"
#include "weerbaar/hub.h"
#include "weerbaar/incident.h"
#include "weerbaar/intelexport.h"
#include "weerbaar/intelfetch.h"
#include "weerbaar/io.h"
#include "weerbaar/ioc.h"
#include "weerbaar/logs.h"
#include "weerbaar/match.h"
#include "weerbaar/normalize.h"
#include "weerbaar/purl.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"
#include "weerbaar/scan.h"
#include "weerbaar/store.h"
#include "weerbaar/vers.h"
#include "weerbaar/version.h"
#include "weerbaar/vulndb.h"
#include "weerbaar/vulnscan.h"

#include <cmocka.h>

static void test_compiles(void **state)
{
    (void)state;
    assert_true(WB_OK == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_compiles)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
