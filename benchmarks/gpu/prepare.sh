#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for benchmarks/gpu/device-check.sh, which runs on the GPU machine
# where there is no Java, no Maven and no ../shared. Run here; then, with the device tool:
#   run(command="bash benchmarks/gpu/device-check.sh", carry=[".device"], timeout_s=590)
# Contents (about 45 MiB): a jlink'd Java 25 runtime, the jar and its dependencies (ONNX Runtime
# without its Windows/macOS/aarch64 natives), the compiled tests and JUnit's console launcher for
# the GPU parity tests, and two real CT series (xz) for `reduce --device cuda` end to end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
ct="${LESSISMORE_CT:-$root/../shared/data/ct}"
console="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.13.4/junit-platform-console-standalone-1.13.4.jar"

./mvnw -B -q -DskipTests package
if [[ ! -f "$console" ]]; then
  ./mvnw -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.13.4
fi

rm -rf .device
mkdir -p .device/lib
cp benchmarks/jmh/target/lessismore-benchmarks.jar .device/
cp benchmarks/jmh/target/lib/*.jar .device/lib/
# The GPU machine is linux-x64: the other platforms' ONNX Runtime natives are 33 MB of dead weight.
ort=$(ls .device/lib/onnxruntime-*.jar)
zip -q -d "$ort" 'ai/onnxruntime/native/win-x64/*' 'ai/onnxruntime/native/linux-aarch64/*' 'ai/onnxruntime/native/osx*' || true
(cd java/target/test-classes && jar cf "$root/.device/lessismore-tests.jar" .)
cp "$console" .device/junit-console.jar
bash "$root/../shared/device/make-jre.sh" .device jdk.jfr >/dev/null
tar -C "$ct" -cJf .device/ct.tar.xz ge-head-tilt philips-phantom-a
du -sh .device
