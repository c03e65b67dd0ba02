#!/usr/bin/env bash
# Compiles the batch AES-256-GCM binding (kgw_gcm.c) into build/kgw_gcm.node with the system C
# compiler against Node's own headers, OpenSSL's included: the EVP_* symbols are resolved from the
# node executable at load time, so no libcrypto is linked (and the binding always uses the OpenSSL
# that Node's crypto uses). Re-runs only when the source or the Node version changed. Called by
# deploy/setup.sh. Without it the gateway encrypts with Node's crypto API (slower, same bytes).
set -euo pipefail
cd "$(dirname "$0")"
out=build/kgw_gcm.node
stamp="$(sha256sum kgw_gcm.c | cut -d' ' -f1) $(node -p 'process.versions.modules + " " + process.versions.openssl')"
if [ -f "$out" ] && [ -f build/.stamp ] && [ "$(cat build/.stamp)" = "$stamp" ]; then exit 0; fi
node_include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$node_include/node_api.h" ] || { echo "Node's headers (node_api.h) not found in $node_include" >&2; exit 1; }
[ -f "$node_include/openssl/evp.h" ] || { echo "Node's OpenSSL headers not found in $node_include/openssl" >&2; exit 1; }
mkdir -p build
cc -O2 -Wall -Wextra -Werror -std=c11 -fPIC -shared -I"$node_include" -o "$out.tmp" kgw_gcm.c
mv "$out.tmp" "$out"
echo "$stamp" > build/.stamp
