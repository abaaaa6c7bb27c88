/*
 * handheld.c - wms-handheld: a terminal RF-gun screen for the warehouse
 * server (handheld protocol v1), in curses.
 *
 *   wms-handheld --server 127.0.0.1:7400 | --serial /dev/ttyUSB0@115200
 *                --device RF-017 [--state-dir ~/.wms-handheld] [--gs '|']
 *                [--timeout MS] [--retries N]
 *
 * Scans arrive as keyboard input ending in Enter (USB/Bluetooth scanners in
 * keyboard-wedge mode); Esc or F1 goes back; Ctrl-C quits at once.  The
 * screens themselves are pure state machines in hhui.c; this file only
 * draws them, reads keys and carries requests through the client
 * (client.c), which keeps the txn counter on disk, reconnects by itself and
 * resends an unanswered call with the same txn ("reconnecting..." shows in
 * the status line meanwhile).
 *
 * Layout: designed for a 20x16 RF-gun screen, used as is in the top-left
 * corner of a larger terminal (up to 40 columns wide):
 *   row 0            title (reverse video)
 *   rows 1..B        body (B = min(10, rows - 6))
 *   row B+1          prompt
 *   row B+2          input (a PIN shows as '*')
 *   rows B+3..end    status, wrapped; errors in bold (red when possible)
 */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hhui.h"

#define APP_NAME "wms-handheld/1"
#define WIDTH_MAX 40

typedef struct app {
    wms_client *client;
    wms_hh_state *s;
    char input[WMS_HH_INPUT_MAX + 1];
    size_t ninput;
    char device[WMS_CLIENT_DEVICE_MAX + 1];
    char conn_status[64]; /* "reconnecting..." while the client retries */
    int colors;
} app;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int screen_width(void)
{
    return COLS < WIDTH_MAX ? COLS : WIDTH_MAX;
}

/* Prints text on row y from column 0, cut or padded to the width. */
static void put_row(int y, const char *text)
{
    int w = screen_width();
    if (y < 0 || y >= LINES || w <= 0)
        return;
    move(y, 0);
    int n = 0;
    for (; text[n] != '\0' && n < w; n++)
        addch((unsigned char)text[n] < 0x20 ? '?' : (chtype)(unsigned char)text[n]);
    for (; n < w; n++)
        addch(' ');
}

/* Wraps text over rows y0..y1 at the width, breaking at spaces when it can. */
static void put_wrapped(int y0, int y1, const char *text)
{
    int w = screen_width();
    const char *p = text;
    for (int y = y0; y <= y1; y++) {
        char line[WIDTH_MAX + 1];
        size_t len = strlen(p);
        size_t take = len < (size_t)w ? len : (size_t)w;
        if (take < len) {
            size_t sp = take;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                take = sp;
        }
        memcpy(line, p, take);
        line[take] = '\0';
        put_row(y, line);
        p += take;
        while (*p == ' ')
            p++;
    }
}

static void draw(app *a)
{
    const wms_hh_state *s = a->s;
    int body = LINES - 6 < WMS_HH_BODY_LINES ? LINES - 6 : WMS_HH_BODY_LINES;
    if (body < 1)
        body = 1;
    erase();
    char title[WIDTH_MAX + 1];
    int w = screen_width();
    snprintf(title, sizeof(title), "%-*.*s", w, w, s->title);
    size_t dl = strlen(a->device);
    if ((int)(strlen(s->title) + dl + 1) < w)
        memcpy(title + w - (int)dl, a->device, dl);
    attron(A_REVERSE);
    put_row(0, title);
    attroff(A_REVERSE);
    for (int i = 0; i < body; i++)
        put_row(1 + i, i < s->nbody ? s->body[i] : "");
    put_row(body + 1, s->prompt);
    char shown[WMS_HH_INPUT_MAX + 1];
    size_t n = a->ninput;
    for (size_t i = 0; i < n; i++)
        shown[i] = s->hidden ? '*' : (a->input[i] == 0x1d ? '|' : a->input[i]);
    shown[n] = '\0';
    const char *tail = n > (size_t)(w - 1) && w > 1 ? shown + n - (size_t)(w - 1) : shown;
    attron(A_BOLD);
    put_row(body + 2, tail);
    attroff(A_BOLD);
    const char *st = a->conn_status[0] ? a->conn_status : s->busy ? "..." : s->status;
    int err = a->conn_status[0] || s->status_error;
    if (err)
        attron(A_BOLD | (a->colors ? COLOR_PAIR(1) : 0));
    put_wrapped(body + 3, LINES - 1, st);
    if (err)
        attroff(A_BOLD | (a->colors ? COLOR_PAIR(1) : 0));
    int cx = (int)strlen(tail);
    move(body + 2, cx < w ? cx : w - 1);
    refresh();
}

