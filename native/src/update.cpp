// The optimiser step: delta-bar-delta gains and momentum.
#include "torchsight/tsne.h"
#include "torchsight/tsne_kernels.h"

#include <cmath>
#include <vector>

namespace torchsight {

namespace {
thread_local std::vector<double> squares;  // reused so a steady-state step allocates nothing
}  // namespace

double tsne_update(int64_t len, double* y, double* update, double* gains, const double* grad,
                   double momentum, double learning_rate, double min_gain, int threads) {
    // Squared terms are kept per coordinate and summed serially: the stopping decision must not depend
    // on the thread count.
    squares.resize(static_cast<size_t>(len));
    double* sq = squares.data();  // the calling thread's buffer, read outside the parallel region
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t c = 0; c < len; c++) {
        sq[c] = kernels::update_coordinate(&y[c], &update[c], &gains[c], grad[c], momentum, learning_rate, min_gain);
    }
    return std::sqrt(kernels::ordered_sum(sq, len));
}

}  // namespace torchsight
