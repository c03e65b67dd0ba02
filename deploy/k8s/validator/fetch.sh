#!/usr/bin/env bash
# Copies the Kubernetes Java model (pom.xml beside this file) from Maven Central into
# ${KGW_HOME:-~/.cache/kgw}/k8s-model/libs. Idempotent: a stamp of pom.xml's hash makes later runs
# return at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${KGW_HOME:-$HOME/.cache/kgw}"
dest="$home/k8s-model/libs"
stamp="$home/k8s-model/.fetched"
hash=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && exit 0
command -v mvn >/dev/null || { echo "[k8s-model] error: Apache Maven is required (apt-get install -y maven)" >&2; exit 1; }
echo "[k8s-model] fetching the Kubernetes Java model from Maven Central into $dest" >&2
rm -rf "$dest"
mkdir -p "$dest"
mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dest" -DincludeScope=runtime >&2
ls "$dest"/client-java-api-*.jar >/dev/null 2>&1 || { echo "[k8s-model] error: Maven produced no client-java-api jar in $dest" >&2; exit 1; }
echo "$hash" > "$stamp"
