/* test_users.c - users, argon2id PIN hashes, three-step logins, lockout. */
#include "helpers.h"
#include "store/users.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct ux {
    char dir[512];
    char path[600];
    wms_db *db;
    wms_error err;
} ux;

static int ux_setup(void **state)
{
    ux *u = calloc(1, sizeof(*u));
    assert_non_null(u);
    th_mkdtemp(u->dir, sizeof(u->dir), "users");
    snprintf(u->path, sizeof(u->path), "%s/wms.db", u->dir);
    assert_int_equal(wms_db_open(u->path, WMS_DB_CREATE, &u->db, &u->err), 0);
    *state = u;
    return 0;
}

static int ux_teardown(void **state)
{
    ux *u = *state;
    wms_db_close(u->db);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", u->dir);
    assert_int_equal(system(cmd), 0);
    free(u);
    return 0;
}

/* Runs one SQL statement on a second connection; with out, copies the
 * first column of the first row as text (size n). */
static void ux_sql(ux *u, const char *sql, char *out, size_t n)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(u->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    if (out != NULL) {
        assert_int_equal(rc, SQLITE_ROW);
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", t ? (const char *)t : "");
    } else {
        assert_int_equal(rc, SQLITE_DONE);
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static long long ux_sql_int(ux *u, const char *sql)
{
    char buf[64];
    ux_sql(u, sql, buf, sizeof(buf));
    return atoll(buf);
}

static void stored_hash(ux *u, const char *name, char *out, size_t n)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT pin_hash FROM users WHERE name = '%s'", name);
    ux_sql(u, sql, out, n);
}

static int login(ux *u, const char *name, const char *pin, const char *dev, int64_t t)
{
    wms_error_clear(&u->err);
    return wms_user_login(u->db, name, pin, dev, t, NULL, &u->err);
}

static void test_roles(void **state)
{
    (void)state;
    assert_string_equal(wms_role_name(WMS_ROLE_PICKER), "picker");
    assert_string_equal(wms_role_name(WMS_ROLE_RECEIVER), "receiver");
    assert_string_equal(wms_role_name(WMS_ROLE_SUPERVISOR), "supervisor");
    assert_string_equal(wms_role_name(WMS_ROLE_ADMIN), "admin");
    assert_string_equal(wms_role_name(0), "unknown");
    assert_string_equal(wms_role_name(5), "unknown");
    assert_int_equal(wms_role_parse("supervisor"), WMS_ROLE_SUPERVISOR);
    assert_int_equal(wms_role_parse("admin"), WMS_ROLE_ADMIN);
    assert_int_equal(wms_role_parse("Admin"), WMS_EBAD_ARGS);
    assert_int_equal(wms_role_parse("boss"), WMS_EBAD_ARGS);
    assert_int_equal(wms_role_parse(""), WMS_EBAD_ARGS);
    assert_int_equal(wms_role_parse(NULL), WMS_EBAD_ARGS);
}

static void test_add_get_duplicate_and_bad_input(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "alice", WMS_ROLE_PICKER, "1234", &u->err), 0);
    wms_user w;
    assert_int_equal(wms_user_get(u->db, "alice", &w, &u->err), 0);
    assert_string_equal(w.name, "alice");
    assert_int_equal(w.role, WMS_ROLE_PICKER);
    assert_int_equal(w.disabled, 0);
    assert_true(w.id > 0);
    assert_int_equal(wms_user_add(u->db, "alice", WMS_ROLE_ADMIN, "9999", &u->err), WMS_EEXISTS);
    assert_non_null(strstr(u->err.msg, "alice"));
    assert_int_equal(wms_user_get(u->db, "alice", &w, &u->err), 0);
    assert_int_equal(w.role, WMS_ROLE_PICKER); /* unchanged */
    assert_int_equal(wms_user_get(u->db, "nobody", &w, &u->err), WMS_ENOT_FOUND);

    /* Names: 1-32 printable ASCII, no spaces. */
    char long_name[40];
    memset(long_name, 'n', 33);
    long_name[33] = '\0';
    assert_int_equal(wms_user_add(u->db, long_name, WMS_ROLE_PICKER, "1234", &u->err),
                     WMS_EBAD_ARGS);
    long_name[32] = '\0';
    assert_int_equal(wms_user_add(u->db, long_name, WMS_ROLE_PICKER, "1234", &u->err), 0);
    assert_int_equal(wms_user_add(u->db, "a b", WMS_ROLE_PICKER, "1234", &u->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_add(u->db, "", WMS_ROLE_PICKER, "1234", &u->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_add(u->db, "tab\tx", WMS_ROLE_PICKER, "1234", &u->err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_user_add(u->db, NULL, WMS_ROLE_PICKER, "1234", &u->err), WMS_EBAD_ARGS);

    /* Roles. */
    assert_int_equal(wms_user_add(u->db, "r0", 0, "1234", &u->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_add(u->db, "r5", 5, "1234", &u->err), WMS_EBAD_ARGS);
    assert_non_null(strstr(u->err.msg, "picker"));

    /* PINs: 4 to 12 digits; the message never repeats the PIN. */
    const char *bad[] = {"123",   "1234567890123", "12a4",  "",
                         " 1234", "1234\n",        "12-34", "98765432109876543210"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wms_error_clear(&u->err);
        assert_int_equal(wms_user_add(u->db, "bob", WMS_ROLE_PICKER, bad[i], &u->err),
                         WMS_EBAD_ARGS);
        assert_non_null(strstr(u->err.msg, "4 to 12 digits"));
        if (bad[i][0] != '\0')
            assert_null(strstr(u->err.msg, bad[i]));
    }
    assert_int_equal(wms_user_add(u->db, "bob", WMS_ROLE_PICKER, NULL, &u->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_get(u->db, "bob", &w, &u->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_pin_check("0000", NULL), 0);
    assert_int_equal(wms_pin_check("123456789012", NULL), 0);
    assert_int_equal(ux_sql_int(u, "SELECT count(*) FROM users"), 2);
}

static void test_hash_storage(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "u1", WMS_ROLE_RECEIVER, "482913", &u->err), 0);
    assert_int_equal(wms_user_add(u->db, "u2", WMS_ROLE_RECEIVER, "482913", &u->err), 0);
    char h1[256], h2[256];
    stored_hash(u, "u1", h1, sizeof(h1));
    stored_hash(u, "u2", h2, sizeof(h2));
    assert_memory_equal(h1, "$argon2id$", 10);
    assert_memory_equal(h2, "$argon2id$", 10);
    assert_null(strstr(h1, "482913"));
    assert_null(strstr(h2, "482913"));
    assert_string_not_equal(h1, h2); /* random salt */
    /* The deliberate limits, as the hash string records them. */
    char params[64];
    snprintf(params, sizeof(params), "$m=%zu,t=%llu,p=1$", WMS_PIN_MEMLIMIT >> 10,
             (unsigned long long)WMS_PIN_OPSLIMIT);
    assert_non_null(strstr(h1, params));
    assert_int_equal(wms_user_pin_needs_rehash(h1), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, "482913", 6), 0);

    /* Other limits or algorithms need a rehash; junk is not a hash. */
    char weak[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(weak, "482913", 6, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_int_equal(wms_user_pin_needs_rehash(weak), 1);
    assert_int_equal(crypto_pwhash_str_alg(weak, "482913", 6, crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                           crypto_pwhash_argon2i_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2I13),
                     0);
    assert_int_equal(wms_user_pin_needs_rehash(weak), 1);
    assert_int_equal(wms_user_pin_needs_rehash("482913"), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_pin_needs_rehash(""), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_pin_needs_rehash(NULL), WMS_EBAD_ARGS);
}

static void test_login_results(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "bob", WMS_ROLE_RECEIVER, "2468", &u->err), 0);
    wms_user w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(wms_user_login(u->db, "bob", "2468", "RF-01", 1000, &w, &u->err), 0);
    assert_string_equal(w.name, "bob");
    assert_int_equal(w.role, WMS_ROLE_RECEIVER);

    assert_int_equal(login(u, "bob", "2469", "RF-01", 2000), WMS_EAUTH_FAILED);
    char wrong_pin[sizeof(u->err.msg)];
    snprintf(wrong_pin, sizeof(wrong_pin), "%s", u->err.msg);
    assert_int_equal(login(u, "carl", "2468", "RF-02", 2000), WMS_EAUTH_FAILED);
    assert_string_equal(u->err.msg, wrong_pin); /* same words: names stay secret */
    assert_int_equal(login(u, "bob", "24x8", "RF-03", 2000), WMS_EAUTH_FAILED);
    assert_string_equal(u->err.msg, wrong_pin);
    assert_int_equal(login(u, "bob", NULL, "RF-03", 2000), WMS_EAUTH_FAILED);

    /* Disabled: revealed only with the right PIN. */
    assert_int_equal(wms_user_set_disabled(u->db, "bob", 1, &u->err), 0);
    assert_int_equal(wms_user_get(u->db, "bob", &w, &u->err), 0);
    assert_int_equal(w.disabled, 1);
    assert_int_equal(login(u, "bob", "2468", "RF-04", 3000), WMS_EUSER_DISABLED);
    assert_non_null(strstr(u->err.msg, "disabled"));
    assert_int_equal(login(u, "bob", "1111", "RF-04", 3000), WMS_EAUTH_FAILED);
    assert_string_equal(u->err.msg, wrong_pin);
    assert_int_equal(wms_user_set_disabled(u->db, "bob", 0, &u->err), 0);
    assert_int_equal(login(u, "bob", "2468", "RF-04", 4000), 0);
    assert_int_equal(wms_user_set_disabled(u->db, "ghost", 1, &u->err), WMS_ENOT_FOUND);

    /* Malformed user or device ids are argument errors, not guesses. */
    assert_int_equal(login(u, "bo b", "2468", "RF-04", 4000), WMS_EBAD_ARGS);
    assert_int_equal(login(u, "bob", "2468", "", 4000), WMS_EBAD_ARGS);
    assert_int_equal(login(u, "bob", "2468", NULL, 4000), WMS_EBAD_ARGS);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_split_steps_and_constant_work(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "dora", WMS_ROLE_SUPERVISOR, "13579", &u->err), 0);
    wms_login_ticket known, unknown;
    assert_int_equal(wms_login_begin(u->db, "dora", "RF-01", 1000, &known, &u->err), 0);
    assert_int_equal(known.found, 1);
    assert_int_equal(known.user.role, WMS_ROLE_SUPERVISOR);
    assert_memory_equal(known.hash, "$argon2id$", 10);
    assert_int_equal(wms_login_begin(u->db, "nobody", "RF-01", 1000, &unknown, &u->err), 0);
    assert_int_equal(unknown.found, 0);

    /* Warm up (the dummy hash is made once), then time both paths: an
     * unknown name must cost an argon2id verify too, not return at once. */
    wms_error e;
    assert_int_equal(wms_login_verify(&unknown, "0000", &e), WMS_EAUTH_FAILED);
    double best_known = 1e9, best_unknown = 1e9;
    for (int i = 0; i < 2; i++) {
        double t0 = now_s();
        assert_int_equal(wms_login_verify(&known, "0000", &e), WMS_EAUTH_FAILED);
        double t1 = now_s();
        assert_int_equal(wms_login_verify(&unknown, "0000", &e), WMS_EAUTH_FAILED);
        double t2 = now_s();
        best_known = t1 - t0 < best_known ? t1 - t0 : best_known;
        best_unknown = t2 - t1 < best_unknown ? t2 - t1 : best_unknown;
    }
    assert_true(best_unknown > best_known / 10);
    assert_int_equal(wms_login_verify(&unknown, "13579", &e), WMS_EAUTH_FAILED);
    assert_int_equal(wms_login_verify(&known, "13579", &e), 0);

    /* Finish records failures per device and per name, and a success
     * clears both. */
    assert_int_equal(wms_login_finish(u->db, "dora", "RF-01", 1000, 0, &u->err), 0);
    assert_int_equal(wms_login_finish(u->db, "dora", "RF-01", 1005, 0, &u->err), 0);
    assert_int_equal(
        ux_sql_int(u, "SELECT failures FROM login_failures WHERE key = 'device:RF-01'"), 2);
    assert_int_equal(ux_sql_int(u, "SELECT last_ms FROM login_failures WHERE key = 'user:dora'"),
                     1005);
    assert_int_equal(wms_login_finish(u->db, "dora", "RF-01", 1010, 1, &u->err), 0);
    assert_int_equal(ux_sql_int(u, "SELECT count(*) FROM login_failures"), 0);
}

static void test_lockout_delays(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "erin", WMS_ROLE_PICKER, "7531", &u->err), 0);
    const int64_t t = 1700000000000LL;
    assert_int_equal(login(u, "erin", "0001", "RF-07", t), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "erin", "0002", "RF-07", t + 1), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "erin", "0003", "RF-07", t + 2), WMS_EAUTH_FAILED);
    /* Locked for 2^0 = 1 s after the last failure, even with the right PIN. */
    assert_int_equal(login(u, "erin", "7531", "RF-07", t + 3), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 1 s"));
    assert_int_equal(login(u, "erin", "7531", "RF-07", t + 2 + 999), WMS_ELOCKED_OUT);
    /* A refused attempt is not a failure: the count stays 3. */
    assert_int_equal(ux_sql_int(u, "SELECT failures FROM login_failures WHERE key='user:erin'"), 3);
    assert_int_equal(login(u, "erin", "0004", "RF-07", t + 2 + 1000), WMS_EAUTH_FAILED);
    int64_t last = t + 1002;
    /* Four failures: 2 s. */
    assert_int_equal(login(u, "erin", "7531", "RF-07", last + 1), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 2 s"));
    assert_int_equal(login(u, "erin", "7531", "RF-07", last + 1999), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 1 s"));
    assert_int_equal(login(u, "erin", "0005", "RF-07", last + 2000), WMS_EAUTH_FAILED);
    last += 2000;
    /* Five failures: 4 s. */
    assert_int_equal(login(u, "erin", "7531", "RF-07", last + 3999), WMS_ELOCKED_OUT);
    assert_int_equal(login(u, "erin", "7531", "RF-07", last + 4000), 0);
    /* Success resets both counters: the next failure does not lock. */
    assert_int_equal(ux_sql_int(u, "SELECT count(*) FROM login_failures"), 0);
    assert_int_equal(login(u, "erin", "0006", "RF-07", last + 4001), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "erin", "7531", "RF-07", last + 4002), 0);
}

static void test_lockout_per_device_and_per_user(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "finn", WMS_ROLE_PICKER, "2580", &u->err), 0);
    assert_int_equal(wms_user_add(u->db, "gail", WMS_ROLE_PICKER, "3690", &u->err), 0);
    const int64_t t = 5000000;
    /* Three different (unknown) names from one device lock that device. */
    assert_int_equal(login(u, "x1", "1111", "RF-A", t), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "x2", "1111", "RF-A", t + 1), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "x3", "1111", "RF-A", t + 2), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "gail", "3690", "RF-A", t + 3), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "device RF-A"));
    /* ... but no other device, and not those names elsewhere. */
    assert_int_equal(login(u, "gail", "3690", "RF-B", t + 3), 0);
    assert_int_equal(login(u, "x1", "1111", "RF-B", t + 4), WMS_EAUTH_FAILED);

    /* Three devices guessing one name lock the name on every device, the
     * same way for a name that exists and one that does not. */
    assert_int_equal(login(u, "finn", "0000", "RF-C", t), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "finn", "0000", "RF-D", t + 1), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "finn", "0000", "RF-E", t + 2), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "finn", "2580", "RF-F", t + 3), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "user finn"));
    /* x1 failed on RF-A and RF-B; a third device makes three. */
    assert_int_equal(login(u, "x1", "1111", "RF-C", t + 5), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "x1", "1111", "RF-F", t + 7), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "user x1"));
    /* The devices that each failed once are still free for other users. */
    assert_int_equal(login(u, "gail", "3690", "RF-E", t + 8), 0);
    assert_int_equal(login(u, "finn", "2580", "RF-F", t + 2 + 1000), 0);
}

