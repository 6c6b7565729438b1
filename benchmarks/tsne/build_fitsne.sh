#!/usr/bin/env bash
# Builds FIt-SNE 1.2.1's fast_tsne binary (github.com/KlugerLab/FIt-SNE, tag v1.2.1) with g++ and Debian's
# libfftw3-dev, as its README says, into target/fitsne/ (sources in target/fitsne/src, never committed).
# FITSNE_REPO may name a local clone (or bare git directory) to take the tag from; otherwise it is cloned.
# Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=${FITSNE_DIR:-target/fitsne}
TAG=v1.2.1
# FITSNE_CXXFLAGS adds compiler flags (e.g. -march=native, which lets Annoy use AVX); default: none.
STAMP="$TAG ${FITSNE_CXXFLAGS:-}"
BIN=$DEST/bin/fast_tsne
if [[ -x $BIN && -f $DEST/.tag && $(cat "$DEST/.tag") == "$STAMP" ]]; then
    echo "$BIN"; exit 0
fi
rm -rf "$DEST/src"; mkdir -p "$DEST/src" "$DEST/bin"
if [[ -n ${FITSNE_REPO:-} ]]; then
    git --git-dir="$(git -C "$FITSNE_REPO" rev-parse --absolute-git-dir)" archive "$TAG" | tar -x -C "$DEST/src"
else
    git clone -q --depth 1 --branch "$TAG" https://github.com/KlugerLab/FIt-SNE.git "$DEST/src"
fi
grep -q 'version_number\[\] *= *"1.2.1"' "$DEST/src/src/tsne.cpp" || { echo "not FIt-SNE 1.2.1" >&2; exit 1; }
# The README's Linux recipe (g++ -std=c++11 -O3 ... -pthread -lfftw3 -lm); -march is left at g++'s default
# as theirs is (so Annoy's distance loops use no AVX) unless FITSNE_CXXFLAGS says otherwise.
# shellcheck disable=SC2086
g++ -std=c++11 -O3 ${FITSNE_CXXFLAGS:-} "$DEST/src/src/sptree.cpp" "$DEST/src/src/tsne.cpp" "$DEST/src/src/nbodyfft.cpp" \
    -o "$BIN" -pthread -lfftw3 -lm -Wno-address-of-packed-member
cp "$DEST/src/fast_tsne.py" "$DEST/fast_tsne.py"
echo "$STAMP" > "$DEST/.tag"
echo "$BIN"
