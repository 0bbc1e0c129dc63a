#!/usr/bin/env bash
# Builds the real benchmark corpus once (see docs/benchmarks.md): distinct passages of the Python
# 3.11, Linux 6.1 and PostgreSQL 15 manuals, from Debian's packages python3.11-doc, linux-doc-6.1
# and postgresql-doc-15, cut by the product's chunker and embedded by the service's own model.
# The cache lives outside the repository; a run that is stopped goes on where it stopped.
#
#   scripts/bench-corpus.sh [passages=100000]
#
# CLEARANCE_BENCH_CACHE names the cache directory (default /var/cache/clearance/bench-corpus).
# Embedding 100,000 passages keeps two cores busy for the better part of an hour.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh

PASSAGES="${1:-100000}"
CACHE="${CLEARANCE_BENCH_CACHE:-/var/cache/clearance/bench-corpus}"
mkdir -p "$CACHE/debs" "$CACHE/src"

for package in python3.11-doc linux-doc-6.1 postgresql-doc-15; do
  if [ ! -d "$CACHE/src/$package" ]; then
    if ! ls "$CACHE/debs/${package}_"*.deb >/dev/null 2>&1; then
      (cd "$CACHE/debs" && apt-get download "$package")
    fi
    rm -rf "$CACHE/src/$package.partial"
    mkdir -p "$CACHE/src/$package.partial"
    # Only the manual's text: reStructuredText sources, or the HTML pages of the PostgreSQL manual.
    dpkg-deb -x "$CACHE/debs/${package}_"*.deb "$CACHE/src/$package.partial"
    mv "$CACHE/src/$package.partial" "$CACHE/src/$package"
  fi
done

mkdir -p target/bench
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench/classpath.txt
java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.clearance.bench.RealCorpus build "$CACHE" "$PASSAGES"
