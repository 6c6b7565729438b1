// Run-time resolution of libfftw3f (see fftw_loader.h).
#include "fftw_loader.h"

#include <dlfcn.h>

#include <mutex>

namespace torchsight {
namespace fftw {

namespace {

std::mutex resolve_mutex;
Api resolved{};
bool ready = false;

template <typename F>
bool bind(void* lib, const char* name, F* slot) {
    void* sym = dlsym(lib, name);
    *slot = reinterpret_cast<F>(sym);
    return sym != nullptr;
}

bool resolve(void* lib) {
    Api a{};
    bool ok = bind(lib, "fftwf_malloc", &a.malloc) && bind(lib, "fftwf_free", &a.free) &&
              bind(lib, "fftwf_plan_dft_r2c_1d", &a.plan_dft_r2c_1d) &&
              bind(lib, "fftwf_plan_dft_c2r_1d", &a.plan_dft_c2r_1d) && bind(lib, "fftwf_plan_dft_1d", &a.plan_dft_1d) &&
              bind(lib, "fftwf_execute_dft_r2c", &a.execute_dft_r2c) &&
              bind(lib, "fftwf_execute_dft_c2r", &a.execute_dft_c2r) && bind(lib, "fftwf_execute_dft", &a.execute_dft) &&
              bind(lib, "fftwf_destroy_plan", &a.destroy_plan);
    if (ok) {
        resolved = a;
        ready = true;
    }
    return ok;
}

}  // namespace

const Api* api() {
    std::lock_guard<std::mutex> lock(resolve_mutex);
    if (ready) return &resolved;
    // RTLD_NOLOAD: only find the copy already in the process (loaded by Java from the preset); the handle
    // is kept for the life of the process, like the library itself.
    void* lib = dlopen("libfftw3f.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (lib == nullptr) return nullptr;
    return resolve(lib) ? &resolved : nullptr;
}

}  // namespace fftw
}  // namespace torchsight
