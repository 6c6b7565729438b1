#!/usr/bin/env bash
# Compiles the JMH benchmark sources against this checkout's own build (target/torchsight.jar, made by
# `mvn package`), without installing it into the local Maven repository; prints the class path to run them.
# JMH's annotation processor generates the benchmark list, so `java -cp "$CP" org.openjdk.jmh.Main` works too.
# Usage: CP=$(benchmarks/build-local.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
M2=${M2:-$HOME/.m2/repository}
JMH="$M2/org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar:$M2/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar:$M2/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"
PROC="$M2/org/openjdk/jmh/jmh-generator-annprocess/1.37/jmh-generator-annprocess-1.37.jar:$JMH"
if [[ ! -f target/torchsight.jar ]]; then
    echo "target/torchsight.jar is missing: run mvn -o -q package -DskipTests first" >&2
    exit 1
fi
OUT=benchmarks/jmh/target/local-classes
rm -rf "$OUT"
mkdir -p "$OUT"
javac --release 17 -nowarn -d "$OUT" -cp "target/torchsight.jar:$JMH" -processorpath "$PROC" \
    $(find benchmarks/jmh/src/main/java -name '*.java') >&2
echo "$PWD/$OUT:$PWD/target/torchsight.jar:$JMH"
