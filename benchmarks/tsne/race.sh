#!/usr/bin/env bash
# Same-run t-SNE race: torchsight vs FIt-SNE 1.2.1 vs scikit-learn 1.2 (Barnes-Hut), whole processes back
# to back, perplexity 30, 1,000 iterations, THREADS threads each (default 2), on one shared float32 .npy
# per size. Prints each program's wall time and peak RSS (/usr/bin/time -v), the wall ratios
# torchsight/FIt-SNE and torchsight/scikit-learn, and the exact KL over one common P plus 10-NN accuracy
# of each embedding (race_eval.py; the scoring is not timed).
#
# Usage: benchmarks/tsne/race.sh [SIZE...]   (default: 10k 60k 1m)
#   10k   first 10,000 rows of Fashion-MNIST train, PCA-50      60k  all of Fashion-MNIST train, PCA-50
#   1m    1,000,000 x 50 synthetic Gaussian mixture (race_data.py mixture)
#   mN    the first N rows of that mixture, e.g. m100000
# Environment: THREADS (2); OUT (target/race); TORCHSIGHT_ARGS (--method auto --neighbors auto), the part
# of torchsight's command line that picks the methods; TOOLS (torchsight fitsne sklearn), the programs to
# run; SKLEARN_MAX_ROWS (200000): larger sizes skip scikit-learn (hours); JAVA_OPTS; FITSNE_REPO, a
# local FIt-SNE clone to build from (see build_fitsne.sh). Needs a built project (mvn package), Debian's
# python3-sklearn, python3-torch (Z sums), libfftw3-dev and dataset-fashion-mnist. DRY_RUN=1 makes the
# data and prints the three command lines without running them.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=benchmarks/tsne
THREADS=${THREADS:-2}
OUT=${OUT:-target/race}
TORCHSIGHT_ARGS=${TORCHSIGHT_ARGS:---method auto --neighbors auto}
TOOLS=${TOOLS:-torchsight fitsne sklearn}
SKLEARN_MAX_ROWS=${SKLEARN_MAX_ROWS:-200000}
PY=/usr/bin/python3
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10k 60k 1m)
mkdir -p "$OUT"
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
       NUMEXPR_NUM_THREADS=$THREADS VECLIB_MAXIMUM_THREADS=$THREADS

FITSNE_BIN=$($HERE/build_fitsne.sh | tail -1)
FITSNE_DIR=$(dirname "$(dirname "$FITSNE_BIN")")

# Wall seconds and peak RSS (MB) from a /usr/bin/time -v report.
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else printf "n/a" }'; }

# Runs one program as a whole process under /usr/bin/time -v; stdout+stderr go to NAME.log.
timed() {
    local name=$1; shift
    if [[ ${DRY_RUN:-0} == 1 ]]; then
        echo "  would run: $*"; return 1
    fi
    if ! /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1; then
        echo "  $name FAILED (see $OUT/$name.log):"; tail -5 "$OUT/$name.log" | sed 's/^/    /'
        return 1
    fi
}

