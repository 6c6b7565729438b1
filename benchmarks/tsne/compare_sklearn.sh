#!/usr/bin/env bash
# t-SNE of the 10,000 Fashion-MNIST test images (PCA-50, perplexity 30, 1,000 iterations) by torchsight
# and by scikit-learn in the same run; prints both wall times, their ratio, the exact KL of both
# embeddings over the same P, and 10-NN accuracy. Needs a built project (mvn package) and Debian's
# python3-sklearn. THREADS (default 2) applies to both.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-2}
OUT=${OUT:-target/bench-tsne}
DATA=src/main/resources/dev/torchsight/data
IMAGES=$DATA/t10k-images-idx3-ubyte.gz
LABELS=$DATA/t10k-labels-idx1-ubyte.gz
mkdir -p "$OUT"

t0=$(date +%s.%N)
java -jar target/torchsight.jar tsne --input "$IMAGES" --labels "$LABELS" --threads "$THREADS" \
    --perplexity 30 --iterations 1000 --method barnes-hut --title "Fashion-MNIST 10k" \
    --out "$OUT/torchsight.png" --embedding-out "$OUT/torchsight.csv" --quiet | tee "$OUT/torchsight.log"
t1=$(date +%s.%N)
/usr/bin/python3 benchmarks/tsne/sklearn_baseline.py "$IMAGES" "$OUT/sklearn.csv" "$THREADS" | tee "$OUT/sklearn.log"

ts=$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' "$OUT/torchsight.log")
process=$(echo "$t1 - $t0" | bc -l)
sk=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' "$OUT/sklearn.log")
printf 'torchsight wall_s=%.2f (in-process: PCA, kNN, P, optimisation) process_s=%.2f (with JVM start)\n' "$ts" "$process"
printf 'ratio torchsight/sklearn: %.3f in-process, %.3f whole process (bar: <= 0.4)\n' \
    "$(echo "$ts / $sk" | bc -l)" "$(echo "$process / $sk" | bc -l)"
/usr/bin/python3 benchmarks/tsne/evaluate.py "$IMAGES" "$LABELS" torchsight="$OUT/torchsight.csv" sklearn="$OUT/sklearn.csv"
