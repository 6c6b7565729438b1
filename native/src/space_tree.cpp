#include "space_tree.h"

#include <algorithm>
#include <cmath>

namespace torchsight {

namespace {
constexpr int kBits = 21;  // bits per axis in the Morton code (63 bits in 3-D): max depth of the tree

uint64_t spread2(uint64_t v) {  // interleave for 2-D: bit i goes to bit 2i
    v &= 0x1fffff;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;
    return v;
}

uint64_t spread3(uint64_t v) {  // interleave for 3-D: bit i goes to bit 3i
    v &= 0x1fffff;
    v = (v | (v << 32)) & 0x001F00000000FFFFULL;
    v = (v | (v << 16)) & 0x001F0000FF0000FFULL;
    v = (v | (v << 8)) & 0x100F00F00F00F00FULL;
    v = (v | (v << 4)) & 0x10C30C30C30C30C3ULL;
    v = (v | (v << 2)) & 0x1249249249249249ULL;
    return v;
}

template <int D>
uint64_t morton(const uint64_t* q) {
    if constexpr (D == 2) {
        return spread2(q[0]) | (spread2(q[1]) << 1);
    } else {
        return spread3(q[0]) | (spread3(q[1]) << 1) | (spread3(q[2]) << 2);
    }
}
}  // namespace

template <int D>
void SpaceTree<D>::build(int n, const double* y) {
    y_ = y;
    double lo[D], hi[D];
    for (int c = 0; c < D; c++) lo[c] = hi[c] = y[c];
    for (int i = 1; i < n; i++) {
        for (int c = 0; c < D; c++) {
            lo[c] = std::min(lo[c], y[D * i + c]);
            hi[c] = std::max(hi[c], y[D * i + c]);
        }
    }
    double side = 0;
    for (int c = 0; c < D; c++) side = std::max(side, hi[c] - lo[c]);
    if (!(side > 0)) side = 1.0;
    side *= 1.0 + 1e-9;
    const double scale = static_cast<double>(1u << kBits) / side;
    const uint64_t max_q = (1u << kBits) - 1;
    keyed_.resize(n);
    for (int i = 0; i < n; i++) {
        uint64_t q[D];
        for (int c = 0; c < D; c++) {
            q[c] = std::min<uint64_t>(max_q, static_cast<uint64_t>((y[D * i + c] - lo[c]) * scale));
        }
        keyed_[i] = {morton<D>(q), i};
    }
    sort_keys();
    codes_.resize(n);
    order_.resize(n);
    for (int i = 0; i < n; i++) {
        codes_[i] = keyed_[i].first;
        order_[i] = keyed_[i].second;
    }
    nodes_.clear();
    build_range(0, n, 0, side);
}

/**
 * Stable LSD radix sort of keyed_ by code, 11 bits a pass (4 passes in 2-D, 6 in 3-D; a pass where every
 * key has the same digit is skipped). Keys start in index order, so ties stay in index order: the same
 * order as sorting (code, index) pairs, at a third of std::sort's time for 60,000 points.
 */
template <int D>
void SpaceTree<D>::sort_keys() {
    constexpr int kDigitBits = 11;
    constexpr uint64_t kMask = (1u << kDigitBits) - 1;
    const size_t n = keyed_.size();
    spare_.resize(n);
    std::vector<int32_t>& counts = counts_;
    for (int shift = 0; shift < D * kBits; shift += kDigitBits) {
        counts.assign(kMask + 1, 0);
        for (size_t i = 0; i < n; i++) counts[(keyed_[i].first >> shift) & kMask]++;
        if (counts[(keyed_[0].first >> shift) & kMask] == static_cast<int32_t>(n)) continue;
        int32_t offset = 0;
        for (auto& c : counts) {
            const int32_t here = c;
            c = offset;
            offset += here;
        }
        for (size_t i = 0; i < n; i++) spare_[counts[(keyed_[i].first >> shift) & kMask]++] = keyed_[i];
        keyed_.swap(spare_);
    }
}

template <int D>
int32_t SpaceTree<D>::build_range(int32_t lo, int32_t hi, int level, double width) {
    const int32_t index = static_cast<int32_t>(nodes_.size());
    TreeNode<D> fresh{};
    fresh.width_sq = width * width;
    fresh.count = hi - lo;
    fresh.first = lo;
    nodes_.push_back(fresh);
    double sum[D] = {};
    const bool leaf = (hi - lo == 1) || level == kBits || codes_[lo] == codes_[hi - 1];
    if (leaf) {
        for (int32_t r = lo; r < hi; r++) {
            for (int c = 0; c < D; c++) sum[c] += y_[D * order_[r] + c];
        }
        TreeNode<D>& node = nodes_[index];
        for (int c = 0; c < D; c++) node.c[c] = sum[c] / (hi - lo);
        node.leaf = 1;
        node.next = index + 1;
        return index;
    }
    // Children are contiguous Morton ranges keyed by the D bits of this level.
    const int shift = D * (kBits - 1 - level);
    const uint64_t mask = (1u << D) - 1;
    int32_t start = lo;
    while (start < hi) {
        const uint64_t octant = (codes_[start] >> shift) & mask;
        int32_t end = start + 1;
        while (end < hi && ((codes_[end] >> shift) & mask) == octant) end++;
        const int32_t child = build_range(start, end, level + 1, width * 0.5);
        for (int c = 0; c < D; c++) sum[c] += nodes_[child].c[c] * (end - start);
        start = end;
    }
    TreeNode<D>& node = nodes_[index];
    for (int c = 0; c < D; c++) node.c[c] = sum[c] / (hi - lo);
    node.next = static_cast<int32_t>(nodes_.size());
    return index;
}

template class SpaceTree<2>;
template class SpaceTree<3>;

}  // namespace torchsight