/* The client's connection state, drawn while a call waits. */
static void on_status(void *ctx, const char *text)
{
    app *a = ctx;
    snprintf(a->conn_status, sizeof(a->conn_status), "%s", text);
    if (a->s != NULL)
        draw(a);
}

/* Carries requests to the server until the screens want no more. */
static int run(app *a, int act)
{
    wms_hh_state *s = a->s;
    while (act == WMS_HH_SEND) {
        draw(a);
        wms_error err;
        wms_error_clear(&err);
        if (s->req.needs_txn && s->req.txn[0] == '\0' &&
            wms_client_next_txn(a->client, s->req.txn, sizeof(s->req.txn), &err) < 0) {
            /* Without a durable txn nothing may be sent. */
            s->req.txn[0] = '\0';
            act = wms_hh_error(s, wms_err_name(err.code), err.msg);
            break;
        }
        msgpack_packer *pk = wms_client_begin(a->client, s->req.method);
        if (pk == NULL) {
            act = wms_hh_error(s, "BAD_ARGS", "internal error: bad method");
            break;
        }
        wms_hh_req_pack(&s->req, pk);
        msgpack_object res;
        int rc = wms_client_call(a->client, &res, &err);
        a->conn_status[0] = '\0';
        if (rc == 0) {
            act = wms_hh_result(s, &res);
            /* a separator the self-test found goes into later hellos */
            wms_client_set_gs(a->client, s->gs_sub);
        } else if (wms_client_error_name(a->client)[0] != '\0')
            act = wms_hh_error(s, wms_client_error_name(a->client), err.msg);
        else if (rc == WMS_EIO)
            act = wms_hh_offline(s, err.msg);
        else
            act = wms_hh_error(s, wms_err_name(rc), err.msg);
    }
    draw(a);
    return act;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wms-handheld (--server HOST:PORT | --serial /dev/ttyX@BAUD) --device ID\n"
            "                    [--state-dir DIR] [--gs C] [--timeout MS] [--retries N]\n"
            "                    [--selftest on|off]\n"
            "  --server     TCP server (default port 7400)\n"
            "  --serial     serial line instead of TCP (COBS + CRC-32C frames)\n"
            "  --device     this scanner's id: A-Z a-z 0-9 . _ - (at most %d)\n"
            "  --state-dir  where the txn counter lives (default ~/.wms-handheld)\n"
            "  --gs         the character the scanner sends for the GS1 separator\n"
            "  --timeout    ms to wait for an answer before reconnecting (default 5000)\n"
            "  --retries    reconnect attempts per call (default 5)\n"
            "  --selftest   ask for the scanner test label after login (default on)\n"
            "Keys: Enter sends a scan or entry, Esc/F1 goes back, Ctrl-C quits.\n",
            WMS_CLIENT_DEVICE_MAX);
}

