/*
 * testdb.h - which database a test's store opens. Without WB_TEST_DB the
 * file path the test chose, as always; with WB_TEST_DB set to the URI of
 * a test cluster (tests/pg/cluster.sh start prints it), a PostgreSQL
 * database of its own, made on first use and named after that path, so
 * that each test (and each reopen of the same path) gets the database it
 * would have had as a file. Built into every test program.
 */
#ifndef WB_TEST_TESTDB_H
#define WB_TEST_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

/* Writes into out (cap bytes, at least 256) what to open for path; fails
 * the test when the cluster cannot make the database. */
void testdb_path(const char *path, char *out, size_t cap);
/* Runs sql (no rows wanted) on the database db names, a file or a URI;
 * 0 when it ran, nonzero when the database refused it. */
int testdb_exec(const char *db, const char *sql);
/* The first column of every row of sql, joined by ',', into out. */
void testdb_query(const char *db, const char *sql, char *out, size_t cap);
/* True when the tests run on PostgreSQL (WB_TEST_DB is set). */
bool testdb_pg(void);

#endif
