/*
 * users.c - handheld users, argon2id PIN hashes and throttled logins.
 *
 * See users.h for the three-step login and the throttle rules.  Only
 * wms_login_verify() and wms_pin_hash() do slow work; neither touches the
 * database, so a server can run them on worker threads.
 */
#include "store/users.h"
#include "store/catalog.h"
#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {NULL, "picker", "receiver", "supervisor", "admin"};
#define ROLE_COUNT ((int)(sizeof(role_names) / sizeof(role_names[0])))

/* "device:" + id, "user:" + name, with their NULs. */
#define KEY_MAX (8 + WMS_DEVICE_MAX + 1)

static const char argon2id_prefix[] = "$argon2id$";

const char *wms_role_name(int role)
{
    return role > 0 && role < ROLE_COUNT ? role_names[role] : "unknown";
}

int wms_role_parse(const char *name)
{
    for (int r = 1; name != NULL && r < ROLE_COUNT; r++)
        if (!strcmp(name, role_names[r]))
            return r;
    return WMS_EBAD_ARGS;
}

static int check_name(const char *name, wms_error *err)
{
    if (!catalog__valid_key(name, WMS_USER_NAME_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "user name '%.40s' must be 1 to %d printable ASCII characters "
                             "without spaces",
                             name ? name : "", WMS_USER_NAME_MAX);
    return 0;
}

static int check_device(const char *device, wms_error *err)
{
    if (!catalog__valid_key(device, WMS_DEVICE_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "device id '%.40s' must be 1 to %d printable ASCII characters "
                             "without spaces",
                             device ? device : "", WMS_DEVICE_MAX);
    return 0;
}

/* sodium_init() is idempotent and thread-safe; it fails only when the
 * library cannot initialise (no random source). */
static int sodium_ready(wms_error *err)
{
    if (sodium_init() < 0)
        return wms_error_set(err, WMS_EIO, "cannot initialise libsodium (no random source?)");
    return 0;
}

int wms_pin_check(const char *pin, wms_error *err)
{
    /* Never echo the PIN itself in a message. */
    size_t n = pin != NULL ? strnlen(pin, WMS_PIN_MAX + 1) : 0;
    if (n < WMS_PIN_MIN || n > WMS_PIN_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "the PIN must be %d to %d digits%s", WMS_PIN_MIN,
                             WMS_PIN_MAX, n == 0 ? " (none given)" : "");
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return wms_error_set(err, WMS_EBAD_ARGS, "the PIN must be %d to %d digits 0-9 only",
                                 WMS_PIN_MIN, WMS_PIN_MAX);
    return 0;
}

int wms_pin_hash(const char *pin, char out[WMS_PIN_HASH_MAX], wms_error *err)
{
    int rc = wms_pin_check(pin, err);
    if (rc < 0 || (rc = sodium_ready(err)) < 0)
        return rc;
    if (crypto_pwhash_str_alg(out, pin, strlen(pin), WMS_PIN_OPSLIMIT, WMS_PIN_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return wms_error_set(err, WMS_ENOMEM, "hashing the PIN failed: out of memory");
    }
    return 0;
}

int wms_user_pin_needs_rehash(const char *hash)
{
    size_t n = hash != NULL ? strnlen(hash, WMS_PIN_HASH_MAX) : 0;
    if (n == 0 || n >= WMS_PIN_HASH_MAX || hash[0] != '$')
        return WMS_EBAD_ARGS;
    if (sodium_ready(NULL) < 0)
        return WMS_EBAD_ARGS;
    int r = crypto_pwhash_str_needs_rehash(hash, WMS_PIN_OPSLIMIT, WMS_PIN_MEMLIMIT);
    if (strncmp(hash, argon2id_prefix, sizeof(argon2id_prefix) - 1) != 0)
        return r < 0 && strncmp(hash, "$argon2i$", 9) != 0 ? WMS_EBAD_ARGS : 1;
    if (r < 0)
        return WMS_EBAD_ARGS;
    return r ? 1 : 0;
}

/* The dummy hash verified for unknown user names: same algorithm and limits
 * as real hashes, of a random secret no PIN can equal (32 hex characters),
 * made once per process. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[WMS_PIN_HASH_MAX];
static int dummy_ok;

static void dummy_make(void)
{
    if (sodium_init() < 0)
        return;
    unsigned char raw[16];
    char secret[2 * sizeof(raw) + 1];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(secret, sizeof(secret), raw, sizeof(raw));
    dummy_ok = crypto_pwhash_str_alg(dummy_hash, secret, strlen(secret), WMS_PIN_OPSLIMIT,
                                     WMS_PIN_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) == 0;
    sodium_memzero(secret, sizeof(secret));
}

static const char *dummy_get(void)
{
    pthread_once(&dummy_once, dummy_make);
    return dummy_ok ? dummy_hash : NULL;
}

/* Maps a stored role text to a wms_role (0 when unknown). */
static int role_of_text(const char *s)
{
    int r = wms_role_parse(s);
    return r > 0 ? r : 0;
}

/* Reads the user `name`; with hash != NULL also its PIN hash (size hn). */
static int user_fetch(wms_db *db, const char *name, wms_user *out, char *hash, size_t hn,
                      wms_error *err)
{
    static const char sql[] =
        "SELECT id, name, role, disabled, pin_hash FROM users WHERE name = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return wms_error_set(err, WMS_ENOT_FOUND, "no user named '%s'", name);
    }
    if (rc != SQLITE_ROW) {
        rc = db__fail(db, rc, err, "user lookup");
        sqlite3_reset(st);
        return rc;
    }
    char role[16];
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, out->name, sizeof(out->name));
    db__col_text(st, 2, role, sizeof(role));
    out->role = role_of_text(role);
    out->disabled = sqlite3_column_int(st, 3) != 0;
    if (hash != NULL)
        db__col_text(st, 4, hash, hn);
    sqlite3_reset(st);
    return 0;
}

int wms_user_get(wms_db *db, const char *name, wms_user *out, wms_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0)
        return rc;
    return user_fetch(db, name, out, NULL, 0, err);
}