/* Splits "host:port" / "[v6]:port" / "host" into host (cap bytes) and port. */
static int parse_server(const char *arg, char *host, size_t cap, int *port)
{
    const char *colon = NULL;
    const char *h = arg;
    size_t hl;
    if (arg[0] == '[') {
        const char *end = strchr(arg, ']');
        if (end == NULL)
            return -1;
        h = arg + 1;
        hl = (size_t)(end - h);
        if (end[1] == ':')
            colon = end + 1;
        else if (end[1] != '\0')
            return -1;
    } else {
        colon = strrchr(arg, ':');
        hl = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
    }
    if (hl == 0 || hl >= cap)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = 7400;
    if (colon != NULL) {
        char *end;
        errno = 0;
        long p = strtol(colon + 1, &end, 10);
        if (errno != 0 || *end != '\0' || end == colon + 1 || p < 1 || p > 65535)
            return -1;
        *port = (int)p;
    }
    return 0;
}

static int parse_int(const char *t, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (errno != 0 || *end != '\0' || end == t || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* Connects, showing progress, until it works or the user gives up.  A
 * failure that retrying cannot mend (bad options, the device in use by
 * another program, a damaged txn counter) ends at once: -2 with *fatal. */
static int connect_loop(app *a, const wms_client_opts *o, wms_error *fatal)
{
    for (;;) {
        snprintf(a->s->status, sizeof(a->s->status), "Connecting...");
        a->s->status_error = 0;
        draw(a);
        wms_error err;
        wms_error_clear(&err);
        if (wms_client_open(o, &a->client, &err) == 0) {
            a->conn_status[0] = '\0';
            wms_hh_init(a->s);
            return 0;
        }
        a->conn_status[0] = '\0';
        if (err.code != WMS_EIO || strstr(err.msg, "damaged") != NULL) {
            *fatal = err;
            return -2;
        }
        snprintf(a->s->status, sizeof(a->s->status), "%.150s [%s] Enter=retry Esc=quit", err.msg,
                 wms_err_name(err.code));
        a->s->status_error = 1;
        draw(a);
        for (;;) {
            int ch = getch();
            if (stop_flag || ch == 27 || ch == KEY_F(1) || ch == 3)
                return -1;
            if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
                break;
        }
    }
}

/* Reads keys until the screens say quit. */
static void key_loop(app *a)
{
    while (!stop_flag) {
        int ch = getch();
        int act = WMS_HH_IDLE;
        if (ch == ERR)
            continue;
        if (ch == 3) /* Ctrl-C in raw mode */
            break;
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
            a->input[a->ninput] = '\0';
            act = wms_hh_input(a->s, a->input);
            a->ninput = 0;
        } else if (ch == 27 || ch == KEY_F(1)) {
            a->ninput = 0;
            act = wms_hh_back(a->s);
        } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            if (a->ninput > 0)
                a->ninput--;
        } else if (ch == 21) { /* Ctrl-U: clear the line */
            a->ninput = 0;
        } else if (ch == KEY_RESIZE) {
            /* redrawn below */
        } else if (((ch >= 0x20 && ch < 0x7f) || ch == 0x1d || ch == '\t') &&
                   a->ninput < WMS_HH_INPUT_MAX) {
            a->input[a->ninput++] = (char)ch;
        }
        act = run(a, act);
        if (act == WMS_HH_QUIT)
            break;
        draw(a);
    }
}

