// Locality ordering of P's graph: relabels points so that neighbours in P sit close in index, which keeps
// the attractive term's reads of y[cols[e]] within cache instead of scattered over the whole embedding.
#include <algorithm>
#include <utility>
#include <vector>

#include "torchsight/tsne.h"

namespace torchsight {

void tsne_locality_order(const int64_t* row_ptr, const int32_t* cols, int n, int32_t* order) {
    // Breadth-first search (the Cuthill-McKee visiting order without the degree sort): fixed start at 0, each
    // row's neighbours in their stored order, a new search from the lowest unvisited point per component.
    // Fully deterministic; O(n + nnz).
    std::vector<char> seen(static_cast<size_t>(n), 0);
    int64_t head = 0, tail = 0;
    for (int start = 0; start < n; start++) {
        if (seen[start]) continue;
        seen[start] = 1;
        order[tail++] = start;
        while (head < tail) {
            const int32_t i = order[head++];
            for (int64_t e = row_ptr[i]; e < row_ptr[i + 1]; e++) {
                const int32_t j = cols[e];
                if (!seen[j]) {
                    seen[j] = 1;
                    order[tail++] = j;
                }
            }
        }
    }
}

void tsne_permute_csr(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n, const int32_t* order,
                      int64_t* out_row_ptr, int32_t* out_cols, double* out_vals, int threads) {
    std::vector<int32_t> rank(static_cast<size_t>(n));
    for (int r = 0; r < n; r++) rank[order[r]] = r;
    out_row_ptr[0] = 0;
    for (int r = 0; r < n; r++) out_row_ptr[r + 1] = out_row_ptr[r] + (row_ptr[order[r] + 1] - row_ptr[order[r]]);
#pragma omp parallel num_threads(threads)
    {
        std::vector<std::pair<int32_t, double>> row;
#pragma omp for schedule(static)
        for (int r = 0; r < n; r++) {
            const int32_t old = order[r];
            row.clear();
            for (int64_t e = row_ptr[old]; e < row_ptr[old + 1]; e++) row.emplace_back(rank[cols[e]], vals[e]);
            // Columns stay distinct, so the sort is total: ascending new indices stream y in address order.
            std::sort(row.begin(), row.end(),
                      [](const std::pair<int32_t, double>& a, const std::pair<int32_t, double>& b) {
                          return a.first < b.first;
                      });
            int64_t e = out_row_ptr[r];
            for (const auto& entry : row) {
                out_cols[e] = entry.first;
                out_vals[e++] = entry.second;
            }
        }
    }
}

}  // namespace torchsight
