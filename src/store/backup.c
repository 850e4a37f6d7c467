/*
 * backup.c - `weerbaar admin backup` and `admin restore` for the SQLite back
 * end: a consistent copy of a live hub through SQLite's online backup API,
 * and its checked restore.
 *
 * The backup copies every page in one step, inside one read transaction of
 * the source: in WAL mode that is a snapshot of the last commit before it
 * began, taken without stopping the hub's writers (they go on appending to
 * the WAL). The copy is written beside its destination under a temporary
 * name, checked with PRAGMA integrity_check, synced and renamed into
 * place, so a reader of FILE never sees half a backup.
 *
 * The restore checks the file (integrity_check, a weerbaar schema), copies
 * it beside the target, opens the copy as the hub would (which refuses a
 * schema newer than this build and brings an older one up to date), and
 * renames it over the target. It refuses a database that a process has
 * open (a running hub holds a lock on its "-shm" file for as long as it
 * runs) unless forced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store_internal.h"

#define BUSY_MS 10000

static int sq_fail(sqlite3 *db, wb_error *err, const char *what, const char *path)
{
    return wb_error_set(err, WB_EIO, "%s: %s: %s", path, what,
                        db ? sqlite3_errmsg(db) : "out of memory");
}

/* "ok" from PRAGMA integrity_check, or the first problem it names. */
static int integrity(sqlite3 *db, const char *path, wb_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(db, err, "integrity check", path);
    int rc = sqlite3_step(st);
    const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (rc == SQLITE_ROW && v && strcmp(v, "ok") == 0)
        rc = 0;
    else if (rc == SQLITE_ROW)
        rc = wb_error_set(err, WB_EFORMAT, "%s: fails PRAGMA integrity_check: %s", path,
                          v ? v : "?");
    else
        rc = sq_fail(db, err, "integrity check", path);
    sqlite3_finalize(st);
    return rc;
}

static int sync_file(const char *path, wb_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return wb_error_set(err, WB_EIO, "%s: %s", path, strerror(e));
    }
    close(fd);
    return 0;
}

/* Copies database src (open) into a new file at path. */
static int copy_into(sqlite3 *src, const char *src_path, const char *path, wb_error *err)
{
    sqlite3 *dst = NULL;
    unlink(path);
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(dst, err, "cannot create", path);
        sqlite3_close(dst);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        rc = sq_fail(dst, err, "backup", path);
        sqlite3_close(dst);
        unlink(path);
        return rc;
    }
    /* -1: every page in one step, so one read transaction of the source
     * (one snapshot). BUSY only while a writer checkpoints: retry. */
    int s;
    for (int tries = 0;; tries++) {
        s = sqlite3_backup_step(b, -1);
        if ((s != SQLITE_BUSY && s != SQLITE_LOCKED) || tries >= 100) break;
        sqlite3_sleep(50);
    }
    sqlite3_backup_finish(b);
    rc = s == SQLITE_DONE ? 0
                          : wb_error_set(err, WB_EIO, "%s: backup of %s failed: %s", path, src_path,
                                         sqlite3_errstr(s));
    if (rc == 0) rc = integrity(dst, path, err);
    sqlite3_close(dst);
    if (rc == 0) rc = sync_file(path, err);
    if (rc) unlink(path);
    return rc;
}

/* PostgreSQL has its own (pg_dump, base backups): said, not attempted on a
 * file named like the URI. */
static int not_sqlite(wb_error *err)
{
    return wb_error_set(err, WB_EINVAL,
                        "admin backup and restore copy SQLite databases; back a PostgreSQL "
                        "database up with pg_dump or base backups (docs/scale.md)");
}

int wb_store_backup(const char *db, const char *out, wb_error *err)
{
    if (wbi_pg_url(db)) return not_sqlite(err);
    if (access(db, F_OK) != 0) return wb_error_set(err, WB_ENOTFOUND, "%s: no such database", db);
    sqlite3 *src = NULL;
    int rc = sqlite3_open_v2(db, &src, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(src, err, "cannot open", db);
        sqlite3_close(src);
        return rc;
    }
    sqlite3_busy_timeout(src, BUSY_MS);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    rc = copy_into(src, db, tmp, err);
    sqlite3_close(src);
    if (rc == 0 && rename(tmp, out) != 0) {
        rc = wb_error_set(err, WB_EIO, "%s: %s", out, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

/* Whether a process holds a lock on db's "-shm" file: SQLite keeps one
 * there for every open connection in WAL mode, a running hub's included. */
static bool in_use(const char *db)
{
    char shm[4200];
    snprintf(shm, sizeof shm, "%s-shm", db);
    int fd = open(shm, O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    bool busy = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return busy;
}

int wb_store_restore(const char *file, const char *db, bool force, wb_error *err)
{
    if (wbi_pg_url(db)) return not_sqlite(err);
    if (!force && in_use(db))
        return wb_error_set(err, WB_EINVAL,
                            "%s is in use (a running hub?); stop it first, or --force", db);
    sqlite3 *src = NULL;
    int rc = sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(src, err, "cannot open", file);
        sqlite3_close(src);
        return rc;
    }
    rc = integrity(src, file, err);
    sqlite3_stmt *st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(src, "SELECT max(version) FROM schema_version", -1, &st,
                                      NULL) != SQLITE_OK)
        rc = wb_error_set(err, WB_EFORMAT, "%s: not a weerbaar database (no schema_version)", file);
    if (rc == 0 && (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int64(st, 0) <= 0))
        rc = wb_error_set(err, WB_EFORMAT, "%s: not a weerbaar database (no schema version)", file);
    sqlite3_finalize(st);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.restore-%ld", db, (long)getpid());
    if (rc == 0) rc = copy_into(src, file, tmp, err);
    sqlite3_close(src);
    /* opened as the hub opens it: a newer schema is refused, an older one
     * migrated, before it takes the target's place */
    wb_store *s = NULL;
    if (rc == 0) rc = wb_store_open(&s, tmp, err);
    wb_store_close(s);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    if (rc == 0) {
        /* the target's own WAL would be replayed into the restored file */
        snprintf(side, sizeof side, "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db);
        unlink(side);
        if (rename(tmp, db) != 0) rc = wb_error_set(err, WB_EIO, "%s: %s", db, strerror(errno));
    }
    if (rc) unlink(tmp);
    return rc;
}
