// torchsight native approximate nearest neighbours: an HNSW graph (hnswlib, Debian's libhnswlib-dev,
// header-only) for t-SNE's kNN. This header is the surface JavaCPP maps. Callers validate their input.
// Status-returning calls give 0 on success; otherwise tsne_hnsw_last_error names the failure.
#pragma once
#include <cstdint>

namespace torchsight {

/** Opaque HNSW index over float32 rows under squared Euclidean distance. */
struct TsneHnsw;

/**
 * An empty index for up to n rows of d values: m links per node (2m on the base layer), ef_construction
 * candidates while inserting, node levels drawn from a generator seeded with seed. Null when out of memory.
 */
TsneHnsw* tsne_hnsw_create(int n, int d, int m, int ef_construction, uint64_t seed);

/**
 * Inserts rows[0..count) of x (row-major, d values per row), one after another on the calling thread, each
 * labelled by its row number. The same rows in the same order give the same graph.
 */
int tsne_hnsw_add(TsneHnsw* index, const float* x, const int32_t* rows, int count);

/**
 * For rows[0..count) of x: the labels of the k nearest indexed rows (the row itself included when it is
 * indexed), nearest first, into out[i*k ..]; -1 pads a row when fewer were found. ef candidates per query
 * (at least k). Reads the graph only: deterministic for any thread count.
 */
int tsne_hnsw_query(TsneHnsw* index, const float* x, const int32_t* rows, int count, int k, int ef, int32_t* out,
                    int threads);

/** The last failure's message (empty when none). */
const char* tsne_hnsw_last_error(const TsneHnsw* index);

/** Frees the index (null is fine). */
void tsne_hnsw_free(TsneHnsw* index);

}  // namespace torchsight