static int user_add__(wms_db *db, const char *name, int role, const char *hash, wms_error *err)
{
    static const char q[] = "SELECT 1 FROM users WHERE name = ?1";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return wms_error_set(err, WMS_EEXISTS, "user %s already exists", name);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "user lookup");
    static const char ins[] = "INSERT INTO users(name, role, pin_hash, disabled, created) "
                              "VALUES (?1, ?2, ?3, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, name);
    db__bind_text(st, 2, wms_role_name(role));
    db__bind_text(st, 3, hash);
    return db__exec_stmt(db, st, err, "store user");
}

int wms_user_add(wms_db *db, const char *name, int role, const char *pin, wms_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0)
        return rc;
    if (role < WMS_ROLE_PICKER || role > WMS_ROLE_ADMIN)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "role %d is not one of picker, receiver, supervisor, admin", role);
    /* Hash before the write transaction so the database lock is not held
     * during the slow part. */
    char hash[WMS_PIN_HASH_MAX];
    if ((rc = wms_pin_hash(pin, hash, err)) < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, user_add__(db, name, role, hash, err), err);
}

/* Runs a prepared UPDATE with (name, ...) bound; WMS_ENOT_FOUND when it
 * matched no user, else the number of rows changed. */
static int update_user(wms_db *db, sqlite3_stmt *st, const char *name, wms_error *err)
{
    int rc = db__exec_stmt(db, st, err, "update user");
    if (rc < 0)
        return rc;
    int n = sqlite3_changes(db->sql);
    return n > 0 ? n : wms_error_set(err, WMS_ENOT_FOUND, "no user named '%s'", name);
}

static int clear_key(wms_db *db, const char *key, wms_error *err)
{
    static const char sql[] = "DELETE FROM login_failures WHERE key = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    return db__exec_stmt(db, st, err, "clear login failures");
}

static int set_pin__(wms_db *db, const char *name, const char *hash, wms_error *err)
{
    static const char sql[] = "UPDATE users SET pin_hash = ?2 WHERE name = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, name);
    db__bind_text(st, 2, hash);
    int rc = update_user(db, st, name, err);
    if (rc < 0)
        return rc;
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "user:%s", name);
    return clear_key(db, key, err);
}

int wms_user_set_pin(wms_db *db, const char *name, const char *pin, wms_error *err)
{
    wms_user u;
    int rc = wms_user_get(db, name, &u, err); /* fail fast before hashing */
    if (rc < 0)
        return rc;
    char hash[WMS_PIN_HASH_MAX];
    if ((rc = wms_pin_hash(pin, hash, err)) < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    rc = db__op_end(db, set_pin__(db, name, hash, err), err);
    return rc < 0 ? rc : 0;
}

int wms_user_set_disabled(wms_db *db, const char *name, int disabled, wms_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0 || (rc = db__op_begin(db, err)) < 0)
        return rc;
    static const char sql[] = "UPDATE users SET disabled = ?2 WHERE name = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return db__op_end(db, err ? err->code : WMS_ESTORAGE, err);
    db__bind_text(st, 1, name);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
    rc = db__op_end(db, update_user(db, st, name, err), err);
    return rc < 0 ? rc : 0;
}

