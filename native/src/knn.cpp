// HNSW kNN over hnswlib (the only translation unit that includes it: its header defines functions).
// Built without hnswlib (no TORCHSIGHT_WITH_HNSWLIB: Debian's libhnswlib-dev missing), every index call
// reports the index unavailable instead.
#include "torchsight/knn.h"

#include <string>

namespace {
/** What every index call reports when the library was built without hnswlib. */
constexpr const char* TSNE_HNSW_MISSING =
    "approximate neighbours were not built: install Debian's libhnswlib-dev and rebuild";
}  // namespace

#ifdef TORCHSIGHT_WITH_HNSWLIB
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace torchsight {

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;
using Id = hnswlib::tableint;
using Scored = std::pair<float, Id>;
/** hnswlib's candidate heap: the farthest on top. */
using Heap = std::priority_queue<Scored, std::vector<Scored>, Graph::CompareByFirst>;

/** A batch may grow to this fraction of the graph it is inserted into (1/8). */
constexpr size_t BATCH_DIVISOR = 8;
/**
 * Fewer items than this run on one thread: on a loaded machine each parallel region can cost a scheduler
 * time slice at its barrier, and the small early batches would pay that hundreds of times.
 */
constexpr int PARALLEL_MIN = 512;
/** Same-batch rows met through at most this many rows sharing one graph candidate. */
constexpr size_t GROUP_SCAN = 64;

float distance(const Graph& g, Id a, Id b) {
    return g.fstdistfunc_(g.getDataByInternalId(a), g.getDataByInternalId(b), g.dist_func_param_);
}

/** The links of node at level (count, then the ids). */
std::pair<hnswlib::linklistsizeint*, Id*> links(const Graph& g, Id node, int level) {
    hnswlib::linklistsizeint* list = g.get_linklist_at_level(node, level);
    return {list, reinterpret_cast<Id*>(list + 1)};
}

/** Writes the heap's ids as node's links at level (hnswlib's order: farthest first). */
void setLinks(Graph& g, Id node, int level, Heap& heap) {
    auto [list, data] = links(g, node, level);
    size_t count = 0;
    while (!heap.empty()) {
        data[count++] = heap.top().second;
        heap.pop();
    }
    g.setListCount(list, static_cast<unsigned short>(count));
}

/** Registers the rows as new nodes with empty links: levels drawn in order, data and label copied. */
void registerRows(Graph& g, const float* x, int d, const int32_t* rows, int count, std::vector<Id>& id,
                  std::vector<int>& level) {
    for (int i = 0; i < count; i++) {
        Id c = static_cast<Id>(g.cur_element_count);
        int top = g.getRandomLevel(g.mult_);
        if (top > 0) {
            // freed by hnswlib's destructor for nodes whose level is above 0
            void* upper = std::calloc(1, g.size_links_per_element_ * top + 1);
            if (upper == nullptr) throw std::bad_alloc();
            g.linkLists_[c] = static_cast<char*>(upper);
        }
        g.element_levels_[c] = top;
        g.cur_element_count++;
        hnswlib::labeltype label = static_cast<hnswlib::labeltype>(rows[i]);
        g.label_lookup_[label] = c;
        std::memset(g.data_level0_memory_ + c * g.size_data_per_element_ + g.offsetLevel0_, 0,
                    g.size_data_per_element_);
        std::memcpy(g.getExternalLabeLp(c), &label, sizeof(label));
        std::memcpy(g.getDataByInternalId(c), x + static_cast<int64_t>(rows[i]) * d, g.data_size_);
        id[i] = c;
        level[i] = top;
    }
}

/** hnswlib's greedy descent from node cur through levels from..to+1: the node nearest q it ends on. */
Id descend(const Graph& g, const void* q, Id cur, int from, int to, Id* path) {
    float curDist = g.fstdistfunc_(q, g.getDataByInternalId(cur), g.dist_func_param_);
    for (int l = from; l > to; l--) {
        for (bool changed = true; changed;) {
            changed = false;
            auto [list, data] = links(g, cur, l);
            size_t size = g.getListCount(list);
            for (size_t j = 0; j < size; j++) {
                float dist = g.fstdistfunc_(q, g.getDataByInternalId(data[j]), g.dist_func_param_);
                if (dist < curDist) {
                    curDist = dist;
                    cur = data[j];
                    changed = true;
                }
            }
        }
        if (path != nullptr) path[from - l] = cur;
    }
    return cur;
}

/**
 * The queries q[0..count) ordered by where they land on each upper level (top first), so that queries taken
 * one after another lie near each other and find the graph's memory in cache. Only speed depends on it.
 */
std::vector<int> localityOrder(const Graph& g, const std::vector<const void*>& q, int threads) {
    int count = static_cast<int>(q.size());
    int levels = std::max(g.maxlevel_, 0);
    std::vector<Id> path(static_cast<size_t>(count) * levels);
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads) if (count >= PARALLEL_MIN)
    for (int i = 0; i < count; i++) {
        descend(g, q[i], g.enterpoint_node_, levels, 0, path.data() + static_cast<size_t>(i) * levels);
    }
    std::vector<int> order(count);
    for (int i = 0; i < count; i++) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const Id* pa = path.data() + static_cast<size_t>(a) * levels;
        const Id* pb = path.data() + static_cast<size_t>(b) * levels;
        for (int l = 0; l < levels; l++) {
            if (pa[l] != pb[l]) return pa[l] < pb[l];
        }
        return a < b;
    });
    return order;
}

