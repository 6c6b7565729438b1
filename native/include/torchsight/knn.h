// torchsight native approximate nearest neighbours: an HNSW graph (hnswlib, Debian's libhnswlib-dev,
// header-only) for t-SNE's kNN. This header is the surface JavaCPP maps. Callers validate their input.
// Status-returning calls give 0 on success; otherwise tsne_hnsw_last_error names the failure.
#pragma once
#include <cstdint>

namespace torchsight {

/** Opaque HNSW index over float32 rows under squared Euclidean distance. */
struct TsneHnsw;

/**
 * 1 when the library was built with hnswlib; 0 otherwise (Debian's libhnswlib-dev was missing at build time):
 * then tsne_hnsw_create returns null and tsne_hnsw_last_error(null) says so.
 */
int tsne_hnsw_available();

/**
 * An empty index for up to n rows of d values: m links per node (2m on the base layer), ef_construction
 * candidates while inserting, node levels drawn from a generator seeded with seed. Null when out of memory.
 */
TsneHnsw* tsne_hnsw_create(int n, int d, int m, int ef_construction, uint64_t seed);

/**
 * Inserts rows[0..count) of x (row-major, d values per row) in that order, each labelled by its row number,
 * in batches: a batch holds at most 1/8 as many rows as the graph it joins (the first row alone), and each of
 * its rows is linked as hnswlib links an insertion, but to candidates searched in the graph as it was before
 * the batch (on threads threads), plus the batch's rows that share one of its nearest candidates. The graph
 * is a function of the rows, their order, the split into calls and the create parameters: the same for any
 * thread count.
 */
int tsne_hnsw_add(TsneHnsw* index, const float* x, const int32_t* rows, int count, int threads);

/**
 * The labels of all indexed rows into out, in an order where rows near each other in space come one after
 * another: queries in that order run faster (they find the graph in cache). The first call also moves the
 * graph's nodes into that order in memory (on threads threads); the graph and its answers stay the same.
 */
int tsne_hnsw_order(TsneHnsw* index, int32_t* out, int threads);

/**
 * For rows[0..count) of x: the labels of the k nearest indexed rows (the row itself included when it is
 * indexed), nearest first, into out[i*k ..]; -1 pads a row when fewer were found. ef candidates per query
 * (at least k). Reads the graph only: deterministic for any thread count.
 */
int tsne_hnsw_query(TsneHnsw* index, const float* x, const int32_t* rows, int count, int k, int ef, int32_t* out,
                    int threads);

/** The last failure's message (empty when none); for a null index, why the index is unavailable. */
const char* tsne_hnsw_last_error(const TsneHnsw* index);

/** Frees the index (null is fine). */
void tsne_hnsw_free(TsneHnsw* index);

}  // namespace torchsight