static void test_delay_cap_forget_and_prune(void **state)
{
    ux *u = *state;
    wms_login_ticket tk;
    const int64_t t = 9000000;
    char sql[200];
    snprintf(sql, sizeof(sql),
             "INSERT INTO login_failures(key, failures, last_ms) VALUES "
             "('device:RF-9', 40, %lld), ('user:hana', 5, %lld)",
             (long long)t, (long long)t);
    ux_sql(u, sql, NULL, 0);
    /* 40 failures: 2^37 s capped at 300 s. */
    assert_int_equal(wms_login_begin(u->db, "ivan", "RF-9", t + 1, &tk, &u->err), WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 300 s"));
    assert_int_equal(wms_login_begin(u->db, "ivan", "RF-9", t + 299999, &tk, &u->err),
                     WMS_ELOCKED_OUT);
    assert_int_equal(wms_login_begin(u->db, "ivan", "RF-9", t + 300000, &tk, &u->err), 0);
    /* 5 failures: 4 s; the longer of device and user wait is named. */
    assert_int_equal(wms_login_begin(u->db, "hana", "RF-8", t + 1000, &tk, &u->err),
                     WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 3 s"));
    assert_int_equal(wms_login_begin(u->db, "hana", "RF-9", t + 1000, &tk, &u->err),
                     WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 299 s"));
    assert_int_equal(wms_login_begin(u->db, "hana", "RF-8", t + 4000, &tk, &u->err), 0);
    /* A clock stepped back never locks for longer than the delay. */
    assert_int_equal(wms_login_begin(u->db, "hana", "RF-8", t - 3600000, &tk, &u->err),
                     WMS_ELOCKED_OUT);
    assert_non_null(strstr(u->err.msg, "wait 4 s"));

    /* Idle for longer than the forget window: counts as zero, a new
     * failure starts at 1, and prune deletes what is left. */
    int64_t later = t + WMS_LOGIN_FORGET_MS + 1;
    assert_int_equal(wms_login_begin(u->db, "hana", "RF-9", later, &tk, &u->err), 0);
    assert_int_equal(wms_login_finish(u->db, "hana", "RF-7", later, 0, &u->err), 0);
    assert_int_equal(ux_sql_int(u, "SELECT failures FROM login_failures WHERE key='user:hana'"), 1);
    assert_int_equal(wms_login_failures_prune(u->db, later, &u->err), 1); /* device:RF-9 */
    assert_int_equal(ux_sql_int(u, "SELECT count(*) FROM login_failures"), 2);
    assert_int_equal(wms_login_failures_prune(u->db, later, &u->err), 0);
}

static void test_set_pin(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "jack", WMS_ROLE_ADMIN, "1111", &u->err), 0);
    char before[256], after[256];
    stored_hash(u, "jack", before, sizeof(before));
    assert_int_equal(wms_user_set_pin(u->db, "jack", "22223333", &u->err), 0);
    stored_hash(u, "jack", after, sizeof(after));
    assert_string_not_equal(before, after);
    assert_int_equal(login(u, "jack", "1111", "RF-1", 1000), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "jack", "22223333", "RF-1", 1001), 0);
    assert_int_equal(wms_user_set_pin(u->db, "jack", "12", &u->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_user_set_pin(u->db, "nobody", "1234", &u->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_user_set_pin(u->db, "bad name", "1234", &u->err), WMS_EBAD_ARGS);

    /* A new PIN from a supervisor unlocks a locked-out name. */
    assert_int_equal(login(u, "jack", "0000", "RF-2", 2000), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "jack", "0000", "RF-3", 2001), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "jack", "0000", "RF-4", 2002), WMS_EAUTH_FAILED);
    assert_int_equal(login(u, "jack", "22223333", "RF-5", 2003), WMS_ELOCKED_OUT);
    assert_int_equal(wms_user_set_pin(u->db, "jack", "4444", &u->err), 0);
    assert_int_equal(login(u, "jack", "4444", "RF-5", 2004), 0);
}

