// torchsight native t-SNE: affinities, gradient backends and the optimiser step (CPU, OpenMP).
// This header is the only surface JavaCPP maps. Arrays are row-major; an embedding is n x dims doubles
// (dims 2 or 3). The similarity kernel has dof = a > 0 degrees of freedom: w_ij = (1 + |y_i - y_j|^2 / a)^-a,
// a = 1 being standard t-SNE; its KL gradient is dC/dy_i = 4 sum_j (p_ij - q_ij) w_ij^(1/a) (y_i - y_j).
// Results are bit-identical for the same input and thread count.
// Callers validate their input (sizes, finiteness); these functions do not allocate what they return.
#pragma once
#include <cstdint>

namespace torchsight {

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
 * Exact repulsion of n_src points src on n_tgt points tgt (both n x dims): for each target t,
 * rep[t*dims+c] = sum_s w_ts^((a+1)/a) (tgt_t - src_s)_c and z_row[t] = sum_s w_ts.
 * same_set = 1: src and tgt are the same array (tgt is then ignored) and the pair t == s is excluded.
 * Returns the sum of z_row, in index order.
 */
double tsne_repulsion_exact(int dims, double dof, int n_src, const double* src, int n_tgt, const double* tgt,
                            int same_set, double* rep, double* z_row, int threads);

/**
 * Barnes-Hut estimate of tsne_repulsion_exact over a quadtree (dims 2) or octree (dims 3) of src: a cell
 * is summarised by its centre of mass when width / distance < theta (theta 0: exact, up to rounding).
 * With two sets (same_set = 0) each target's result depends only on src and that target.
 */
double tsne_repulsion_barnes_hut(int dims, double dof, double theta, int n_src, const double* src, int n_tgt,
                                 const double* tgt, int same_set, double* rep, double* z_row, int threads);

/**
 * A locality order of P's graph (n points, CSR with distinct columns): order[r] is the point placed at rank r,
 * chosen so that neighbours get nearby ranks (breadth-first from point 0; deterministic). Single-threaded.
 */
void tsne_locality_order(const int64_t* row_ptr, const int32_t* cols, int n, int32_t* order);

/**
 * P relabelled by a permutation (order[r] = old index at new index r): row r of the output is row order[r] of the
 * input, with columns mapped to new indices and sorted ascending. out_* have the input's sizes.
 */
void tsne_permute_csr(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n, const int32_t* order,
                      int64_t* out_row_ptr, int32_t* out_cols, double* out_vals, int threads);

/**
 * Attractive term over the CSR rows of P (n_rows rows):
 * attr[i*dims+c] = sum_e vals[e] w_{i,cols[e]}^(1/a) (y_rows_i - y_cols_cols[e])_c.
 * For a fit y_rows == y_cols; to place new points, y_rows are the new points and y_cols the reference map.
 */
void tsne_attractive(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n_rows, int dims, double dof,
                     const double* y_rows, const double* y_cols, double* attr, int threads);

/**
 * grad = 4 (exaggeration attr - rep / Z) per coordinate (scikit-learn's scaling), with Z = z_row[i] for
 * row i when z_row is not null, else z. A Z that is not positive contributes no repulsion.
 */
void tsne_combine(int n_rows, int dims, const double* attr, const double* rep, double exaggeration, double z,
                  const double* z_row, double* grad, int threads);

/** KL(P || Q) over the non-zeros of P, with q_ij = w_ij / z. */
double tsne_kl_divergence(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n, int dims, double dof,
                          const double* y, double z, int threads);

/** Exact normalisation Z = sum_{i != j} w_ij, O(n^2). */
double tsne_exact_normalization(int n, int dims, double dof, const double* y, int threads);

/**
 * One delta-bar-delta momentum step over len coordinates, in place on y, update and gains.
 * Returns the L2 norm of the gained gradient (scikit-learn's stopping criterion).
 */
double tsne_update(int64_t len, double* y, double* update, double* gains, const double* grad,
                   double momentum, double learning_rate, double min_gain, int threads);

/** 1 if this library was built with OpenMP, else 0. */
int tsne_openmp_enabled();

}  // namespace torchsight