/**
 * For each new node: its efConstruction nearest candidates per level (nearest first) in the graph as it
 * was before the batch, found as hnswlib's insertion finds them. Reads the frozen graph only.
 */
void searchFrozen(Graph& g, const std::vector<Id>& id, const std::vector<int>& level, int frozenTop, Id entry,
                  std::vector<std::vector<std::vector<Scored>>>& found, int threads) {
    int count = static_cast<int>(id.size());
    std::vector<const void*> q(count);
    for (int i = 0; i < count; i++) q[i] = g.getDataByInternalId(id[i]);
    std::vector<int> order = count > 1 ? localityOrder(g, q, threads) : std::vector<int>{0};
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads) if (count >= PARALLEL_MIN)
    for (int r = 0; r < count; r++) {
        int i = order[r];
        Id cur = descend(g, q[i], entry, frozenTop, level[i], nullptr);
        int top = std::min(level[i], frozenTop);
        found[i].assign(top + 1, {});
        for (int l = top; l >= 0; l--) {
            Heap heap = g.searchBaseLayer(cur, q[i], l);
            std::vector<Scored>& out = found[i][l];
            out.resize(heap.size());
            for (size_t j = heap.size(); j-- > 0;) {
                out[j] = heap.top();
                heap.pop();
            }
            cur = out.front().second;
        }
    }
}

/**
 * Links the batch's nodes at one level: each picks its links by hnswlib's heuristic among its frozen-graph
 * candidates plus the batch's nodes that share one of its nearest candidates; then every node that gained
 * incoming links takes them all at once, pruned by the same heuristic when over capacity. Each step writes
 * only per-node lists: the result does not depend on the thread count.
 */
void linkLevel(Graph& g, const std::vector<Id>& id,
               const std::vector<std::vector<std::vector<Scored>>>& found, int l, int threads) {
    std::vector<int> members;
    for (size_t i = 0; i < id.size(); i++) {
        if (static_cast<int>(found[i].size()) > l) members.push_back(static_cast<int>(i));
    }
    if (members.empty()) return;
    size_t m = g.M_;
    // groups: graph node -> batch rows with that node among their m nearest candidates
    std::vector<std::pair<Id, int>> groups;
    for (int i : members) {
        const std::vector<Scored>& c = found[i][l];
        for (size_t j = 0; j < std::min(m, c.size()); j++) groups.emplace_back(c[j].second, i);
    }
    std::sort(groups.begin(), groups.end());
    int count = static_cast<int>(members.size());
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) if (count >= PARALLEL_MIN)
    for (int r = 0; r < count; r++) {
        int i = members[r];
        const std::vector<Scored>& c = found[i][l];
        Heap heap;
        for (const Scored& s : c) heap.push(s);
        std::vector<int> mates;
        for (size_t j = 0; j < std::min(m, c.size()); j++) {
            auto at = std::lower_bound(groups.begin(), groups.end(), std::make_pair(c[j].second, -1));
            for (size_t seen = 0; at != groups.end() && at->first == c[j].second && seen < GROUP_SCAN; ++at, seen++) {
                if (at->second != i) mates.push_back(at->second);
            }
        }
        std::sort(mates.begin(), mates.end());
        mates.erase(std::unique(mates.begin(), mates.end()), mates.end());
        for (int mate : mates) heap.emplace(distance(g, id[i], id[mate]), id[mate]);
        g.getNeighborsByHeuristic2(heap, m);
        setLinks(g, id[i], l, heap);
    }
    // reverse links, grouped by the node that receives them
    std::vector<std::pair<Id, Id>> incoming;
    for (int i : members) {
        auto [list, data] = links(g, id[i], l);
        for (size_t j = 0; j < g.getListCount(list); j++) incoming.emplace_back(data[j], id[i]);
    }
    std::sort(incoming.begin(), incoming.end());
    std::vector<size_t> starts;
    for (size_t j = 0; j < incoming.size(); j++) {
        if (j == 0 || incoming[j].first != incoming[j - 1].first) starts.push_back(j);
    }
    starts.push_back(incoming.size());
    size_t capacity = l ? g.maxM_ : g.maxM0_;
    int targets = static_cast<int>(starts.size()) - 1;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads) if (targets >= PARALLEL_MIN)
    for (int t = 0; t < targets; t++) {
        Id node = incoming[starts[t]].first;
        auto [list, data] = links(g, node, l);
        size_t size = g.getListCount(list);
        std::vector<Id> all(data, data + size);
        for (size_t j = starts[t]; j < starts[t + 1]; j++) {
            Id from = incoming[j].second;
            if (std::find(data, data + size, from) == data + size) all.push_back(from);
        }
        if (all.size() <= capacity) {
            std::copy(all.begin(), all.end(), data);
            g.setListCount(list, static_cast<unsigned short>(all.size()));
        } else {
            Heap heap;
            for (Id other : all) heap.emplace(distance(g, node, other), other);
            g.getNeighborsByHeuristic2(heap, capacity);
            setLinks(g, node, l, heap);
        }
    }
}

