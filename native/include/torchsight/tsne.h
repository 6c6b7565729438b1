// torchsight native t-SNE: affinities, gradient backends and the optimiser step (CPU, OpenMP).
// This header is the only surface JavaCPP maps. Arrays are row-major; an embedding is n x 2 doubles.
// Callers validate their input (sizes, finiteness); these functions do not allocate what they return.
#pragma once
#include <cstdint>

namespace torchsight {

/** Gradient backend identifiers shared with Java. */
enum TsneMethod { TSNE_EXACT = 0, TSNE_BARNES_HUT = 1 };

/**
 * Per-row bisection of the Gaussian precision so that each row's conditional distribution over its k
 * neighbours has the target perplexity (|2^H - perplexity| <= tol, H in bits).
 * dist_sq: n*k squared distances to the neighbours. out_p: n*k conditional probabilities (rows sum to 1).
 * out_beta: n precisions (may be null). Returns the number of rows that did not reach tol in max_steps
 * (e.g. rows whose neighbours are all at the same distance).
 */
int tsne_conditional_p(const double* dist_sq, int n, int k, double perplexity, double tol, int max_steps,
                       double* out_p, double* out_beta, int threads);

/**
 * Squared Euclidean distances, in double precision, from each of n rows of x (n x d, float32) to its k
 * listed neighbours: out[i*k+j] = |x_i - x_neighbours[i*k+j]|^2.
 */
void tsne_neighbor_distances(const float* x, int n, int d, const int64_t* neighbours, int k, double* out,
                             int threads);

/**
 * Symmetric joint P = (P_cond + P_cond^T) / (2n) over the kNN graph, as CSR with sorted columns.
 * neighbours: n*k indices. row_ptr: n+1 entries; cols, vals: capacity 2*n*k. Returns nnz.
 */
int64_t tsne_symmetrize(const int64_t* neighbours, const double* p_cond, int n, int k,
                        int64_t* row_ptr, int32_t* cols, double* vals, int threads);

/**
 * KL gradient dC/dy (scikit-learn's scaling: 4 * (exaggeration * F_attr - F_rep / Z)) into grad (n*2).
 * method: TSNE_EXACT (all pairs) or TSNE_BARNES_HUT (quadtree, theta). Returns Z = sum_{i!=j} w_ij
 * (exact or Barnes-Hut estimate).
 */
double tsne_gradient(int method, double theta, const int64_t* row_ptr, const int32_t* cols,
                     const double* vals, int n, const double* y, double exaggeration, double* grad,
                     int threads);

/** Exact normalisation Z = sum_{i != j} 1 / (1 + |y_i - y_j|^2), O(n^2). */
double tsne_exact_normalization(int n, const double* y, int threads);

/** KL(P || Q) over the non-zeros of P, with q_ij = w_ij / z. */
double tsne_kl_divergence(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n,
                          const double* y, double z, int threads);

/**
 * One delta-bar-delta momentum step over len coordinates, in place on y, update and gains.
 * Returns the L2 norm of the gained gradient (scikit-learn's stopping criterion).
 */
double tsne_update(int64_t len, double* y, double* update, double* gains, const double* grad,
                   double momentum, double learning_rate, double min_gain, int threads);

/** 1 if this library was built with OpenMP, else 0. */
int tsne_openmp_enabled();

}  // namespace torchsight
