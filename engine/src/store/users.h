/*
 * users.h - handheld users (picker, receiver, supervisor, admin) and PIN
 * logins.
 *
 * PINs are stored only as salted argon2id hashes.  A login is split in three
 * steps so that the slow hash runs on a worker thread without touching the
 * database:
 *
 *   wms_login_begin   (event loop, database)  throttle check, fetch the hash
 *   wms_login_verify  (any thread, no database)  argon2id verify of the PIN
 *   wms_login_finish  (event loop, database)  reset or count failures
 *
 * Throttle: after WMS_LOGIN_FREE_FAILS consecutive failures from a device
 * ("device:<id>") or against a user name ("user:<name>", counted whether or
 * not the user exists), further attempts are refused with WMS_ELOCKED_OUT
 * until 2^(failures-3) seconds (at most WMS_LOGIN_MAX_DELAY_S) have passed
 * since the last failure.  A counter whose last failure is older than
 * WMS_LOGIN_FORGET_MS counts as zero (and may be pruned).
 */
#ifndef WMS_STORE_USERS_H
#define WMS_STORE_USERS_H

#include "wms.h"

#include <sodium.h>
#include <stdint.h>

/*
 * Argon2id cost of a stored PIN hash.  OPSLIMIT_INTERACTIVE (2 passes) with
 * 32 MiB instead of libsodium's 64 MiB interactive default: the server
 * verifies logins on a small thread pool and hundreds of scanners log in at
 * shift start, so per-verify memory and time matter (32 MiB is about 25 ms
 * on one core here; 8 pool threads need 256 MiB at peak, not 512).  A 4-6
 * digit PIN has at most ~20 bits of entropy, so no hash cost makes it strong
 * offline: the slow hash only makes cracking a stolen database file cost
 * seconds-to-hours per user instead of microseconds, while online guessing
 * is stopped by the lockout.  Still above OWASP's argon2id floor (19 MiB,
 * t=2).  Changing these makes wms_user_pin_needs_rehash() report old hashes;
 * wms_user_login() then upgrades a hash on the next successful login.
 */
#define WMS_PIN_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define WMS_PIN_MEMLIMIT ((size_t)32 << 20)

#define WMS_PIN_MIN 4 /* digits */
#define WMS_PIN_MAX 12
#define WMS_USER_NAME_MAX 32
#define WMS_DEVICE_MAX 64
#define WMS_PIN_HASH_MAX crypto_pwhash_STRBYTES /* incl. NUL */

#define WMS_LOGIN_FREE_FAILS 3                      /* failures before delays start */
#define WMS_LOGIN_MAX_DELAY_S 300                   /* cap of the delay */
#define WMS_LOGIN_FORGET_MS (24LL * 60 * 60 * 1000) /* an idle counter is forgotten */

typedef enum {
    WMS_ROLE_PICKER = 1,
    WMS_ROLE_RECEIVER,
    WMS_ROLE_SUPERVISOR,
    WMS_ROLE_ADMIN
} wms_role;

/* "picker", "receiver", "supervisor", "admin", or "unknown". Never NULL. */
const char *wms_role_name(int role);
/* The role named `name` (exact, lower case), or WMS_EBAD_ARGS. */
int wms_role_parse(const char *name);

typedef struct wms_user {
    int64_t id;
    char name[WMS_USER_NAME_MAX + 1];
    int role; /* wms_role */
    int disabled;
} wms_user;

/* Checks a PIN's format: WMS_PIN_MIN..WMS_PIN_MAX ASCII digits.  Returns 0
 * or WMS_EBAD_ARGS with a message (which never contains the PIN). */
int wms_pin_check(const char *pin, wms_error *err);

/* Hashes a PIN (argon2id, WMS_PIN_* limits, random salt) into out, a
 * NUL-terminated "$argon2id$..." string.  No database: safe on any thread.
 * Errors: WMS_EBAD_ARGS (format), WMS_ENOMEM (hashing failed). */
int wms_pin_hash(const char *pin, char out[WMS_PIN_HASH_MAX], wms_error *err);