/** Inserts one batch: all its rows see the graph as it was before the batch, plus each other. */
void insertBatch(Graph& g, const float* x, int d, const int32_t* rows, int count, int threads) {
    int frozenTop = g.maxlevel_;
    Id entry = g.enterpoint_node_;
    bool empty = g.cur_element_count == 0;
    std::vector<Id> id(count);
    std::vector<int> level(count);
    registerRows(g, x, d, rows, count, id, level);
    if (!empty) {
        std::vector<std::vector<std::vector<Scored>>> found(count);
        searchFrozen(g, id, level, frozenTop, entry, found, threads);
        for (int l = 0; l <= frozenTop; l++) linkLevel(g, id, found, l, threads);
    }
    // a node above the graph's top level becomes the entry point (the first of the highest)
    for (int i = 0; i < count; i++) {
        if (empty || level[i] > g.maxlevel_) {
            g.maxlevel_ = level[i];
            g.enterpoint_node_ = id[i];
            empty = false;
        }
    }
}

/**
 * Renumbers the nodes in localityOrder, moving their data and links, so that nodes near each other in space lie
 * near each other in memory: queries taken in that order then mostly find the graph in cache. The graph stays
 * the same graph (same links, same labels): answers do not change.
 */
void storeByLocality(Graph& g, int threads) {
    int n = static_cast<int>(g.cur_element_count);
    std::vector<const void*> q(n);
    for (int i = 0; i < n; i++) q[i] = g.getDataByInternalId(static_cast<Id>(i));
    std::vector<int> order = localityOrder(g, q, threads);
    std::vector<Id> renamed(n);
    for (int r = 0; r < n; r++) renamed[order[r]] = static_cast<Id>(r);
    char* moved = static_cast<char*>(std::malloc(g.max_elements_ * g.size_data_per_element_));
    if (moved == nullptr) return;  // only speed depends on it
    std::vector<char*> upper(n);
    std::vector<int> levels(n);
#pragma omp parallel for schedule(static) num_threads(threads) if (n >= PARALLEL_MIN)
    for (int r = 0; r < n; r++) {
        Id from = static_cast<Id>(order[r]);
        std::memcpy(moved + static_cast<size_t>(r) * g.size_data_per_element_,
                    g.data_level0_memory_ + static_cast<size_t>(from) * g.size_data_per_element_,
                    g.size_data_per_element_);
        auto* list = g.get_linklist0(static_cast<Id>(r), moved);
        Id* data = reinterpret_cast<Id*>(list + 1);
        for (size_t j = 0; j < g.getListCount(list); j++) data[j] = renamed[data[j]];
        upper[r] = g.linkLists_[from];
        levels[r] = g.element_levels_[from];
        for (int l = 1; l <= levels[r]; l++) {
            auto* up = reinterpret_cast<hnswlib::linklistsizeint*>(upper[r] + (l - 1) * g.size_links_per_element_);
            Id* ids = reinterpret_cast<Id*>(up + 1);
            for (size_t j = 0; j < g.getListCount(up); j++) ids[j] = renamed[ids[j]];
        }
    }
    std::free(g.data_level0_memory_);
    g.data_level0_memory_ = moved;
    std::copy(upper.begin(), upper.end(), g.linkLists_);
    std::copy(levels.begin(), levels.end(), g.element_levels_.begin());
    g.enterpoint_node_ = renamed[g.enterpoint_node_];
    for (auto& entry : g.label_lookup_) entry.second = renamed[entry.second];
}

}  // namespace

