// The few single-precision FFTW functions the FFT repulsion needs, resolved at run time from the
// libfftw3f.so.3 that Java loads from the JavaCPP fftw preset (torchsight links no FFTW at build time,
// and that preset ships no headers). The declarations follow FFTW 3's documented C API.
#pragma once

namespace torchsight {
namespace fftw {

/** FFTW's opaque plan handle. */
using Plan = struct PlanOpaque*;
/** Sign of a forward (e^-i) and a backward (e^+i) complex transform. */
constexpr int kForward = -1, kBackward = 1;
/** Planner flag: pick an algorithm by heuristics, deterministically (FFTW_MEASURE times candidates). */
constexpr unsigned kEstimate = 1U << 6;

/** Entry points of libfftw3f; null members when the library is not loaded. */
struct Api {
    void* (*malloc)(unsigned long);
    void (*free)(void*);
    // Complex arrays are interleaved (re, im) floats, FFTW's fftwf_complex.
    Plan (*plan_dft_r2c_1d)(int, float*, float*, unsigned);
    Plan (*plan_dft_c2r_1d)(int, float*, float*, unsigned);
    Plan (*plan_dft_1d)(int, float*, float*, int, unsigned);
    void (*execute_dft_r2c)(Plan, float*, float*);
    void (*execute_dft_c2r)(Plan, float*, float*);
    void (*execute_dft)(Plan, float*, float*);
    void (*destroy_plan)(Plan);
};

/**
 * The resolved API, or null when libfftw3f.so.3 is not loaded in this process (resolution is attempted
 * again on the next call). Never loads the library itself: the Java native gate does.
 */
const Api* api();

}  // namespace fftw
}  // namespace torchsight
