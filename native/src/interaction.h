// The repulsion hot loop shared by the exact and Barnes-Hut backends: one point against a list of
// (centre, count) sources in structure-of-arrays form.
#pragma once
#include <cstddef>

namespace torchsight {

/**
 * Writes force[c] = sum_k count_k w_k^((a+1)/a) (point - centre_k)_c and z = sum_k count_k w_k, with
 * w = (1 + |point - centre_k|^2 / a)^(-a) and a = dof. centre: dims arrays of len coordinates. A source at
 * distance 0 adds 0 force and count to z.
 */
using InteractFn = void (*)(double dof, const double* const* centre, const double* count, size_t len,
                            const double* point, double* force, double* z);

/**
 * The kernel for dims (2 or 3) and dof: dof 1 takes a path without transcendentals (the standard Cauchy
 * kernel's arithmetic), any other dof one exp and one log per source. Each is compiled for AVX2 and
 * baseline x86-64 and dispatched at load time.
 */
InteractFn interaction_kernel(int dims, double dof);

}  // namespace torchsight
