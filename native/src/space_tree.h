// Barnes-Hut space-partitioning tree over a 2-D (quadtree) or 3-D (octree) embedding, flattened in
// depth-first order for stackless traversal.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace torchsight {

/** One cell: centre of mass, squared side length, point count, and the index after its subtree. */
template <int D>
struct TreeNode {
    double c[D];    // centre of mass
    double width_sq;
    int32_t count;
    int32_t next;   // first node after this subtree: where traversal goes when the cell is summarised
    int32_t first;  // rank (in Morton order) of the cell's first point
    int32_t leaf;   // 1 when the cell is not subdivided (one point, or coincident points at max depth)
};

/**
 * Tree rebuilt each iteration (D = 2 or 3); reuses its buffers so a steady-state step allocates
 * nothing. Cells split in 2^D children keyed by the bits of a Morton code, 21 bits per axis.
 */
template <int D>
class SpaceTree {
public:
    /** Builds over n >= 1 points y (n x D). order() then lists point indices in Morton order. */
    void build(int n, const double* y);
    const std::vector<TreeNode<D>>& nodes() const { return nodes_; }
    const std::vector<int32_t>& order() const { return order_; }

private:
    void sort_keys();
    int32_t build_range(int32_t lo, int32_t hi, int level, double width);
    std::vector<uint64_t> codes_;
    std::vector<std::pair<uint64_t, int32_t>> keyed_, spare_;
    std::vector<int32_t> counts_;
    std::vector<int32_t> order_;
    std::vector<TreeNode<D>> nodes_;
    const double* y_ = nullptr;
};

extern template class SpaceTree<2>;
extern template class SpaceTree<3>;

}  // namespace torchsight
