// Per-thread bodies of the t-SNE step, shared by the CPU backend, the CUDA kernels and the host
// emulation of the CUDA algorithms. A CUDA kernel is a thin launch wrapper around one of these
// functions, so CPU tests run the arithmetic the GPU runs. Not mapped by JavaCPP.
#pragma once
#include "torchsight/tsne_math.h"

#include <cmath>
#include <cstdint>

namespace torchsight {
namespace kernels {

/** Points per shared-memory tile of the exact repulsion kernel (also its block size). */
constexpr int kTile = 256;
/** Depth of the implicit quadtree: 16 bits per axis in a 32-bit Morton code. */
constexpr int kTreeLevels = 16;
/** A cell with at most this many points is summed point by point instead of being opened. */
constexpr int kDirectMax = 16;
/** Fixed-point scale of the coordinates whose prefix sums give each cell's centre of mass. */
constexpr double kFixedScale = 4294967296.0;  // 2^32 units per bounding-box side

/**
 * The heavy-tailed kernel w = (1 + d^2 / a)^(-a) (a = dof > 0; a = 1 is t-SNE's Cauchy kernel) through its
 * root w^(1/a) = 1 / (1 + d^2 / a): the attractive force needs only the root, the repulsive one w times the
 * root. The sum starts at 1 and adds each axis's d_c^2 / a, so for a = 1 (inv_dof exactly 1) it rounds as
 * 1 / (1 + dx^2 + dy^2) does; kUnit (a = 1) skips the multiplications by 1 (a quarter of the attractive
 * term's time at 10,000 points).
 */
template <int D, bool kUnit = false>
TS_HD double kernel_root(const double* a, const double* b, double inv_dof, double* diff) {
    for (int c = 0; c < D; c++) diff[c] = a[c] - b[c];
    double s = 1.0;
    for (int c = 0; c < D; c++) {
        if constexpr (kUnit) {
            s += diff[c] * diff[c];
        } else {
            s += diff[c] * diff[c] * inv_dof;
        }
    }
    return 1.0 / s;
}

/** w from its root w^(1/a): the root itself for dof 1, without a pow. */
TS_HD double kernel_from_root(double root, double dof) { return dof == 1.0 ? root : pow(root, dof); }

/**
 * sum_e vals[e] w^(1/a) (y_rows_i - y_cols_j) over CSR row i into out[D]: the attractive term. y_rows and
 * y_cols are the same array for a fit, the new points and the reference map when placing points.
 */
template <int D, bool kUnit = false>
TS_HD void attractive_row_nd(int i, const int64_t* row_ptr, const int32_t* cols, const double* vals,
                             const double* y_rows, const double* y_cols, double inv_dof, double* out) {
    double acc[D], diff[D];
    for (int c = 0; c < D; c++) acc[c] = 0;
    const double* yi = &y_rows[static_cast<int64_t>(D) * i];
    for (int64_t e = row_ptr[i]; e < row_ptr[i + 1]; e++) {
        const double pw =
            vals[e] * kernel_root<D, kUnit>(yi, &y_cols[static_cast<int64_t>(D) * cols[e]], inv_dof, diff);
        for (int c = 0; c < D; c++) acc[c] += pw * diff[c];
    }
    for (int c = 0; c < D; c++) out[c] = acc[c];
}

/** KL(P||Q) contribution of row i, with q_ij = w_ij * inv_z. */
template <int D>
TS_HD double kl_row_nd(int i, const int64_t* row_ptr, const int32_t* cols, const double* vals, const double* y,
                       double dof, double inv_z) {
    const double inv_dof = 1.0 / dof;
    double diff[D];
    double kl = 0;
    const double* yi = &y[static_cast<int64_t>(D) * i];
    for (int64_t e = row_ptr[i]; e < row_ptr[i + 1]; e++) {
        const double root = kernel_root<D>(yi, &y[static_cast<int64_t>(D) * cols[e]], inv_dof, diff);
        kl += math::kl_term(vals[e], kernel_from_root(root, dof) * inv_z);
    }
    return kl;
}

/** 2-D, dof 1 attractive term sum_j p_ij w_ij (y_i - y_j) of row i (the CUDA session's). */
TS_HD void attractive_row(int i, const int64_t* row_ptr, const int32_t* cols, const double* vals, const double* y,
                          double* fx, double* fy) {
    double out[2];
    attractive_row_nd<2, true>(i, row_ptr, cols, vals, y, y, 1.0, out);
    *fx = out[0];
    *fy = out[1];
}

/** 2-D, dof 1 KL(P||Q) contribution of row i (the CUDA session's). */
TS_HD double kl_row(int i, const int64_t* row_ptr, const int32_t* cols, const double* vals, const double* y,
                    double inv_z) {
    return kl_row_nd<2>(i, row_ptr, cols, vals, y, 1.0, inv_z);
}

/** One coordinate of dC/dy with scikit-learn's scaling: 4 (exaggeration F_attr - F_rep / Z). */
TS_HD double gradient_coordinate(double attr, double rep, double exaggeration, double inv_z) {
    return 4.0 * (exaggeration * attr - rep * inv_z);
}

/**
 * Gains + momentum step on one coordinate, in place. Returns the squared gained gradient, whose sum is
 * the norm scikit-learn stops on.
 */
TS_HD double update_coordinate(double* y, double* update, double* gain, double grad, double momentum,
                               double learning_rate, double min_gain) {
    const double g = math::next_gain(*gain, *update, grad, min_gain);
    *gain = g;
    *update = math::momentum_step(*update, g * grad, momentum, learning_rate);
    *y += *update;
    return (g * grad) * (g * grad);
}

/**
 * Float reciprocal. On the device the fast approximate instruction (error within 2 ulp) replaces the
 * IEEE division sequence: the exact repulsion issues one per pair, and the host's correctly rounded
 * division agrees with it to about 1e-7.
 */
TS_HD float reciprocal(float v) {
#if defined(__CUDA_ARCH__)
    return __fdividef(1.0f, v);
#else
    return 1.0f / v;
#endif
}

/**
 * Exact repulsion of one point against one tile of points stored as interleaved (x, y) floats, in float:
 * adds sum_j w^2 (p - t_j) to fx, fy and sum_j w to z, with w = 1 / (1 + |p - t_j|^2). The point's own
 * entry (if in the tile) adds 0 force and exactly 1 to z, which the caller subtracts once. Callers
 * accumulate tiles in double, so float rounding stays within one tile's sum.
 */
TS_HD void repulsion_tile(float xi, float yi, const float* tile_xy, int count, float* fx, float* fy, float* z) {
    float ax = 0, ay = 0, az = 0;
#if defined(__CUDA_ARCH__)
#pragma unroll 8
#endif
    for (int j = 0; j < count; j++) {
        const float dx = xi - tile_xy[2 * j], dy = yi - tile_xy[2 * j + 1];
        const float w = reciprocal(1.0f + dx * dx + dy * dy);
        ax += w * w * dx;
        ay += w * w * dy;
        az += w;
    }
    *fx = ax;
    *fy = ay;
    *z = az;
}

/** Spreads the low 16 bits of v to the even bit positions. */
TS_HD uint32_t spread_bits(uint32_t v) {
    v &= 0xFFFFu;
    v = (v | (v << 8)) & 0x00FF00FFu;
    v = (v | (v << 4)) & 0x0F0F0F0Fu;
    v = (v | (v << 2)) & 0x33333333u;
    v = (v | (v << 1)) & 0x55555555u;
    return v;
}

/** Inverse of spread_bits: gathers the even bit positions into the low 16 bits. */
TS_HD uint32_t compact_bits(uint32_t v) {
    v &= 0x55555555u;
    v = (v | (v >> 1)) & 0x33333333u;
    v = (v | (v >> 2)) & 0x0F0F0F0Fu;
    v = (v | (v >> 4)) & 0x00FF00FFu;
    v = (v | (v >> 8)) & 0x0000FFFFu;
    return v;
}

/** The square bounding box of the implicit quadtree: origin and side (side > 0 even for one point). */
struct TreeBox {
    double x0, y0, side;
};

/** Sums len values in index order on the host: the same total for any thread count. */
inline double ordered_sum(const double* values, int64_t len) {
    double total = 0;
    for (int64_t c = 0; c < len; c++) total += values[c];
    return total;
}

/** Extent of n points (n >= 1) as {min x, max x, min y, max y}; the device computes it in bounds_kernel. */
inline void embedding_bounds(int n, const double* y, double bounds[4]) {
    bounds[0] = bounds[1] = y[0];
    bounds[2] = bounds[3] = y[1];
    for (int i = 1; i < n; i++) {
        bounds[0] = y[2 * i] < bounds[0] ? y[2 * i] : bounds[0];
        bounds[1] = y[2 * i] > bounds[1] ? y[2 * i] : bounds[1];
        bounds[2] = y[2 * i + 1] < bounds[2] ? y[2 * i + 1] : bounds[2];
        bounds[3] = y[2 * i + 1] > bounds[3] ? y[2 * i + 1] : bounds[3];
    }
}

/** The box over the points' extent; a single distinct point still gets side 1. */
TS_HD TreeBox make_box(double min_x, double max_x, double min_y, double max_y) {
    double side = max_x - min_x > max_y - min_y ? max_x - min_x : max_y - min_y;
    if (!(side > 0)) side = 1.0;
    return TreeBox{min_x, min_y, side};
}

/** Quantises a coordinate into [0, 2^16) cells of the box along one axis. */
TS_HD uint32_t cell_coordinate(double v, double origin, double side) {
    double q = (v - origin) / side * 65536.0;
    if (q < 0) q = 0;
    if (q > 65535.0) q = 65535.0;
    return static_cast<uint32_t>(q);
}

/** Morton code of a point: 16 interleaved bits per axis, x in the even bits. */
TS_HD uint32_t morton_code(double x, double y, const TreeBox& box) {
    return spread_bits(cell_coordinate(x, box.x0, box.side)) | (spread_bits(cell_coordinate(y, box.y0, box.side)) << 1);
}

/** Fixed-point offset of a coordinate in the box: integer prefix sums are exact and order-independent. */
TS_HD int64_t fixed_point(double v, double origin, double side) {
    return static_cast<int64_t>((v - origin) / side * kFixedScale);
}

/**
 * The implicit quadtree: points sorted by Morton code. A cell at level L is the run of points sharing
 * the code's top 2L bits; its count and centre of mass come from two binary searches and the prefix
 * sums, so building the tree costs one sort and one integer scan.
 */
struct TreeView {
    const uint32_t* codes;  // n sorted Morton codes
    const double* x;        // n sorted x coordinates
    const double* y;        // n sorted y coordinates
    const int64_t* sum_x;   // n + 1 prefix sums of fixed-point x (sum_x[0] = 0)
    const int64_t* sum_y;   // n + 1 prefix sums of fixed-point y
    int n;
    TreeBox box;
};

/** First rank in [lo, hi) whose code is >= key (hi when none). */
TS_HD int lower_bound(const uint32_t* codes, int lo, int hi, uint64_t key) {
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (codes[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/** The force terms of `count` points at squared distance d2 (offset dx, dy) added to fx, fy, z. */
TS_HD void add_interaction(double dx, double dy, double count, double* fx, double* fy, double* z) {
    const double w = 1.0 / (1.0 + dx * dx + dy * dy);
    const double cw = count * w;
    *z += cw;
    *fx += cw * w * dx;
    *fy += cw * w * dy;
}

/**
 * Barnes-Hut repulsion on the point of rank r: a depth-first walk that summarises a cell when its side is
 * below theta times (distance to its centre of mass - that centre's offset from the cell's centre), never
 * summarises a cell holding the point, and sums
 * small or deepest cells point by point. Outputs sum_j w^2 (y_r - y_j) and sum_{j != r} w.
 */
TS_HD void tree_repulsion(const TreeView& t, int r, double theta, double* out_fx, double* out_fy, double* out_z) {
    struct Cell {
        int level;
        uint32_t prefix;
        int lo, hi;
    };
    Cell stack[3 * kTreeLevels + 4];
    int top = 0;
    stack[top++] = Cell{0, 0u, 0, t.n};
    const double xi = t.x[r], yi = t.y[r];
    const uint32_t code = t.codes[r];
    const double unit = t.box.side / kFixedScale;
    const double theta_sq = theta * theta;
    double fx = 0, fy = 0, z = 0;
    while (top > 0) {
        const Cell c = stack[--top];
        const int count = c.hi - c.lo;
        if (count == 0) continue;
        const bool holds_point = c.level == 0 || (code >> (2 * (kTreeLevels - c.level))) == c.prefix;
        if (!holds_point) {
            const double cx = t.box.x0 + static_cast<double>(t.sum_x[c.hi] - t.sum_x[c.lo]) * unit / count;
            const double cy = t.box.y0 + static_cast<double>(t.sum_y[c.hi] - t.sum_y[c.lo]) * unit / count;
            const double dx = xi - cx, dy = yi - cy;
            double side = t.box.side;
            for (int l = 0; l < c.level; l++) side *= 0.5;
            // Salmon & Warren's criterion: the distance is reduced by how far the centre of mass sits from
            // the cell's centre, so a lopsided cell next to the point is opened rather than summarised.
            const double gx = t.box.x0 + (compact_bits(c.prefix) + 0.5) * side;
            const double gy = t.box.y0 + (compact_bits(c.prefix >> 1) + 0.5) * side;
            const double offset = sqrt((cx - gx) * (cx - gx) + (cy - gy) * (cy - gy));
            const double reach = sqrt(dx * dx + dy * dy) - offset;
            if (reach > 0 && side * side < theta_sq * reach * reach) {
                add_interaction(dx, dy, count, &fx, &fy, &z);
                continue;
            }
        }
        if (count <= kDirectMax || c.level == kTreeLevels) {
            for (int j = c.lo; j < c.hi; j++) {
                if (j != r) add_interaction(xi - t.x[j], yi - t.y[j], 1.0, &fx, &fy, &z);
            }
            continue;
        }
        const int shift = 2 * (kTreeLevels - c.level - 1);
        const uint32_t first_child = c.prefix << 2;
        const int b1 = lower_bound(t.codes, c.lo, c.hi, static_cast<uint64_t>(first_child + 1) << shift);
        const int b2 = lower_bound(t.codes, b1, c.hi, static_cast<uint64_t>(first_child + 2) << shift);
        const int b3 = lower_bound(t.codes, b2, c.hi, static_cast<uint64_t>(first_child + 3) << shift);
        // Pushed in reverse so that children are visited in Morton order.
        stack[top++] = Cell{c.level + 1, first_child + 3, b3, c.hi};
        stack[top++] = Cell{c.level + 1, first_child + 2, b2, b3};
        stack[top++] = Cell{c.level + 1, first_child + 1, b1, b2};
        stack[top++] = Cell{c.level + 1, first_child, c.lo, b1};
    }
    *out_fx = fx;
    *out_fy = fy;
    *out_z = z;
}

}  // namespace kernels
}  // namespace torchsight
