#!/usr/bin/env bash
# Builds torchsight, installs it into the local Maven repository, builds the JMH benchmarks and runs them.
# The Grad-CAM benchmarks need ResNet TorchScript files in target/bench: made here with Debian's
# python3-torchvision when missing (benchmarks/gradcam/make_resnet.py).
# Usage: benchmarks/run-jmh.sh [JMH options, e.g. GradientStepBenchmark -p method=BARNES_HUT]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -DskipTests
mvn -q -B -f benchmarks/jmh/pom.xml package
if [[ ! -f target/bench/resnet18.pt ]]; then
    /usr/bin/python3 benchmarks/gradcam/make_resnet.py target/bench
fi
java -Dtorchsight.bench.models=target/bench -jar benchmarks/jmh/target/benchmarks.jar "$@"
