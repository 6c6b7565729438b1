// Interpolation math of the FFT-accelerated repulsion (Linderman et al. 2019, "FIt-SNE"), shared by the
// CPU implementation, the CUDA kernels and the host emulation of the CUDA path. Not mapped by JavaCPP.
//
// The embedding's bounding square is cut into boxes x boxes intervals of width w; each interval holds p
// equispaced interpolation nodes at (k + 0.5) w / p, so the nodes form one uniform grid of N = boxes * p
// nodes per axis with spacing h = w / p. A source point spreads a unit charge onto the p x p nodes of its
// box with Lagrange weights; three kernels are convolved with the charges on the node grid (by FFT over
// a 2N x 2N circulant embedding); a target point reads the three potentials back with the same weights:
//   phi_1 = sum_s K1(t - s)            (the row of Z),        K1(d) = (1 + |d|^2 / dof)^-dof
//   phi_x = sum_s K2(t - s) (t - s)_x  (the repulsive force), K2(d) = (1 + |d|^2 / dof)^-(dof + 1)
//   phi_y = sum_s K2(t - s) (t - s)_y
// Interpolating the force kernels directly (instead of t * sum K2 - sum K2 s) avoids the cancellation
// of large terms that single-precision grids would otherwise suffer in wide embeddings.
//
// Kernel spectra: K1 is even in both axes, so its DFT is real; K_x (odd in x, even in y) and K_y have
// purely imaginary DFTs, and K_y(dx, dy) = K_x(dy, dx), so its spectrum is K_x's with the frequencies
// swapped. Both devices transform K1 and K_x only, and keep three real spectra.
#pragma once
#include "torchsight/tsne_math.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace torchsight {
namespace fft {

/** Largest number of interpolation nodes per interval the fixed-size weight arrays hold. */
constexpr int kMaxNodes = 8;

/** Most intervals per axis (about 1 GB of CPU buffers at 3 nodes): wider maps get wider intervals. */
constexpr int kMaxIntervals = 1000;

/** FIt-SNE's defaults (the CUDA session's fixed setting): nodes per interval, intervals per unit, minimum. */
constexpr int kDefaultNodes = 3;
constexpr double kDefaultIntervalsPerUnit = 1.0;
constexpr int kDefaultMinIntervals = 50;

/** The interpolation grid of one call. Node (i, j) of axis x sits at x0 + (i + 0.5) h. */
struct Layout {
    double x0, y0;      // lower corner of the covered square
    double width;       // interval (box) width w
    double inv_width;   // 1 / w
    int boxes;          // intervals per axis
    int p;              // nodes per interval
    int n;              // nodes per axis, boxes * p
};

/** Smallest m >= v whose only prime factors are 2, 3, 5 and 7 (fast FFT sizes). */
inline int smooth_at_least(int v) {
    for (int m = v < 1 ? 1 : v;; m++) {
        int r = m;
        for (int f = 2; f <= 7; f++) {
            while (r % f == 0) r /= f;  // 4 and 6 never divide what 2 and 3 left
        }
        if (r == 1) return m;
    }
}

/**
 * The grid covering the bounds {min x, max x, min y, max y}. Intervals are 1 / intervals_per_unit wide,
 * or, where that gives fewer than min_intervals across the wider side, narrower by a power of 2^(1/8)
 * (min_intervals above kMaxIntervals counts as kMaxIntervals; a map wider than kMaxIntervals intervals
 * gets wider intervals):
 * widths from a fixed ladder repeat between calls, so a kernel spectrum can be reused while the number
 * of intervals (rounded up to a fast FFT size) stays the same. The grid starts at the lower bounds and
 * may extend past the upper ones.
 */
inline Layout make_layout(const double bounds[4], int p, double intervals_per_unit, int min_intervals) {
    double span = bounds[1] - bounds[0] > bounds[3] - bounds[2] ? bounds[1] - bounds[0] : bounds[3] - bounds[2];
    if (!(span > 1e-9)) span = 1e-9;
    min_intervals = min_intervals < 1 ? 1 : (min_intervals > kMaxIntervals ? kMaxIntervals : min_intervals);
    double width = 1.0 / intervals_per_unit;
    if (span / width < min_intervals) {
        const int steps = static_cast<int>(std::ceil(8.0 * std::log2(width * min_intervals / span)));
        width = std::ldexp(std::exp2(-(steps % 8) / 8.0), -(steps / 8)) / intervals_per_unit;
    }
    // Memory grows with the square of the intervals: past kMaxIntervals the intervals widen instead.
    if (span * (1 + 1e-9) / width > kMaxIntervals) width = span * (1 + 1e-9) / kMaxIntervals;
    const double wanted = std::ceil(span * (1 + 1e-9) / width);
    int boxes = wanted < min_intervals ? min_intervals : static_cast<int>(wanted);
    boxes = smooth_at_least(boxes < kMaxIntervals ? boxes : kMaxIntervals);
    Layout g;
    g.boxes = boxes;
    g.p = p;
    g.n = boxes * p;
    g.width = width;
    g.inv_width = 1.0 / width;
    g.x0 = bounds[0];
    g.y0 = bounds[2];
    return g;
}

/** Heavy-tailed kernels at squared distance d2: K1 = (1 + d2/dof)^-dof, K2 = (1 + d2/dof)^-(dof+1). */
TS_HD void kernels_at(double d2, double dof, double* k1, double* k2) {
    if (dof == 1.0) {
        const double w = 1.0 / (1.0 + d2);
        *k1 = w;
        *k2 = w * w;
    } else {
        const double base = 1.0 + d2 / dof;
        const double w = pow(base, -dof);
        *k1 = w;
        *k2 = w / base;
    }
}

/** Interval index of coordinate v along an axis starting at origin, clamped into [0, boxes). */
TS_HD int interval_of(double v, double origin, const Layout& g) {
    int b = static_cast<int>((v - origin) * g.inv_width);
    return b < 0 ? 0 : (b >= g.boxes ? g.boxes - 1 : b);
}

/** Box id (row-major: y interval * boxes + x interval) of a point. */
TS_HD int box_of(double x, double y, const Layout& g) {
    return interval_of(y, g.y0, g) * g.boxes + interval_of(x, g.x0, g);
}

/**
 * Lagrange weights of the P nodes (k + 0.5) / P of the unit interval at local coordinate u:
 * w[k] = prod_{m != k} (u - u_m) / (u_k - u_m). In node units v = u P - 1/2 (node k at v = k) the
 * denominator is (-1)^(P-1-k) k! (P-1-k)!, so the weights are prefix and suffix products: no division.
 * P is a template parameter so that the loops unroll; callers dispatch on Layout::p once per call.
 */
template <int P>
TS_HD void lagrange_weights(double u, double* w) {
    const double inv_fact[kMaxNodes] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040};
    const double v = u * P - 0.5;
    double left = 1;
    for (int k = 0; k < P; k++) {
        w[k] = left;
        left *= v - k;
    }
    double right = 1;
    for (int k = P - 1; k >= 0; k--) {
        const double inv_den = inv_fact[k] * inv_fact[P - 1 - k];
        w[k] *= ((P - 1 - k) % 2 == 0 ? right : -right) * inv_den;
        right *= v - k;
    }
}