int wms_user_replace_hash(wms_db *db, const char *name, const char *old_hash, const char *new_hash,
                          wms_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0)
        return rc;
    /* Only current argon2id hashes may be stored: a hash string with huge
     * limits would make every later verify allocate that much. */
    if (old_hash == NULL || wms_user_pin_needs_rehash(new_hash) != 0 ||
        strncmp(new_hash, argon2id_prefix, sizeof(argon2id_prefix) - 1) != 0)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "the new PIN hash is not an argon2id hash with the current limits");
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    static const char sql[] = "UPDATE users SET pin_hash = ?3 WHERE name = ?1 AND pin_hash = ?2";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return db__op_end(db, err ? err->code : WMS_ESTORAGE, err);
    db__bind_text(st, 1, name);
    db__bind_text(st, 2, old_hash);
    db__bind_text(st, 3, new_hash);
    rc = db__exec_stmt(db, st, err, "update PIN hash");
    if (rc == 0)
        rc = sqlite3_changes(db->sql) > 0 ? 1 : 0;
    return db__op_end(db, rc, err);
}

int wms_user_list(wms_db *db, int (*cb)(void *, const wms_user *), void *ctx, wms_error *err)
{
    /* A private statement, not the cache: cb may call engine functions that
     * would reset a cached statement in the middle of this walk. */
    static const char sql[] = "SELECT id, name, role, disabled FROM users ORDER BY name";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db__fail(db, rc, err, "list users");
    int n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_user u;
        char role[16];
        memset(&u, 0, sizeof(u));
        u.id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, u.name, sizeof(u.name));
        db__col_text(st, 2, role, sizeof(role));
        u.role = role_of_text(role);
        u.disabled = sqlite3_column_int(st, 3) != 0;
        n++;
        if (cb(ctx, &u) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        n = db__fail(db, rc, err, "list users");
    sqlite3_finalize(st);
    return n;
}

/* ---- throttle ---------------------------------------------------------- */

/* How long a key with `failures` consecutive failures is locked after its
 * last failure, in ms: 0 below the free failures, then 2^(f-3) s, capped. */
static int64_t lock_ms(int64_t failures)
{
    if (failures < WMS_LOGIN_FREE_FAILS)
        return 0;
    int64_t shift = failures - WMS_LOGIN_FREE_FAILS;
    int64_t s = shift >= 16 ? WMS_LOGIN_MAX_DELAY_S : (int64_t)1 << shift;
    if (s > WMS_LOGIN_MAX_DELAY_S)
        s = WMS_LOGIN_MAX_DELAY_S;
    return s * 1000;
}

/* Milliseconds `key` must still wait at now_ms (0 = free to try). */
static int key_wait(wms_db *db, const char *key, int64_t now_ms, int64_t *wait, wms_error *err)
{
    static const char sql[] = "SELECT failures, last_ms FROM login_failures WHERE key = ?1";
    *wait = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        rc = db__fail(db, rc, err, "login throttle");
        sqlite3_reset(st);
        return rc;
    }
    int64_t failures = sqlite3_column_int64(st, 0), last = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (now_ms - last > WMS_LOGIN_FORGET_MS)
        return 0; /* idle for long: forgotten */
    int64_t lock = lock_ms(failures), left = last + lock - now_ms;
    /* A clock that went backwards never locks for longer than the delay. */
    *wait = left <= 0 ? 0 : left > lock ? lock : left;
    return 0;
}

int wms_login_begin(wms_db *db, const char *name, const char *device, int64_t now_ms,
                    wms_login_ticket *t, wms_error *err)
{
    memset(t, 0, sizeof(*t));
    int rc = check_name(name, err);
    if (rc < 0 || (rc = check_device(device, err)) < 0)
        return rc;
    char dkey[KEY_MAX], ukey[KEY_MAX];
    snprintf(dkey, sizeof(dkey), "device:%s", device);
    snprintf(ukey, sizeof(ukey), "user:%s", name);
    int64_t dwait, uwait;
    if ((rc = key_wait(db, dkey, now_ms, &dwait, err)) < 0 ||
        (rc = key_wait(db, ukey, now_ms, &uwait, err)) < 0)
        return rc;
    if (dwait > 0 || uwait > 0) {
        int64_t w = dwait > uwait ? dwait : uwait;
        long long s = (long long)((w + 999) / 1000);
        if (dwait >= uwait)
            return wms_error_set(err, WMS_ELOCKED_OUT,
                                 "too many failed logins on device %s: wait %lld s and try again",
                                 device, s);
        return wms_error_set(err, WMS_ELOCKED_OUT,
                             "too many failed logins for user %s: wait %lld s and try again", name,
                             s);
    }
    rc = user_fetch(db, name, &t->user, t->hash, sizeof(t->hash), err);
    if (rc == WMS_ENOT_FOUND) {
        if (err != NULL)
            wms_error_clear(err);
        memset(t, 0, sizeof(*t));
        snprintf(t->user.name, sizeof(t->user.name), "%s", name);
        return 0;
    }
    if (rc < 0)
        return rc;
    t->found = 1;
    return 0;
}

