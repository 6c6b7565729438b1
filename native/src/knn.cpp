// HNSW kNN over hnswlib (the only translation unit that includes it: its header defines functions).
#include "torchsight/knn.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <new>
#include <string>

namespace torchsight {

struct TsneHnsw {
    int d;
    hnswlib::L2Space space;  // must outlive the graph, which keeps its distance function
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
    std::string error;

    explicit TsneHnsw(int dims) : d(dims), space(static_cast<size_t>(dims)) {}
};

TsneHnsw* tsne_hnsw_create(int n, int d, int m, int ef_construction, uint64_t seed) {
    try {
        auto index = std::make_unique<TsneHnsw>(d);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            &index->space, static_cast<size_t>(n), static_cast<size_t>(m), static_cast<size_t>(ef_construction),
            static_cast<size_t>(seed));
        return index.release();
    } catch (const std::exception&) {
        return nullptr;  // hnswlib throws only when its arrays do not fit
    }
}

int tsne_hnsw_add(TsneHnsw* index, const float* x, const int32_t* rows, int count) {
    try {
        for (int i = 0; i < count; i++) {
            index->graph->addPoint(x + static_cast<int64_t>(rows[i]) * index->d, static_cast<size_t>(rows[i]));
        }
        return 0;
    } catch (const std::exception& e) {
        index->error = e.what();
        return -1;
    }
}

int tsne_hnsw_query(TsneHnsw* index, const float* x, const int32_t* rows, int count, int k, int ef, int32_t* out,
                    int threads) {
    index->graph->setEf(static_cast<size_t>(std::max(ef, k)));
    bool failed = false;
    // schedule(dynamic): query costs vary with the neighbourhood; each row's answer does not depend on it
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (int r = 0; r < count; r++) {
        int32_t* row = out + static_cast<int64_t>(r) * k;
        try {
            auto found = index->graph->searchKnn(x + static_cast<int64_t>(rows[r]) * index->d,
                                                 static_cast<size_t>(k));
            // a max-heap: the farthest comes out first
            int j = static_cast<int>(found.size());
            std::fill(row + j, row + k, -1);
            while (!found.empty()) {
                row[--j] = static_cast<int32_t>(found.top().second);
                found.pop();
            }
        } catch (const std::exception& e) {
#pragma omp critical(tsne_hnsw_error)
            {
                failed = true;
                index->error = e.what();
            }
            std::fill(row, row + k, -1);
        }
    }
    return failed ? -1 : 0;
}

const char* tsne_hnsw_last_error(const TsneHnsw* index) {
    return index->error.c_str();
}

void tsne_hnsw_free(TsneHnsw* index) {
    delete index;
}

}  // namespace torchsight
