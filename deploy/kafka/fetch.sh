#!/usr/bin/env bash
# Fetches Apache Kafka's jars (broker, CLI tools, MirrorMaker 2) from Maven Central into a cache
# outside git: ${KGW_HOME:-~/.cache/kgw}/kafka-<version>/libs. Idempotent: a completed fetch leaves
# a stamp file and later runs return at once. KGW_KAFKA_VERSION selects the release (default 4.3.1;
# 3.9.2 for a compatibility run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${KGW_KAFKA_VERSION:-4.3.1}"
home="${KGW_HOME:-$HOME/.cache/kgw}"
dest="$home/kafka-$version/libs"
stamp="$home/kafka-$version/.fetched"

say() { printf '[kafka] %s\n' "$*" >&2; }
die() { printf '[kafka] error: %s\n' "$*" >&2; exit 1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum "$here/pom.xml" | cut -d' ' -f1)" ]; then
  exit 0
fi

command -v java >/dev/null || die "Java 17 or newer is required to run Kafka (Debian: apt-get install -y openjdk-17-jre-headless)"
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
[ -n "$java_major" ] && [ "$java_major" -ge 17 ] || die "Java 17 or newer is required; found: $(java -version 2>&1 | head -1)"
command -v mvn >/dev/null || die "Apache Maven is required to fetch Kafka from Maven Central (Debian: apt-get install -y maven)"

say "fetching Apache Kafka $version from Maven Central into $dest"
rm -rf "$dest"
mkdir -p "$dest"
# Maven prints one line per artifact downloaded: that is the progress shown. A warm ~/.m2 makes
# this a local copy.
mvn -B -f "$here/pom.xml" -Dkafka.version="$version" \
  dependency:copy-dependencies -DoutputDirectory="$dest" -DincludeScope=runtime \
  | grep -E '^\[INFO\] (Downloaded|Copying)|BUILD|ERROR' | sed -u 's/^\[INFO\] /  /' >&2 || true
[ -f "$dest/kafka-clients-$version.jar" ] || die "Maven did not produce kafka-clients-$version.jar; rerun with: mvn -f $here/pom.xml -Dkafka.version=$version dependency:copy-dependencies -DoutputDirectory=$dest"
sha256sum "$here/pom.xml" | cut -d' ' -f1 > "$stamp"
say "Apache Kafka $version ready ($(ls "$dest" | wc -l) jars)"
