#!/usr/bin/env bash
# Runs the JMH benchmarks of benchmarks/jmh (builds them first).
# Usage: benchmarks/run-jmh.sh [JMH options], e.g. benchmarks/run-jmh.sh -t 2 DecodeHash
# Default: every benchmark, 1 fork, 3 warm-up and 5 measured iterations of 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -q -B -DskipTests -pl benchmarks/jmh -am package
cp="benchmarks/jmh/target/lessismore-benchmarks.jar:$(ls benchmarks/jmh/target/lib/*.jar | tr '\n' ':')"
args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=(-f 1 -wi 3 -i 5 -w 2s -r 2s)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Dlessismore.ct="$(cd .. && pwd)/shared/data/ct" \
  -cp "$cp" org.openjdk.jmh.Main "${args[@]}"