/** Weights of a point along one axis, given its interval b. */
template <int P>
TS_HD void axis_weights(double v, double origin, int b, const Layout& g, double* w) {
    lagrange_weights<P>((v - origin) * g.inv_width - b, w);
}

/**
 * Charges of one box: sums the Lagrange weights of its points (slots begin..end of sorted_xy, the
 * sources' coordinates sorted by box, stably) in that order, in double, and writes all P x P node values
 * (zeros for an empty box) as floats into grid (row stride `stride` floats). Every node belongs to
 * exactly one box, so boxes can be spread in parallel without atomics, and the result does not depend on
 * the thread count.
 */
template <int P>
TS_HD void spread_box(const Layout& g, int box, int begin, int end, const double* sorted_xy, float* grid,
                      int64_t stride) {
    const int bx = box % g.boxes, by = box / g.boxes;
    double acc[P * P];
    for (int k = 0; k < P * P; k++) acc[k] = 0;
    for (int r = begin; r < end; r++) {
        double wx[P], wy[P];
        axis_weights<P>(sorted_xy[2 * r], g.x0, bx, g, wx);
        axis_weights<P>(sorted_xy[2 * r + 1], g.y0, by, g, wy);
        for (int a = 0; a < P; a++) {
            for (int b = 0; b < P; b++) acc[a * P + b] += wy[a] * wx[b];
        }
    }
    float* base = grid + static_cast<int64_t>(by * P) * stride + bx * P;
    for (int a = 0; a < P; a++) {
        for (int b = 0; b < P; b++) base[a * stride + b] = static_cast<float>(acc[a * P + b]);
    }
}

/** Entries of a self table: K1 at the node offsets (dy, dx) in [-(P-1), P-1]^2. */
template <int P>
constexpr int kSelfEntries = (2 * P - 1) * (2 * P - 1);

/**
 * K1 between the nodes of one box for node spacing h, by node offset (dy, dx) in [-(P-1), P-1]^2 at index
 * (dy + P - 1) (2P - 1) + dx + P - 1 (not scaled).
 */
template <int P>
TS_HD void self_table(double h, double dof, double* table) {
    for (int i = 0; i < 2 * P - 1; i++) {
        for (int j = 0; j < 2 * P - 1; j++) {
            const double dy = (i - (P - 1)) * h, dx = (j - (P - 1)) * h;
            double k1, k2;
            kernels_at(dx * dx + dy * dy, dof, &k1, &k2);
            table[i * (2 * P - 1) + j] = k1;
        }
    }
}

