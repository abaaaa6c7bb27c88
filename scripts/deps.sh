#!/bin/sh
# deps.sh - make sure the Debian packages the build needs are installed.
# As root it installs what is missing; otherwise it prints the exact
# apt-get line and fails.
set -eu
PKGS="build-essential cmake pkg-config clang clang-format libclang-rt-14-dev \
libuv1-dev libsqlite3-dev sqlite3 libmsgpack-dev libserialport-dev libcmocka-dev \
libsodium-dev libzint-dev libcsv-dev libncurses-dev socat python3-msgpack"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
