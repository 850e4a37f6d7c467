/*
 * cmd_admin_web.c - `weerbaar admin user password EMAIL` (reads the new
 * password from the terminal, asked twice without echo, or from the first
 * line of standard input) and `weerbaar admin user link EMAIL` (prints a
 * one-time first-login or reset link) and `weerbaar admin user
 * second-factor-reset EMAIL` (removes a lost second factor). The sign-in service
 * (websession.h) does the work and writes the audit log.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cmd_admin_web.h"
#include "weerbaar/websession.h"

bool wb_cli_admin_web_verb(const char *verb)
{
    return strcmp(verb, "password") == 0 || strcmp(verb, "link") == 0 ||
           strcmp(verb, "second-factor-reset") == 0;
}

/* One line from f without its newline; false at the end or when too long. */
static bool read_line(FILE *f, char *buf, size_t cap)
{
    if (fgets(buf, (int)cap, f) == NULL) return false;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '\r') buf[--n] = '\0';
        return true;
    }
    return feof(f) != 0; /* a last line without newline; else too long */
}

static bool ask(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    fputs(prompt, stderr);
    fflush(stderr);
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = read_line(stdin, buf, cap);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputs("\n", stderr);
    }
    return ok;
}

static int password_cmd(wb_store *st, const char *email)
{
    char pw[WB_PASSWORD_MAX + 2], again[WB_PASSWORD_MAX + 2];
    int status = WB_EXIT_ERROR;
    bool tty = isatty(STDIN_FILENO);
    if (!ask(tty ? "New password: " : "", pw, sizeof pw)) {
        wb_cli_error("admin user password: no password on standard input (or longer than %d "
                     "bytes)",
                     WB_PASSWORD_MAX);
    } else if (tty && (!ask("Again: ", again, sizeof again) || strcmp(pw, again) != 0)) {
        wb_cli_error("admin user password: the two passwords differ");
    } else {
        wb_error err = {0};
        if (wb_password_set(st, email, pw, "cli", &err) != 0) {
            wb_cli_report(&err);
        } else {
            printf("password set for %s; the user's sessions were ended\n", email);
            status = WB_EXIT_OK;
        }
    }
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(again, sizeof again);
    return status;
}

static int link_cmd(wb_store *st, const char *email, const char *url, const char *hours)
{
    int64_t h = 72;
    if (hours && wb_parse_i64(hours, strlen(hours), 1, 30 * 24, &h) != 0) {
        wb_cli_error("admin user link: --hours expects 1 to 720, not '%s'", hours);
        return WB_EXIT_ERROR;
    }
    const char *base = url ? url : "http://127.0.0.1:8080";
    size_t bn = strlen(base);
    while (bn > 0 && base[bn - 1] == '/')
        bn--;
    char token[WB_WEB_TOKEN_LEN + 1];
    wb_error err = {0};
    wb_time now = wb_time_now();
    if (wb_signin_link_new(st, email, h * 3600, "cli", now, token, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    char until[40];
    wb_time_format(now / 1000000 * 1000000 + h * 3600 * 1000000LL, until, sizeof until);
    /* The token goes in the fragment: browsers never send it to the hub
     * (nor to its access log), and it leaves no Referer. */
    printf("%.*s/#/first-login?token=%s\n", (int)bn, base, token);
    fprintf(stderr,
            "one-time link for %s, valid until %s: it sets the password (a new link "
            "replaces a forgotten one)\n",
            email, until);
    sodium_memzero(token, sizeof token);
    return WB_EXIT_OK;
}

int wb_cli_admin_web(wb_store *st, const char *verb, const char *email, const char *url,
                     const char *hours)
{
    if (strcmp(verb, "password") == 0) return password_cmd(st, email);
    if (strcmp(verb, "second-factor-reset") == 0) {
        wb_error err = {0};
        if (wb_totp_reset(st, email, "cli", &err) != 0) {
            wb_cli_report(&err);
            return WB_EXIT_ERROR;
        }
        printf("second factor and recovery codes of %s removed; the user's sessions were "
               "ended\n",
               email);
        return WB_EXIT_OK;
    }
    return link_cmd(st, email, url, hours);
}