for size in "${SIZES[@]}"; do
    case $size in
        10k) set_name=fmnist10k; desc="Fashion-MNIST train, first 10,000 rows, PCA-50"
             $PY $HERE/race_data.py fmnist "$OUT" > /dev/null ;;
        60k) set_name=fmnist60k; desc="Fashion-MNIST train, 60,000 rows, PCA-50"
             $PY $HERE/race_data.py fmnist "$OUT" > /dev/null ;;
        1m)  set_name=mixture1000000; desc="synthetic 50-d Gaussian mixture, 20 clusters"
             $PY $HERE/race_data.py mixture 1000000 "$OUT" > /dev/null ;;
        m[0-9]*) set_name=mixture${size#m}; desc="first ${size#m} rows of the synthetic 50-d Gaussian mixture"
             $PY $HERE/race_data.py mixture "${size#m}" "$OUT" > /dev/null ;;
        *) echo "unknown size '$size' (use 10k, 60k, 1m or mN)" >&2; exit 2 ;;
    esac
    rows=$OUT/$set_name.npy labels=$OUT/${set_name}_labels.npy
    n=$($PY -c "import numpy as np; print(np.load('$rows', mmap_mode='r').shape[0])")
    echo "== $set_name: $n x 50 ($desc), perplexity 30, 1,000 iterations, $THREADS threads =="
    echo "   load before: $(uptime | sed 's/.*load average/load average/')"
    embeddings=()
    declare -A wall=() rss=()
    for tool in $TOOLS; do
        case $tool in
            torchsight)
                # --no-pca: the rows are already PCA-50 (the same rows every program gets).
                # shellcheck disable=SC2086
                timed "$set_name.torchsight" java ${JAVA_OPTS:-} -jar target/torchsight.jar tsne \
                    --input "$rows" --labels "$labels" --threads "$THREADS" --perplexity 30 --iterations 1000 \
                    --no-pca --seed 0 $TORCHSIGHT_ARGS --out "$OUT/$set_name.torchsight.png" \
                    --embedding-out "$OUT/$set_name.torchsight.csv" --quiet || continue
                embeddings+=("torchsight=$OUT/$set_name.torchsight.csv") ;;
            fitsne)
                timed "$set_name.fitsne" $PY $HERE/race_fitsne.py "$rows" "$OUT/$set_name.fitsne.npy" \
                    "$THREADS" "$FITSNE_DIR" || continue
                embeddings+=("fitsne=$OUT/$set_name.fitsne.npy") ;;
            sklearn)
                if (( n > SKLEARN_MAX_ROWS )); then
                    echo "  sklearn skipped: $n rows is more than SKLEARN_MAX_ROWS=$SKLEARN_MAX_ROWS (its Barnes-Hut"
                    echo "  takes hours here; about 68 s at 10,000 rows and O(N log N) beyond)"
                    continue
                fi
                timed "$set_name.sklearn" $PY $HERE/race_sklearn.py "$rows" "$OUT/$set_name.sklearn.npy" \
                    "$THREADS" || continue
                embeddings+=("sklearn=$OUT/$set_name.sklearn.npy") ;;
            *) echo "unknown tool '$tool'" >&2; exit 2 ;;
        esac
        wall[$tool]=$(wall_of "$OUT/$set_name.$tool.time")
        rss[$tool]=$(rss_of "$OUT/$set_name.$tool.time")
        printf '  %-10s wall %8.2f s   peak RSS %6d MB   (%s)\n' "$tool" "${wall[$tool]}" "${rss[$tool]}" \
            "$(grep -h -m1 -E '^t-SNE of|wall_s=' "$OUT/$set_name.$tool.log" || true)"
    done
    echo "   load after:  $(uptime | sed 's/.*load average/load average/')"
    if [[ -n ${wall[torchsight]:-} ]]; then
        [[ -n ${wall[fitsne]:-} ]] && echo "  ratio torchsight/FIt-SNE wall:      $(ratio "${wall[torchsight]}" "${wall[fitsne]}")   peak RSS: $(ratio "${rss[torchsight]}" "${rss[fitsne]}")"
        [[ -n ${wall[sklearn]:-} ]] && echo "  ratio torchsight/scikit-learn wall: $(ratio "${wall[torchsight]}" "${wall[sklearn]}")   peak RSS: $(ratio "${rss[torchsight]}" "${rss[sklearn]}")"
    fi
    if [[ ${#embeddings[@]} -gt 0 ]]; then
        $PY $HERE/race_eval.py "$rows" "$labels" "$THREADS" "${embeddings[@]}" | sed 's/^/  /'
    fi
    # One line per program for tables: size, program, wall, RSS.
    for tool in "${!wall[@]}"; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$set_name" "$tool" "${wall[$tool]}" "${rss[$tool]}" >> "$OUT/race.tsv"
    done
    unset wall rss
done
