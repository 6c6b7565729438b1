#!/usr/bin/env bash
# kNN benchmark: exact vs approx (both as shipped) vs JVector vs hnswlib-core (pure Java). Needs a built tree (mvn -o -DskipTests test-compile) and
# the Fashion-MNIST ground truth: python3 prepare_fmnist.py $DATA 91 (DATA defaults to /tmp/ann-data).
# Usage: run.sh DATA_SPEC K THREADS METHOD [params]   e.g. run.sh fmnist 91 2 jvector 16 100 150 seq
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
data=${DATA:-/tmp/ann-data}
out=${OUT_CLASSES:-/tmp/ann-bench-classes}
cp_file=$out.cp
if [[ ! -f $cp_file ]]; then
  (cd "$root" && flock /tmp/torchsight-build.lock mvn -B -o -q dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
fi
# JVector and hnswlib-core (the pure-Java candidates the native hnswlib was measured against) are not
# project dependencies: they come from the local Maven repository
m2=${M2:-$HOME/.m2/repository}
hnsw="$m2/io/github/jbellis/jvector/4.0.0-rc.5/jvector-4.0.0-rc.5.jar"
hnsw+=":$m2/org/agrona/agrona/1.20.0/agrona-1.20.0.jar:$m2/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"
hnsw+=":$m2/com/github/jelmerk/hnswlib-core/1.2.1/hnswlib-core-1.2.1.jar"
hnsw+=":$m2/org/eclipse/collections/eclipse-collections/9.2.0/eclipse-collections-9.2.0.jar"
hnsw+=":$m2/org/eclipse/collections/eclipse-collections-api/9.2.0/eclipse-collections-api-9.2.0.jar"
# CLASSES: a copy of target/classes, so that a rebuild during a long run does not swap the native library
cp="${CLASSES:-$root/target/classes}:$(cat "$cp_file"):$hnsw"
if [[ ! -d $out || "$0" -nt $out || "$root/benchmarks/tsne/knn/KnnBenchmark.java" -nt $out ]]; then
  rm -rf "$out" && mkdir -p "$out"
  javac -d "$out" -cp "$cp" "$root/benchmarks/tsne/knn/KnnBenchmark.java"
fi
spec=$1; shift
[[ $spec == fmnist ]] && spec="fmnist:$data"
exec java ${JAVA_OPTS:--Xmx6g} -cp "$out:$cp" dev.torchsight.tsne.KnnBenchmark "$spec" "$@"