/**
 * What a point's own charge adds to its phi_1 through the interpolation: sum over node pairs of the
 * spread weights times K1 between the nodes times the gather weights. It factors by node offset:
 * sum_{dy, dx} My[dy] Mx[dx] K1(dy, dx) with Mx[d] = sum_{b - e = d} wx[b] wx[e]. (Its share of phi_x and
 * phi_y is zero: the M are even in the offset and K_x, K_y odd.)
 */
template <int P>
TS_HD double self_potential(const double* wx, const double* wy, const double* k1) {
    double mx[2 * P - 1], my[2 * P - 1];
    for (int d = 0; d < 2 * P - 1; d++) mx[d] = my[d] = 0;
    for (int b = 0; b < P; b++) {
        for (int e = 0; e < P; e++) {
            mx[b - e + P - 1] += wx[b] * wx[e];
            my[b - e + P - 1] += wy[b] * wy[e];
        }
    }
    double s = 0;
    for (int i = 0; i < 2 * P - 1; i++) {
        double row = 0;
        for (int j = 0; j < 2 * P - 1; j++) row += mx[j] * k1[i * (2 * P - 1) + j];
        s += my[i] * row;
    }
    return s;
}

/**
 * Potentials at one target point: the P x P nodes of its box, weighted as in spread_box, of the three
 * potential grids (row stride `stride` floats), accumulated in double: out = {phi_1, phi_x, phi_y}.
 * With a self table (same source and target set), the point's own interpolated charge is taken out of
 * phi_1.
 */
template <int P>
TS_HD void gather_point(const Layout& g, double x, double y, const float* phi1, const float* phix, const float* phiy,
                        int64_t stride, const double* self, double* out) {
    const int bx = interval_of(x, g.x0, g), by = interval_of(y, g.y0, g);
    double wx[P], wy[P];
    axis_weights<P>(x, g.x0, bx, g, wx);
    axis_weights<P>(y, g.y0, by, g, wy);
    const int64_t base = static_cast<int64_t>(by * P) * stride + bx * P;
    double s1 = 0, sx = 0, sy = 0;
    for (int a = 0; a < P; a++) {
        double r1 = 0, rx = 0, ry = 0;
        const int64_t row = base + a * stride;
        for (int b = 0; b < P; b++) {
            r1 += wx[b] * phi1[row + b];
            rx += wx[b] * phix[row + b];
            ry += wx[b] * phiy[row + b];
        }
        s1 += wy[a] * r1;
        sx += wy[a] * rx;
        sy += wy[a] * ry;
    }
    if (self != nullptr) s1 -= self_potential<P>(wx, wy, self);
    out[0] = s1;
    out[1] = sx;
    out[2] = sy;
}

/**
 * Calls f(std::integral_constant<int, P>{}) for the layout's P in [2, kMaxNodes]: the one place a
 * run-time node count becomes the template parameter of the functions above.
 */
template <typename F>
inline void with_nodes(int p, F&& f) {
    switch (p) {
        case 2: f(std::integral_constant<int, 2>{}); break;
        case 3: f(std::integral_constant<int, 3>{}); break;
        case 4: f(std::integral_constant<int, 4>{}); break;
        case 5: f(std::integral_constant<int, 5>{}); break;
        case 6: f(std::integral_constant<int, 6>{}); break;
        case 7: f(std::integral_constant<int, 7>{}); break;
        default: f(std::integral_constant<int, 8>{}); break;
    }
}

/**
 * Circulant entries of the kernels at row r in [0, N] (the y offset r h; rows N+1..2N-1 mirror rows
 * 2N-r) and column c in [0, 2N) (the x offset c h, or (c - 2N) h past N), times `scale` (the FFT
 * normalisation 1 / (2N)^2): the even K1 at *k1 and the odd-in-x K_x = K2 dx at *kx (0 in column N, which
 * no pair of nodes uses).
 */
TS_HD void circulant_values(int r, int c, int n, double h, double dof, double scale, float* k1, float* kx) {
    const int sc = c <= n ? c : c - 2 * n;
    const double dy = r * h, dx = sc * h;
    double a, b;
    kernels_at(dx * dx + dy * dy, dof, &a, &b);
    *k1 = static_cast<float>(a * scale);
    *kx = c == n ? 0.0f : static_cast<float>(b * dx * scale);
}

/**
 * Product of one charge-spectrum entry q = (re, im) with kernel f's spectrum at the same frequency: K1's
 * (f = 0) is the real k, K_x's and K_y's (f = 1, 2) are purely imaginary, -i k.
 */
TS_HD void multiply_spectrum(int f, float re, float im, float k, float* out) {
    if (f == 0) {
        out[0] = re * k;
        out[1] = im * k;
    } else {
        out[0] = im * k;
        out[1] = -re * k;
    }
}

}  // namespace fft
}  // namespace torchsight