int wms_login_verify(const wms_login_ticket *t, const char *pin, wms_error *err)
{
    static const char failed[] = "wrong user or PIN";
    /* The format says nothing about the user, so a malformed PIN may fail
     * fast (and it bounds the length handed to argon2). */
    if (wms_pin_check(pin, NULL) < 0)
        return wms_error_set(err, WMS_EAUTH_FAILED, "%s", failed);
    int rc = sodium_ready(err);
    if (rc < 0)
        return rc;
    const char *hash = t->found ? t->hash : dummy_get();
    if (hash == NULL)
        return wms_error_set(err, WMS_ENOMEM, "cannot check PINs now: out of memory");
    int match = crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
    if (!t->found || !match)
        return wms_error_set(err, WMS_EAUTH_FAILED, "%s", failed);
    if (t->user.disabled)
        return wms_error_set(err, WMS_EUSER_DISABLED, "user %s is disabled: ask a supervisor",
                             t->user.name);
    return 0;
}

static int count_failure(wms_db *db, const char *key, int64_t now_ms, wms_error *err)
{
    /* Counters idle for longer than the forget window start again at 1. */
    static const char sql[] =
        "INSERT INTO login_failures(key, failures, last_ms) VALUES (?1, 1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET "
        "failures = CASE WHEN excluded.last_ms - last_ms > ?3 THEN 1 "
        "ELSE min(failures + 1, 1000000) END, "
        "last_ms = max(last_ms, excluded.last_ms)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_bind_int64(st, 3, WMS_LOGIN_FORGET_MS);
    return db__exec_stmt(db, st, err, "count login failure");
}

static int login_finish__(wms_db *db, const char *dkey, const char *ukey, int64_t now_ms, int ok,
                          wms_error *err)
{
    int rc;
    if (ok) {
        if ((rc = clear_key(db, dkey, err)) < 0)
            return rc;
        return clear_key(db, ukey, err);
    }
    if ((rc = count_failure(db, dkey, now_ms, err)) < 0)
        return rc;
    return count_failure(db, ukey, now_ms, err);
}

int wms_login_finish(wms_db *db, const char *name, const char *device, int64_t now_ms, int ok,
                     wms_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0 || (rc = check_device(device, err)) < 0)
        return rc;
    char dkey[KEY_MAX], ukey[KEY_MAX];
    snprintf(dkey, sizeof(dkey), "device:%s", device);
    snprintf(ukey, sizeof(ukey), "user:%s", name);
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, login_finish__(db, dkey, ukey, now_ms, ok, err), err);
}

int wms_user_login(wms_db *db, const char *name, const char *pin, const char *device,
                   int64_t now_ms, wms_user *out, wms_error *err)
{
    wms_login_ticket t;
    int rc = wms_login_begin(db, name, device, now_ms, &t, err);
    if (rc < 0)
        return rc;
    rc = wms_login_verify(&t, pin, err);
    if (rc == 0 || rc == WMS_EAUTH_FAILED || rc == WMS_EUSER_DISABLED) {
        wms_error ferr;
        wms_error_clear(&ferr);
        int frc = wms_login_finish(db, name, device, now_ms, rc != WMS_EAUTH_FAILED, &ferr);
        if (frc < 0)
            return wms_error_set(err, frc, "%s", ferr.msg);
    }
    if (rc == 0 && wms_user_pin_needs_rehash(t.hash) == 1) {
        /* Best effort: the login stands even if the upgrade fails. */
        char fresh[WMS_PIN_HASH_MAX];
        if (wms_pin_hash(pin, fresh, NULL) == 0)
            (void)wms_user_replace_hash(db, name, t.hash, fresh, NULL);
    }
    if (rc == 0 && out != NULL)
        *out = t.user;
    return rc;
}

int wms_login_failures_prune(wms_db *db, int64_t now_ms, wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    static const char sql[] = "DELETE FROM login_failures WHERE last_ms < ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return db__op_end(db, err ? err->code : WMS_ESTORAGE, err);
    sqlite3_bind_int64(st, 1, now_ms - WMS_LOGIN_FORGET_MS);
    rc = db__exec_stmt(db, st, err, "prune login failures");
    if (rc == 0)
        rc = sqlite3_changes(db->sql);
    return db__op_end(db, rc, err);
}