/* 1 when a stored hash should be recomputed (other limits or not argon2id),
 * 0 when it is current, WMS_EBAD_ARGS when it is not a hash string. */
int wms_user_pin_needs_rehash(const char *hash);

/* Adds a user (name: 1-32 printable ASCII, no spaces).  The PIN is hashed
 * before the write transaction opens.  Errors: WMS_EBAD_ARGS (name, role,
 * PIN), WMS_EEXISTS (name taken), storage errors. */
int wms_user_add(wms_db *db, const char *name, int role, const char *pin, wms_error *err);
/* Replaces a user's PIN and clears the failure counter of the user name
 * (a supervisor's reset unlocks the user).  WMS_ENOT_FOUND if absent. */
int wms_user_set_pin(wms_db *db, const char *name, const char *pin, wms_error *err);
/* Disables (1) or enables (0) a user.  WMS_ENOT_FOUND if absent. */
int wms_user_set_disabled(wms_db *db, const char *name, int disabled, wms_error *err);
/* Looks a user up by name.  WMS_ENOT_FOUND if absent. */
int wms_user_get(wms_db *db, const char *name, wms_user *out, wms_error *err);
/* Calls cb for each user ordered by name; a non-zero return from cb stops
 * the walk.  cb may call other engine functions.  Returns the number of
 * users passed to cb. */
int wms_user_list(wms_db *db, int (*cb)(void *, const wms_user *), void *ctx, wms_error *err);

/* Replaces a user's stored hash by new_hash only if it still is old_hash
 * (compare and swap: a PIN changed meanwhile is not overwritten).  Used to
 * upgrade hashes after a successful login.  Returns 1 when replaced, 0 when
 * the stored hash had changed (or the user is gone). */
int wms_user_replace_hash(wms_db *db, const char *name, const char *old_hash, const char *new_hash,
                          wms_error *err);

/* What step 1 of a login hands to step 2. */
typedef struct wms_login_ticket {
    wms_user user; /* valid when found */
    char hash[crypto_pwhash_STRBYTES];
    int found;
} wms_login_ticket;

/* Step 1 (event loop, database): refuses with WMS_ELOCKED_OUT (message says
 * how many seconds to wait) while the device or the user name is throttled,
 * then fetches the user and its hash into t (t->found = 0 for an unknown
 * name: that is not an error here).  Errors: WMS_EBAD_ARGS (malformed name
 * or device), WMS_ELOCKED_OUT, storage errors.  Changes nothing. */
int wms_login_begin(wms_db *db, const char *name, const char *device, int64_t now_ms,
                    wms_login_ticket *t, wms_error *err);

/* Step 2 (any thread, no database): verifies pin against the ticket.  Does
 * the same argon2id work whether or not the user exists (a dummy hash for
 * unknown names).  Returns 0 when the PIN matches an enabled user;
 * WMS_EAUTH_FAILED (one message for unknown user and wrong PIN) or, only
 * when the PIN was right, WMS_EUSER_DISABLED. */
int wms_login_verify(const wms_login_ticket *t, const char *pin, wms_error *err);

/* Step 3 (event loop, database): records the outcome.  ok = 1 when the PIN
 * was right (verify returned 0 or WMS_EUSER_DISABLED): clears the device's
 * and the name's counters; ok = 0 (WMS_EAUTH_FAILED): counts one failure
 * for each at now_ms.  Do not call it for other errors (lockout, bad
 * arguments, out of memory): those are not guesses. */
int wms_login_finish(wms_db *db, const char *name, const char *device, int64_t now_ms, int ok,
                     wms_error *err);

/* The three steps in one call (tests, wmsctl): returns 0 with the user in
 * out (may be NULL), or the first step's error.  Upgrades an outdated hash
 * after a successful verify. */
int wms_user_login(wms_db *db, const char *name, const char *pin, const char *device,
                   int64_t now_ms, wms_user *out, wms_error *err);

/* Deletes failure counters idle for longer than WMS_LOGIN_FORGET_MS (they
 * already count as zero).  For a periodic timer.  Returns rows deleted. */
int wms_login_failures_prune(wms_db *db, int64_t now_ms, wms_error *err);

#endif
