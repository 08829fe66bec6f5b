#!/usr/bin/env bash
# Installs Debian's redis-server (7.0) when it is missing: the relay's Redis tests start a real one
# on loopback (test/helpers/redis.ts). Run before `npm test` (its pretest) and by .ci/run.
set -euo pipefail
if command -v redis-server >/dev/null; then
  redis-server --version
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The relay's tests need redis-server (6.2 or later) on the PATH; install it (Debian: apt-get install redis-server, macOS: brew install redis) and run the tests again." >&2
  exit 1
fi
echo "Installing Debian's redis-server for the relay's tests (once)..." >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends redis-server
# The package starts a system service; the tests start their own servers on free ports.
($sudo systemctl disable --now redis-server >/dev/null 2>&1 || $sudo service redis-server stop >/dev/null 2>&1 || true)
redis-server --version
