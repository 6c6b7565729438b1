#!/usr/bin/env bash
# Score-CAM and Ablation-CAM (CAM batch 32, layer4 of a random-weight ResNet-34, 224x224, one image per call,
# 2 libtorch threads on both sides) in torchsight against pytorch-grad-cam on the same inputs and weights:
# seconds per image, the ratio torchsight / pytorch-grad-cam, peak RSS, and the largest map difference.
#
# pytorch-grad-cam and torchsight run image by image in alternation (one process per method and image,
# pytorch-grad-cam first), so background load on a shared machine hits both sides alike; wall and CPU
# time are both reported. Inputs are written once as .npy (pgc_perturbation.py) and read by both sides.
#
# Usage: benchmarks/gradcam/compare_perturbation.sh
# Environment: IMAGES (default 2), THREADS (2), METHODS ("scorecam ablationcam"), OUT (target/perturbation),
#   MODEL (target/bench/resnet34.pt, made with make_resnet.py when missing), SKIP_BUILD=1 to reuse the
#   last build, PGC_DIR (pytorch-grad-cam source, default /tmp/pgc).
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGES=${IMAGES:-2}
THREADS=${THREADS:-2}
METHODS=${METHODS:-"scorecam ablationcam"}
OUT=${OUT:-target/perturbation}
MODEL=${MODEL:-target/bench/resnet34.pt}
PY=/usr/bin/python3

if [[ -z "${SKIP_BUILD:-}" ]]; then
    flock /tmp/torchsight-build.lock mvn -B -o -q package -DskipTests
fi
CP=$(benchmarks/build-local.sh)
if [[ ! -f "$MODEL" ]]; then
    $PY benchmarks/gradcam/make_resnet.py "$(dirname "$MODEL")"
fi
rm -rf "$OUT"
mkdir -p "$OUT"
$PY benchmarks/gradcam/pgc_perturbation.py "$MODEL" "$OUT" --make-inputs --images "$IMAGES" --threads "$THREADS"
for method in $METHODS; do
    for ((i = 0; i < IMAGES; i++)); do
        $PY benchmarks/gradcam/pgc_perturbation.py "$MODEL" "$OUT" --method "$method" --start "$i" --count 1 \
            --threads "$THREADS" 2>>"$OUT/pgc_stderr.log" | tee -a "$OUT/timings.txt"
        java -Xmx2g -cp "$CP" dev.torchsight.cam.PerturbationBench "$MODEL" "$OUT" "$method" "$THREADS" "$i" 1 32 \
            | tee -a "$OUT/timings.txt"
    done
done
$PY benchmarks/gradcam/compare_perturbation.py "$OUT"
