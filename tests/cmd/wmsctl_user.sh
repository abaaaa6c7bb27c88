#!/bin/bash
# wmsctl_user.sh - wmsctl user add|set-pin|disable|enable|list|login: PINs
# only on standard input, JSON listing without hashes, exit statuses.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-user-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db"
. "$(dirname "$0")/harness.inc"

expect_status_in 0 "" "$WMSCTL" init

# add: the PIN is one line on standard input (newline and CRLF stripped).
expect_status_in 0 $'4711\n' "$WMSCTL" user add alice --role picker
grep -q 'alice' "$T/out" && grep -q picker "$T/out" && ok || bad "add output: $(cat "$T/out")"
expect_status_in 0 $'90210\r\n' "$WMSCTL" user add bob --role supervisor
expect_status_in 0 '123456' "$WMSCTL" user add carol --role receiver   # no final newline
expect_status_in 0 $'4711\n' "$WMSCTL" user login alice --device RF-01
grep -q 'alice logged in (picker)' "$T/out" && ok || bad "login output: $(cat "$T/out")"
expect_status_in 0 $'90210\n' "$WMSCTL" user login bob --json
json_eq "$T/out" "d['name'], d['role']" "('bob', 'supervisor')"
expect_status_in 0 $'123456\n' "$WMSCTL" user login carol

# Duplicates, bad roles, bad PINs and missing PINs are input errors (exit 2).
expect_status_in 2 $'1111\n' "$WMSCTL" user add alice --role admin
grep -q EXISTS "$T/err" && ok || bad "duplicate add: $(cat "$T/err")"
expect_status_in 2 $'1111\n' "$WMSCTL" user add dave --role boss
expect_status_in 2 $'1111\n' "$WMSCTL" user add dave
expect_status_in 2 $'12\n' "$WMSCTL" user add dave --role picker
grep -q '4 to 12 digits' "$T/err" && ok || bad "short PIN message: $(cat "$T/err")"
expect_status_in 2 $'12ab\n' "$WMSCTL" user add dave --role picker
expect_status_in 2 '' "$WMSCTL" user add dave --role picker
grep -q 'standard input' "$T/err" && ok || bad "missing PIN message: $(cat "$T/err")"
expect_status_in 2 $'1111\n' "$WMSCTL" user add 'da ve' --role picker

# The PIN is never accepted on the command line (argv shows in `ps`).
expect_status_in 2 '' "$WMSCTL" user add eve --role picker --pin 1234
grep -q 'standard input' "$T/err" && ok || bad "--pin refusal: $(cat "$T/err")"
expect_status_in 2 $'1234\n' "$WMSCTL" user set-pin alice --pin 1234
expect_status_in 2 '' "$WMSCTL" user add eve --role picker 1234
expect_status_in 0 '' "$WMSCTL" user list --json
grep -q '"eve"' "$T/out" && bad "eve was added from argv" || ok

# list --json: name, role, disabled; never a hash or a PIN.
json_eq "$T/out" "[(u['name'], u['role'], u['disabled']) for u in d]" \
    "[('alice', 'picker', 0), ('bob', 'supervisor', 0), ('carol', 'receiver', 0)]"
json_eq "$T/out" "sorted(set(k for u in d for k in u))" "['disabled', 'name', 'role']"
grep -q -e argon2 -e 4711 -e 90210 "$T/out" && bad "list leaks hashes or PINs" || ok
expect_status_in 0 '' "$WMSCTL" user list
grep -q -e argon2 -e 4711 "$T/out" && bad "text list leaks hashes or PINs" || ok
[ "$(grep -c -e '^alice ' -e '^bob ' -e '^carol ' "$T/out")" = 3 ] && ok ||
    bad "text list: $(cat "$T/out")"

# The database holds argon2id hashes only.
got=$($PY -c "import sqlite3; c=sqlite3.connect('$WMS_DB'); print(' '.join(r[0][:10] for r in c.execute('SELECT pin_hash FROM users ORDER BY name')))")
[ "$got" = '$argon2id$ $argon2id$ $argon2id$' ] && ok || bad "stored hashes: $got"
$PY -c "import sqlite3,sys; c=sqlite3.connect('$WMS_DB'); sys.exit(any('4711' in r[0] for r in c.execute('SELECT pin_hash FROM users')))" &&
    ok || bad "a stored hash contains the PIN"

# disable / enable.
expect_status_in 0 '' "$WMSCTL" user disable carol
expect_status_in 0 '' "$WMSCTL" user list --json
json_eq "$T/out" "[u['disabled'] for u in d if u['name'] == 'carol']" "[1]"
expect_status_in 0 '' "$WMSCTL" user list
grep -q '^carol .*disabled' "$T/out" && ok || bad "text list shows disabled: $(cat "$T/out")"
expect_status_in 2 $'123456\n' "$WMSCTL" user login carol --device RF-02
grep -q USER_DISABLED "$T/err" && ok || bad "disabled login: $(cat "$T/err")"
expect_status_in 2 $'654321\n' "$WMSCTL" user login carol --device RF-02
grep -q AUTH_FAILED "$T/err" && ok || bad "disabled user, wrong PIN: $(cat "$T/err")"
expect_status_in 0 '' "$WMSCTL" user enable carol
expect_status_in 0 $'123456\n' "$WMSCTL" user login carol --device RF-02
expect_status_in 2 '' "$WMSCTL" user disable nobody
grep -q NOT_FOUND "$T/err" && ok || bad "disable unknown: $(cat "$T/err")"

# set-pin: the old PIN stops working.
expect_status_in 0 $'8080\n' "$WMSCTL" user set-pin alice
expect_status_in 2 $'4711\n' "$WMSCTL" user login alice --device RF-03
grep -q AUTH_FAILED "$T/err" && ok || bad "old PIN: $(cat "$T/err")"
unknown_msg=$(printf '4711\n' | "$WMSCTL" user login zoe --device RF-04 2>&1 >/dev/null)
[ "$unknown_msg" = "$(cat "$T/err")" ] && ok || bad "unknown user '$unknown_msg' vs wrong PIN '$(cat "$T/err")'"
expect_status_in 0 $'8080\n' "$WMSCTL" user login alice --device RF-03
expect_status_in 2 $'8080\n' "$WMSCTL" user set-pin nobody

# Three failures lock the device out; the message says how long to wait.
for i in 1 2 3; do expect_status_in 2 $'0000\n' "$WMSCTL" user login bob --device RF-09; done
expect_status_in 2 $'90210\n' "$WMSCTL" user login bob --device RF-09
grep -q 'LOCKED_OUT.*wait [0-9]* s' "$T/err" && ok || bad "lockout: $(cat "$T/err")"

# Usage errors.
expect_status_in 2 '' "$WMSCTL" user
expect_status_in 2 '' "$WMSCTL" user frobnicate x
expect_status_in 2 '' "$WMSCTL" user disable
expect_status_in 2 '' "$WMSCTL" user list extra

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
