#!/usr/bin/env bash
# Compiles the gateway's GSS-API acceptor binding (kgw_gssapi.c) into build/kgw_gssapi.node with the
# system C compiler against Node's own headers and MIT Kerberos (Debian: libkrb5-dev). Re-runs only
# when the source or the Node version changed. Called by deploy/setup.sh.
set -euo pipefail
cd "$(dirname "$0")"
out=build/kgw_gssapi.node
stamp="$(sha256sum kgw_gssapi.c | cut -d' ' -f1) $(node -p 'process.versions.modules')"
if [ -f "$out" ] && [ -f build/.stamp ] && [ "$(cat build/.stamp)" = "$stamp" ]; then exit 0; fi
node_include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$node_include/node_api.h" ] || { echo "Node's headers (node_api.h) not found in $node_include" >&2; exit 1; }
[ -f /usr/include/gssapi/gssapi_ext.h ] || { echo "MIT Kerberos headers not found: apt-get install libkrb5-dev" >&2; exit 1; }
mkdir -p build
cc -O2 -Wall -Wextra -Werror -std=c11 -fPIC -shared -I"$node_include" -o "$out.tmp" kgw_gssapi.c -lgssapi_krb5 -lkrb5
mv "$out.tmp" "$out"
echo "$stamp" > build/.stamp