int main(int argc, char **argv)
{
    wms_client_opts o;
    memset(&o, 0, sizeof(o));
    char host[256] = "", state_dir[1024] = "";
    int timeout = 5000, retries = 5;
    const char *serial = NULL, *device = NULL, *dir = NULL;
    char gs = 0;
    int selftest = 1;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(k, "-h") == 0 || strcmp(k, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "wms-handheld: %s needs a value\n", k);
            return 2;
        }
        i++;
        if (strcmp(k, "--server") == 0) {
            if (parse_server(v, host, sizeof(host), &o.port) < 0) {
                fprintf(stderr, "wms-handheld: bad --server \"%s\" (HOST:PORT)\n", v);
                return 2;
            }
        } else if (strcmp(k, "--serial") == 0) {
            serial = v;
        } else if (strcmp(k, "--device") == 0) {
            device = v;
        } else if (strcmp(k, "--state-dir") == 0) {
            dir = v;
        } else if (strcmp(k, "--gs") == 0) {
            if (strlen(v) != 1 || v[0] <= ' ' || v[0] > '~') {
                fprintf(stderr, "wms-handheld: --gs takes one printable character\n");
                return 2;
            }
            gs = v[0];
        } else if (strcmp(k, "--selftest") == 0) {
            if (strcmp(v, "on") && strcmp(v, "off")) {
                fprintf(stderr, "wms-handheld: --selftest is on or off\n");
                return 2;
            }
            selftest = strcmp(v, "on") == 0;
        } else if (strcmp(k, "--timeout") == 0) {
            if (parse_int(v, 100, 600000, &timeout) < 0) {
                fprintf(stderr, "wms-handheld: --timeout is 100..600000 ms\n");
                return 2;
            }
        } else if (strcmp(k, "--retries") == 0) {
            if (parse_int(v, 0, 1000, &retries) < 0) {
                fprintf(stderr, "wms-handheld: --retries is 0..1000\n");
                return 2;
            }
        } else {
            fprintf(stderr, "wms-handheld: unknown option %s\n", k);
            usage(stderr);
            return 2;
        }
    }
    if (device == NULL || (serial == NULL) == (host[0] == '\0')) {
        fprintf(stderr, "wms-handheld: give --device and one of --server / --serial\n");
        usage(stderr);
        return 2;
    }
    const char *home = getenv("HOME");
    if (dir == NULL || strncmp(dir, "~/", 2) == 0) {
        if (home == NULL || home[0] == '\0') {
            fprintf(stderr, "wms-handheld: no HOME: give --state-dir\n");
            return 2;
        }
        int n = snprintf(state_dir, sizeof(state_dir), "%s/%s", home,
                         dir == NULL ? ".wms-handheld" : dir + 2);
        if (n < 0 || (size_t)n >= sizeof(state_dir)) {
            fprintf(stderr, "wms-handheld: state directory path too long\n");
            return 2;
        }
    } else if (snprintf(state_dir, sizeof(state_dir), "%s", dir) >= (int)sizeof(state_dir)) {
        fprintf(stderr, "wms-handheld: state directory path too long\n");
        return 2;
    }

    app a;
    memset(&a, 0, sizeof(a));
    a.s = calloc(1, sizeof(*a.s));
    if (a.s == NULL) {
        fprintf(stderr, "wms-handheld: out of memory\n");
        return 1;
    }
    snprintf(a.device, sizeof(a.device), "%.*s", WMS_CLIENT_DEVICE_MAX, device);
    o.host = host[0] ? host : NULL;
    o.serial = serial;
    o.device = device;
    o.state_dir = state_dir;
    o.client_name = APP_NAME;
    o.gs = gs;
    o.timeout_ms = timeout;
    o.retries = retries;
    o.on_status = on_status;
    o.status_ctx = &a;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    wms_hh_init(a.s);
    a.s->selftest = selftest;
    a.s->gs_sub = gs;
    initscr();
    raw();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    timeout(250); /* getch returns ERR now and then so a signal can end us */
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_RED, -1);
        a.colors = 1;
    }
    wms_error fatal;
    wms_error_clear(&fatal);
    int rc = connect_loop(&a, &o, &fatal);
    if (rc == 0) {
        draw(&a);
        key_loop(&a);
    }
    endwin();
    if (rc == -2)
        fprintf(stderr, "wms-handheld: %s [%s]\n", fatal.msg, wms_err_name(fatal.code));
    wms_client_close(a.client);
    free(a.s);
    return rc == 0 ? 0 : 1;
}