struct TsneHnsw {
    int d;
    hnswlib::L2Space space;  // must outlive the graph, which keeps its distance function
    std::unique_ptr<Graph> graph;
    bool stored_by_locality = false;
    std::string error;

    explicit TsneHnsw(int dims) : d(dims), space(static_cast<size_t>(dims)) {}
};

int tsne_hnsw_available() {
    return 1;
}

TsneHnsw* tsne_hnsw_create(int n, int d, int m, int ef_construction, uint64_t seed) {
    try {
        auto index = std::make_unique<TsneHnsw>(d);
        index->graph = std::make_unique<Graph>(&index->space, static_cast<size_t>(n), static_cast<size_t>(m),
                                               static_cast<size_t>(ef_construction), static_cast<size_t>(seed));
        return index.release();
    } catch (const std::exception&) {
        return nullptr;  // hnswlib throws only when its arrays do not fit
    }
}

int tsne_hnsw_add(TsneHnsw* index, const float* x, const int32_t* rows, int count, int threads) {
    try {
        Graph& g = *index->graph;
        for (int first = 0; first < count;) {
            int batch = static_cast<int>(std::clamp<size_t>(g.cur_element_count / BATCH_DIVISOR, 1,
                                                            static_cast<size_t>(count - first)));
            insertBatch(g, x, index->d, rows + first, batch, threads);
            first += batch;
        }
        return 0;
    } catch (const std::exception& e) {
        index->error = e.what();
        return -1;
    }
}

int tsne_hnsw_order(TsneHnsw* index, int32_t* out, int threads) {
    try {
        Graph& g = *index->graph;
        if (!index->stored_by_locality) {
            storeByLocality(g, threads);
            index->stored_by_locality = true;
        }
        for (size_t i = 0; i < g.cur_element_count; i++) {
            out[i] = static_cast<int32_t>(g.getExternalLabel(static_cast<Id>(i)));
        }
        return 0;
    } catch (const std::exception& e) {
        index->error = e.what();
        return -1;
    }
}

int tsne_hnsw_query(TsneHnsw* index, const float* x, const int32_t* rows, int count, int k, int ef, int32_t* out,
                    int threads) {
    try {
        const Graph& g = *index->graph;
        if (g.cur_element_count == 0) {
            std::fill(out, out + static_cast<int64_t>(count) * k, -1);
            return 0;
        }
        size_t candidates = static_cast<size_t>(std::max(ef, k));
        // as hnswlib's searchKnn, without its shared hop counters (contended between threads); each row's
        // answer does not depend on the threads
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads) if (count >= PARALLEL_MIN)
        for (int r = 0; r < count; r++) {
            const float* q = x + static_cast<int64_t>(rows[r]) * index->d;
            Id entry = descend(g, q, g.enterpoint_node_, g.maxlevel_, 0, nullptr);
            Heap found = g.searchBaseLayerST<false, false>(entry, q, candidates);
            while (found.size() > static_cast<size_t>(k)) found.pop();
            // nearest first, equal distances by label
            std::vector<std::pair<float, int32_t>> near;
            near.reserve(found.size());
            for (; !found.empty(); found.pop()) {
                near.emplace_back(found.top().first, static_cast<int32_t>(g.getExternalLabel(found.top().second)));
            }
            std::sort(near.begin(), near.end());
            int32_t* row = out + static_cast<int64_t>(r) * k;
            for (size_t j = 0; j < near.size(); j++) row[j] = near[j].second;
            std::fill(row + near.size(), row + k, -1);
        }
        return 0;
    } catch (const std::exception& e) {
        index->error = e.what();
        return -1;
    }
}

const char* tsne_hnsw_last_error(const TsneHnsw* index) {
    return index == nullptr ? TSNE_HNSW_MISSING : index->error.c_str();
}

void tsne_hnsw_free(TsneHnsw* index) {
    delete index;
}

}  // namespace torchsight

#else  // built without hnswlib

namespace torchsight {

struct TsneHnsw {};

int tsne_hnsw_available() {
    return 0;
}

TsneHnsw* tsne_hnsw_create(int, int, int, int, uint64_t) {
    return nullptr;
}

int tsne_hnsw_add(TsneHnsw*, const float*, const int32_t*, int, int) {
    return -1;
}

int tsne_hnsw_order(TsneHnsw*, int32_t*, int) {
    return -1;
}

int tsne_hnsw_query(TsneHnsw*, const float*, const int32_t*, int, int, int, int32_t*, int) {
    return -1;
}

const char* tsne_hnsw_last_error(const TsneHnsw*) {
    return TSNE_HNSW_MISSING;
}

void tsne_hnsw_free(TsneHnsw*) {}

}  // namespace torchsight

#endif
