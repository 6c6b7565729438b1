#include "quadtree.h"
#include "torchsight/tsne_kernels.h"

#include <algorithm>
#include <cmath>

namespace torchsight {

namespace {
constexpr int kBits = 21;  // bits per axis in the Morton code: max depth of the tree


uint64_t spread2(uint64_t v) {  // interleave for 2-D: bit i goes to bit 2i
    v &= 0x1fffff;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;
    return v;
}
}  // namespace

void QuadTree::build(int n, const double* y) {
    y_ = y;
    double bounds[4];
    kernels::embedding_bounds(n, y, bounds);
    const double min_x = bounds[0], min_y = bounds[2];
    double side = std::max(bounds[1] - bounds[0], bounds[3] - bounds[2]);
    if (!(side > 0)) side = 1.0;
    side *= 1.0 + 1e-9;
    const double scale = static_cast<double>(1u << kBits) / side;
    const uint64_t max_q = (1u << kBits) - 1;
    keyed_.resize(n);
    for (int i = 0; i < n; i++) {
        uint64_t qx = std::min<uint64_t>(max_q, static_cast<uint64_t>((y[2 * i] - min_x) * scale));
        uint64_t qy = std::min<uint64_t>(max_q, static_cast<uint64_t>((y[2 * i + 1] - min_y) * scale));
        keyed_[i] = {spread2(qx) | (spread2(qy) << 1), i};
    }
    std::sort(keyed_.begin(), keyed_.end());  // ties broken by index: deterministic
    codes_.resize(n);
    order_.resize(n);
    for (int i = 0; i < n; i++) {
        codes_[i] = keyed_[i].first;
        order_[i] = keyed_[i].second;
    }
    nodes_.clear();
    build_range(0, n, 0, side);
}

int32_t QuadTree::build_range(int32_t lo, int32_t hi, int level, double width) {
    const int32_t index = static_cast<int32_t>(nodes_.size());
    nodes_.push_back(QuadNode{0, 0, width * width, hi - lo, 0, lo, 0});
    const bool leaf = (hi - lo == 1) || level == kBits || codes_[lo] == codes_[hi - 1];
    if (leaf) {
        double sx = 0, sy = 0;
        for (int32_t r = lo; r < hi; r++) {
            sx += y_[2 * order_[r]];
            sy += y_[2 * order_[r] + 1];
        }
        QuadNode& node = nodes_[index];
        node.cx = sx / (hi - lo);
        node.cy = sy / (hi - lo);
        node.leaf = 1;
        node.next = index + 1;
        return index;
    }
    // Children are contiguous Morton ranges keyed by the two bits of this level.
    const int shift = 2 * (kBits - 1 - level);
    double sx = 0, sy = 0;
    int32_t start = lo;
    while (start < hi) {
        const uint64_t quadrant = (codes_[start] >> shift) & 3u;
        int32_t end = start + 1;
        while (end < hi && ((codes_[end] >> shift) & 3u) == quadrant) end++;
        int32_t child = build_range(start, end, level + 1, width * 0.5);
        sx += nodes_[child].cx * (end - start);
        sy += nodes_[child].cy * (end - start);
        start = end;
    }
    QuadNode& node = nodes_[index];
    node.cx = sx / (hi - lo);
    node.cy = sy / (hi - lo);
    node.next = static_cast<int32_t>(nodes_.size());
    return index;
}

}  // namespace torchsight
