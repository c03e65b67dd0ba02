#!/usr/bin/env bash
# One-time (idempotent) set-up for development, tests and CI:
#   1. checks Node >= 20, Java >= 17 and Maven, saying what to install when one is missing;
#   2. installs npm packages when package-lock.json changed since the last install;
#   3. fetches Apache Kafka's jars from Maven Central (deploy/kafka/fetch.sh);
#   4. fetches the Kubernetes Java client's model from Maven Central (deploy/k8s/validator/fetch.sh);
#   5. installs the Debian packages tests use as real third-party parts: kcat, prometheus (promtool),
#      docker-compose and kubernetes-client (kubectl) for the deployment files, MIT Kerberos (a KDC
#      and kinit for the GSSAPI tests, Cyrus SASL's GSSAPI plugin for kcat), and what the gateway's
#      GSSAPI binding is compiled with (libkrb5-dev, a C compiler), softhsm2 (the PKCS#11 token
#      behind the encryption KMS tests);
#   6. compiles that binding (security/kerberos/native/build.sh) when its source changed, and the
#      batch AES-256-GCM binding of record encryption (security/encryption/native/build.sh).
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
# The official Kubernetes Java model, which validates the rendered Kubernetes manifests.
bash deploy/k8s/validator/fetch.sh

# Debian packages: real clients and tools the tests drive.
missing=()
command -v kcat >/dev/null || missing+=(kcat)
command -v promtool >/dev/null || missing+=(prometheus)
# Validators for the deployment files (test/unit/deploy): a real Compose implementation that checks
# a file with `config` without an engine, and kubectl for `kubectl kustomize` (any kubectl on the
# PATH will do; Debian's is kubernetes-client).
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v krb5kdc >/dev/null || missing+=(krb5-kdc)
command -v kadmin.local >/dev/null || missing+=(krb5-admin-server)
command -v kinit >/dev/null || missing+=(krb5-user)
[ -f /usr/include/gssapi/gssapi_ext.h ] || missing+=(libkrb5-dev)
compgen -G '/usr/lib/*/sasl2/libgssapiv2.so*' >/dev/null || missing+=(libsasl2-modules-gssapi-mit)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
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
  # So do the Kerberos server packages; tests start their own KDC in a temporary directory.
  if command -v systemctl >/dev/null; then
    for service in prometheus krb5-kdc krb5-admin-server; do
      if systemctl is-active --quiet "$service" 2>/dev/null; then systemctl stop "$service" || true; fi
    done
  fi
fi

# The gateway's GSS-API acceptor binding (SASL/GSSAPI); rebuilt only when its source changed.
bash security/kerberos/native/build.sh
# Record encryption's batch AES-256-GCM binding (one OpenSSL context per data key); rebuilt only when
# its source changed. Without it the gateway falls back to Node's crypto API (same bytes, slower).
bash security/encryption/native/build.sh
say "ready"
