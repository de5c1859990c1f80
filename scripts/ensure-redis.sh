#!/usr/bin/env bash
# The lab tests start their own private redis-server (test/support/redis.ts): make sure the
# Debian package is there, installing it when missing (as the code-server installer does for the
# editor's packages), so `npm test` needs nothing that happens to be on the machine.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "[ensure-redis] redis-server is missing: apt-get install redis-server"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# Debian starts a system-wide redis-server on install; the tests use their own on random ports.
echo "[ensure-redis] installed $(redis-server --version | head -c 60)"
