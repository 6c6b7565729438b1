#!/usr/bin/env bash
# Builds torchsight, installs it into the local Maven repository, builds the JMH benchmarks and runs them.
# Usage: benchmarks/run-jmh.sh [JMH options, e.g. GradientStepBenchmark -p method=BARNES_HUT]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -DskipTests
mvn -q -B -f benchmarks/jmh/pom.xml package
java -jar benchmarks/jmh/target/benchmarks.jar "$@"
