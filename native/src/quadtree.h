// Barnes-Hut quadtree over a 2-D embedding, flattened in depth-first order for stackless traversal.
#pragma once
#include <cstdint>
#include <vector>

namespace torchsight {

/** One cell: centre of mass, squared side length, point count, and the index after its subtree. */
struct QuadNode {
    double cx, cy;
    double width_sq;
    int32_t count;
    int32_t next;   // first node after this subtree: where traversal goes when the cell is summarised
    int32_t first;  // rank (in Morton order) of the cell's first point
    int32_t leaf;   // 1 when the cell is not subdivided (one point, or coincident points at max depth)
};

/** Quadtree rebuilt each iteration; reuses its buffers so a steady-state step allocates nothing. */
class QuadTree {
public:
    /** Builds over n points y (n x 2). order() then lists point indices in Morton order. */
    void build(int n, const double* y);
    const std::vector<QuadNode>& nodes() const { return nodes_; }
    const std::vector<int32_t>& order() const { return order_; }

private:
    int32_t build_range(int32_t lo, int32_t hi, int level, double width);
    std::vector<uint64_t> codes_;
    std::vector<std::pair<uint64_t, int32_t>> keyed_;
    std::vector<int32_t> order_;
    std::vector<QuadNode> nodes_;
    const double* y_ = nullptr;
};

}  // namespace torchsight
