/* wmsctl_user.c - user add|set-pin|disable|enable|list|login. */
#include "wmsctl.h"
#include "store/users.h"

#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: wmsctl user add NAME --role ROLE   (PIN on standard input)\n"
    "       wmsctl user set-pin NAME           (PIN on standard input)\n"
    "       wmsctl user disable NAME | enable NAME\n"
    "       wmsctl user list [--json]\n"
    "       wmsctl user login NAME [--device ID]  (PIN on standard input)\n";

static int usage_fail(const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, user_usage);
    return CTL_USAGE;
}

/* Refuses options other than the global ones and `extra` (may be NULL).
 * A PIN must never be given on the command line: argv shows in `ps`. */
static int check_opts(const ctl *c, const char *extra)
{
    static const char *const global[] = {"db", "json", "user", "device", "help"};
    for (int i = 0; i < c->nopts; i++) {
        const char *n = c->opt_name[i];
        int known = extra != NULL && !strcmp(n, extra);
        for (size_t g = 0; g < sizeof(global) / sizeof(global[0]); g++)
            known |= !strcmp(n, global[g]);
        if (known)
            continue;
        if (!strcmp(n, "pin") || !strcmp(n, "password")) {
            fprintf(stderr, "wmsctl: BAD_ARGS: the PIN is read from standard input, never from "
                            "the command line (it would show in the process list)\n");
            return CTL_USAGE;
        }
        fprintf(stderr, "wmsctl: BAD_ARGS: unknown option --%s for 'user'\n%s", n, user_usage);
        return CTL_USAGE;
    }
    return 0;
}

/* Reads one line (the PIN) from standard input into pin (size n), without
 * the line end.  On a terminal it prompts on stderr with echo off.  Returns
 * 0, or prints an error and returns CTL_USAGE. */
static int read_pin(char *pin, size_t n)
{
    char buf[64];
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("PIN: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, sizeof(buf), stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (got == NULL) {
        fprintf(stderr, "wmsctl: BAD_ARGS: no PIN on standard input (one line of digits)\n");
        return CTL_USAGE;
    }
    size_t len = strlen(buf);
    int whole = len > 0 && buf[len - 1] == '\n';
    if (!whole && !feof(stdin)) {
        sodium_memzero(buf, sizeof(buf));
        fprintf(stderr, "wmsctl: BAD_ARGS: the PIN line is too long\n");
        return CTL_USAGE;
    }
    if (whole)
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    snprintf(pin, n, "%s", buf);
    sodium_memzero(buf, sizeof(buf));
    return 0;
}

static void user_json(const wms_user *u)
{
    printf("{\"name\":");
    ctl_json_str(stdout, u->name);
    printf(",\"role\":");
    ctl_json_str(stdout, wms_role_name(u->role));
    printf(",\"disabled\":%d}", u->disabled ? 1 : 0);
}

typedef struct {
    const ctl *c;
    int n;
} user_list_ctx;

static int user_row(void *ctx, const wms_user *u)
{
    user_list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  ", lc->n++ ? "," : "");
        user_json(u);
        return 0;
    }
    printf("%-32s %-10s %s\n", u->name, wms_role_name(u->role),
           u->disabled ? "disabled" : "enabled");
    lc->n++;
    return 0;
}

static int user_list(ctl *c, wms_db *db)
{
    user_list_ctx lc = {c, 0};
    wms_error err;
    wms_error_clear(&err);
    if (c->json)
        printf("[");
    else
        printf("%-32s %-10s %s\n", "NAME", "ROLE", "STATUS");
    int rc = wms_user_list(db, user_row, &lc, &err);
    if (c->json)
        printf("%s]\n", lc.n ? "\n" : "");
    return rc < 0 ? ctl_fail(&err) : 0;
}

/* Prints the user `name` as stored after a change. */
static int user_show(const ctl *c, wms_db *db, const char *name, const char *what)
{
    wms_user u;
    wms_error err;
    wms_error_clear(&err);
    if (wms_user_get(db, name, &u, &err) < 0)
        return ctl_fail(&err);
    if (c->json) {
        user_json(&u);
        printf("\n");
    } else {
        printf("user %s %s (%s%s)\n", u.name, what, wms_role_name(u.role),
               u.disabled ? ", disabled" : "");
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs one subcommand on an open database; pin is "" when none was read. */
static int user_run(ctl *c, wms_db *db, const char *sub, const char *name, const char *pin)
{
    wms_error err;
    wms_error_clear(&err);
    int rc;
    if (!strcmp(sub, "add")) {
        int role = wms_role_parse(ctl_opt(c, "role"));
        rc = wms_user_add(db, name, role, pin, &err);
        return rc < 0 ? ctl_fail(&err) : user_show(c, db, name, "added");
    }
    if (!strcmp(sub, "set-pin")) {
        rc = wms_user_set_pin(db, name, pin, &err);
        return rc < 0 ? ctl_fail(&err) : user_show(c, db, name, "has a new PIN");
    }
    if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
        int off = !strcmp(sub, "disable");
        rc = wms_user_set_disabled(db, name, off, &err);
        return rc < 0 ? ctl_fail(&err) : user_show(c, db, name, off ? "disabled" : "enabled");
    }
    /* login: checks the PIN exactly as a handheld login would (throttled,
     * failures counted against --device). */
    wms_user u;
    rc = wms_user_login(db, name, pin, c->device, now_ms(), &u, &err);
    if (rc < 0)
        return ctl_fail(&err);
    if (c->json) {
        user_json(&u);
        printf("\n");
    } else {
        printf("user %s logged in (%s)\n", u.name, wms_role_name(u.role));
    }
    return 0;
}

int cmd_user(ctl *c)
{
    const char *sub = c->argc > 0 ? c->argv[0] : NULL;
    if (sub == NULL)
        return usage_fail("user needs a subcommand");
    int is_add = !strcmp(sub, "add"), is_list = !strcmp(sub, "list");
    int needs_pin = is_add || !strcmp(sub, "set-pin") || !strcmp(sub, "login");
    if (!is_list && !needs_pin && strcmp(sub, "disable") && strcmp(sub, "enable"))
        return usage_fail("unknown user subcommand");
    int rc = check_opts(c, is_add ? "role" : NULL);
    if (rc)
        return rc;
    if (c->argc != (is_list ? 1 : 2))
        return usage_fail(is_list ? "user list takes no NAME" : "user needs exactly one NAME");
    const char *name = is_list ? NULL : c->argv[1];
    if (is_add && wms_role_parse(ctl_opt(c, "role")) < 0)
        return usage_fail("--role must be picker, receiver, supervisor or admin");
    char pin[WMS_PIN_MAX + 8] = "";
    if (needs_pin && (rc = read_pin(pin, sizeof(pin))) != 0)
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)) == 0) {
        rc = is_list ? user_list(c, db) : user_run(c, db, sub, name, pin);
        wms_db_close(db);
    }
    sodium_memzero(pin, sizeof(pin));
    return rc;
}