static void test_rehash_on_login(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "kim", WMS_ROLE_PICKER, "8642", &u->err), 0);
    /* Store a hash with old (weak) limits, as an older program might. */
    char weak[crypto_pwhash_STRBYTES], sql[300], cur[256];
    assert_int_equal(crypto_pwhash_str_alg(weak, "8642", 4, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    snprintf(sql, sizeof(sql), "UPDATE users SET pin_hash = '%s' WHERE name = 'kim'", weak);
    ux_sql(u, sql, NULL, 0);
    /* replace_hash refuses to store weak hashes and is a compare-and-swap. */
    assert_int_equal(wms_user_replace_hash(u->db, "kim", "x", weak, &u->err), WMS_EBAD_ARGS);
    char fresh[WMS_PIN_HASH_MAX];
    assert_int_equal(wms_pin_hash("8642", fresh, &u->err), 0);
    assert_int_equal(wms_user_replace_hash(u->db, "kim", "not-the-stored-hash", fresh, &u->err), 0);
    stored_hash(u, "kim", cur, sizeof(cur));
    assert_string_equal(cur, weak);
    assert_int_equal(wms_user_pin_needs_rehash(cur), 1);
    /* A successful login upgrades the hash; a failed one does not. */
    assert_int_equal(login(u, "kim", "0000", "RF-1", 1000), WMS_EAUTH_FAILED);
    stored_hash(u, "kim", cur, sizeof(cur));
    assert_string_equal(cur, weak);
    assert_int_equal(login(u, "kim", "8642", "RF-1", 1001), 0);
    stored_hash(u, "kim", cur, sizeof(cur));
    assert_string_not_equal(cur, weak);
    assert_int_equal(wms_user_pin_needs_rehash(cur), 0);
    assert_int_equal(login(u, "kim", "8642", "RF-1", 1002), 0);
}

typedef struct {
    char names[8][WMS_USER_NAME_MAX + 1];
    int roles[8];
    int disabled[8];
    int n, stop_after;
} list_seen;

static int list_cb(void *ctx, const wms_user *w)
{
    list_seen *s = ctx;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", w->name);
    s->roles[s->n] = w->role;
    s->disabled[s->n] = w->disabled;
    s->n++;
    return s->stop_after > 0 && s->n >= s->stop_after;
}

static void test_list(void **state)
{
    ux *u = *state;
    assert_int_equal(wms_user_add(u->db, "zed", WMS_ROLE_ADMIN, "1234", &u->err), 0);
    assert_int_equal(wms_user_add(u->db, "amy", WMS_ROLE_RECEIVER, "1234", &u->err), 0);
    assert_int_equal(wms_user_add(u->db, "max", WMS_ROLE_SUPERVISOR, "1234", &u->err), 0);
    assert_int_equal(wms_user_set_disabled(u->db, "max", 1, &u->err), 0);
    list_seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(wms_user_list(u->db, list_cb, &s, &u->err), 3);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[0], "amy");
    assert_string_equal(s.names[1], "max");
    assert_string_equal(s.names[2], "zed");
    assert_int_equal(s.roles[0], WMS_ROLE_RECEIVER);
    assert_int_equal(s.roles[1], WMS_ROLE_SUPERVISOR);
    assert_int_equal(s.roles[2], WMS_ROLE_ADMIN);
    assert_int_equal(s.disabled[1], 1);
    assert_int_equal(s.disabled[0] + s.disabled[2], 0);
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    assert_int_equal(wms_user_list(u->db, list_cb, &s, &u->err), 2);
    assert_int_equal(s.n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test_setup_teardown(test_add_get_duplicate_and_bad_input, ux_setup,
                                        ux_teardown),
        cmocka_unit_test_setup_teardown(test_hash_storage, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_login_results, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_split_steps_and_constant_work, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_lockout_delays, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_lockout_per_device_and_per_user, ux_setup,
                                        ux_teardown),
        cmocka_unit_test_setup_teardown(test_delay_cap_forget_and_prune, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_set_pin, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_rehash_on_login, ux_setup, ux_teardown),
        cmocka_unit_test_setup_teardown(test_list, ux_setup, ux_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
