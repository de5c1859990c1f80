#!/usr/bin/env bash
# The lab tests and npm start's demo lab start their own private redis-server (test/support/redis.ts,
# scripts/demo-fleet.mjs): make sure the Debian package is there, installing it when missing (as
# the code-server installer does for the editor's packages), so `npm test` needs nothing that
# happens to be on the machine.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
# One line, not a password prompt, where it cannot be installed (npm start then runs without its lab part).
if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; }; then
  echo "[ensure-redis] redis-server is missing; install it (Debian/Ubuntu: sudo apt-get install redis-server)" >&2
  exit 1
fi
echo "[ensure-redis] redis-server is missing: apt-get install redis-server"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# Debian starts a system-wide redis-server on install; the tests use their own on random ports.
echo "[ensure-redis] installed $(redis-server --version | head -c 60)"
