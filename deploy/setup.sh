#!/usr/bin/env bash
# One-time (idempotent) set-up for development, tests and CI:
#   1. checks Node >= 20, Java >= 17 and Maven, saying what to install when one is missing;
#   2. installs npm packages when package-lock.json changed since the last install;
#   3. fetches Apache Kafka's jars from Maven Central (deploy/kafka/fetch.sh);
#   4. installs the Debian packages tests use as real third-party parts: kcat, prometheus (promtool),
#      softhsm2 (the PKCS#11 token behind the encryption KMS tests).
# Re-running it when everything is present takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20 or newer is required (https://nodejs.org, or: apt-get install nodejs)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required; found $(node -v)"

# npm packages: reinstall only when the lock file changed.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.kgw-lock-hash ] || [ "$(cat node_modules/.kgw-lock-hash)" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.kgw-lock-hash
fi

bash deploy/kafka/fetch.sh

# Debian packages: real clients and tools the tests drive.
missing=()
command -v kcat >/dev/null || missing+=(kcat)
command -v promtool >/dev/null || missing+=(prometheus)
command -v softhsm2-util >/dev/null || missing+=(softhsm2)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps prometheus from pulling in its exporters; we only need promtool.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The prometheus package registers a system service; tests start their own server on loopback.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true
  fi
fi
say "ready"
