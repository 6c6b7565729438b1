// Native benchmark of torchsight's HNSW build (native/src/knn.cpp): the batched parallel build against
// hnswlib's own one-at-a-time addPoint, on float32 rows. Reports build and query time (wall and CPU),
// recall@k (against a ground-truth file, or a brute-force sample of 2,000 rows), peak RSS and a fingerprint
// of all neighbours (equal fingerprints: equal answers). Build: see build_bench.sh.
//   build_bench FILE.f32 D K THREADS serial|batch M EFC EF [TRUTH.i32] [SEED]
#include "../../../native/src/knn.cpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>

using namespace torchsight;

static double cpuSeconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double wallSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename T>
static std::vector<T> readAll(const char* path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    size_t bytes = in.tellg();
    std::vector<T> v(bytes / sizeof(T));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(v.data()), bytes);
    return v;
}

int main(int argc, char** argv) {
    if (argc < 9) {
        std::fprintf(stderr, "usage: build_bench FILE.f32 D K THREADS serial|batch M EFC EF [TRUTH.i32|-] [SEED]\n");
        return 2;
    }
    std::vector<float> x = readAll<float>(argv[1]);
    int d = std::atoi(argv[2]), k = std::atoi(argv[3]), threads = std::atoi(argv[4]);
    bool serial = std::string(argv[5]) == "serial";
    int m = std::atoi(argv[6]), efc = std::atoi(argv[7]), ef = std::atoi(argv[8]);
    const char* truthPath = argc > 9 && std::string(argv[9]) != "-" ? argv[9] : nullptr;
    uint64_t seed = argc > 10 ? std::strtoull(argv[10], nullptr, 10) : 42;
    int n = static_cast<int>(x.size() / d);
    std::vector<int32_t> order(n);
    for (int i = 0; i < n; i++) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));

    TsneHnsw* index = tsne_hnsw_create(n, d, m, efc, seed);
    double w0 = wallSeconds(), c0 = cpuSeconds();
    const int chunk = 4096;  // as ApproximateNeighborSearch calls it
    for (int first = 0; first < n; first += chunk) {
        int count = std::min(chunk, n - first);
        if (serial) {
            for (int i = first; i < first + count; i++)
                index->graph->addPoint(x.data() + static_cast<int64_t>(order[i]) * d, order[i]);
        } else if (tsne_hnsw_add(index, x.data(), order.data() + first, count, threads) != 0) {
            std::fprintf(stderr, "add: %s\n", tsne_hnsw_last_error(index));
            return 1;
        }
    }
    double w1 = wallSeconds(), c1 = cpuSeconds();
    // as ApproximateNeighborSearch: rows in the index's locality order, 4,096 per call
    std::vector<int32_t> rows(n), found(static_cast<size_t>(chunk) * (k + 1)), out(static_cast<size_t>(n) * (k + 1));
    tsne_hnsw_order(index, rows.data(), threads);
    for (int first = 0; first < n; first += chunk) {
        int count = std::min(chunk, n - first);
        tsne_hnsw_query(index, x.data(), rows.data() + first, count, k + 1, ef, found.data(), threads);
        for (int i = 0; i < count; i++) {
            std::copy(found.begin() + static_cast<int64_t>(i) * (k + 1), found.begin() + static_cast<int64_t>(i + 1) * (k + 1),
                      out.begin() + static_cast<int64_t>(rows[first + i]) * (k + 1));
        }
    }
    double w2 = wallSeconds(), c2 = cpuSeconds();

    uint64_t fingerprint = 1469598103934665603ull;
    for (int32_t v : out) fingerprint = (fingerprint ^ static_cast<uint32_t>(v)) * 1099511628211ull;
    // recall: the k found other than the row itself, against the true k nearest others
    double hits = 0;
    int checked = 0;
    std::vector<int32_t> truth;
    if (truthPath) truth = readAll<int32_t>(truthPath);
    std::mt19937_64 pick(7);
    int samples = truthPath ? n : std::min(n, 2000);
    std::vector<std::pair<float, int>> all(n);
    for (int s = 0; s < samples; s++) {
        int q = truthPath ? s : static_cast<int>(pick() % n);
        std::vector<int32_t> want(k);
        if (truthPath) {
            std::copy(truth.begin() + static_cast<int64_t>(q) * k, truth.begin() + static_cast<int64_t>(q + 1) * k,
                      want.begin());
        } else {
            for (int j = 0; j < n; j++) {
                float s2 = 0;
                for (int c = 0; c < d; c++) {
                    float diff = x[static_cast<int64_t>(q) * d + c] - x[static_cast<int64_t>(j) * d + c];
                    s2 += diff * diff;
                }
                all[j] = {j == q ? -1.0f : s2, j};
            }
            std::partial_sort(all.begin(), all.begin() + k + 1, all.end());
            for (int j = 0; j < k; j++) want[j] = all[j + 1].second;
        }
        std::sort(want.begin(), want.end());
        for (int j = 0; j <= k; j++) {
            int32_t v = out[static_cast<int64_t>(q) * (k + 1) + j];
            if (v != q && std::binary_search(want.begin(), want.end(), v)) hits++;
        }
        checked++;
    }
    rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    std::printf("n=%d %s threads=%d M=%d efC=%d ef=%d  build %.1fs wall %.1fs cpu  query %.1fs wall %.1fs cpu  "
                "recall@%d %.4f  rss %.2f GB  fingerprint %016llx\n",
                n, serial ? "serial" : "batch", threads, m, efc, ef, w1 - w0, c1 - c0, w2 - w1, c2 - c1, k,
                hits / (static_cast<double>(checked) * k), usage.ru_maxrss / 1048576.0,
                static_cast<unsigned long long>(fingerprint));
    tsne_hnsw_free(index);
    if (truthPath) {  // the bar on Fashion-MNIST (60,000 x 50 PCA, k = 91)
        bool pass = hits / (static_cast<double>(checked) * k) >= 0.98;
        std::printf("CHECK recall@%d >= 0.98: %s\n", k, pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
    return 0;
}
