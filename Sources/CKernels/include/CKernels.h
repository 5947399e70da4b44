#ifndef EQUILIBRIUM_CKERNELS_H
#define EQUILIBRIUM_CKERNELS_H

// What the Swift targets cannot express well:
// - Hot kernels that gain from the CPU's wider vector units. The Swift targets are built for
//   baseline x86-64 (SSE2) so the binary runs anywhere; Swift has no per-function target
//   attribute, so these few loops live in C, compiled once per instruction set and picked at
//   run time. Every variant performs the same IEEE operations in the same order (no
//   floating-point contraction), so the results are bit-identical whichever one runs.
// - The kernel threads' worker pool, whose helpers spin between jobs (pool.c), built on
//   pthreads and C11-style atomics.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction-set levels a kernel can be dispatched to.
typedef enum {
    EQKernelISABaseline = 0,  // the compiler's default target (SSE2 on x86-64, NEON on arm64)
    EQKernelISAAVX2 = 1,      // AVX2 + FMA (x86-64-v3)
    EQKernelISAAVX512 = 2,    // AVX-512 F/DQ/BW/VL (x86-64-v4)
} EQKernelISA;

/// The best level the CPU and OS support, capped by EQUILIBRIUM_KERNEL_ISA in the environment.
EQKernelISA eq_kernels_supported_isa(void);

/// The level this process's kernels run at: `eq_kernels_supported_isa()`, capped by
/// `eq_kernels_set_isa_limit`.
EQKernelISA eq_kernels_isa(void);

/// Caps the level (for tests that compare the variants, and for benchmarks); a negative value
/// removes the cap. Returns the level now in effect.
EQKernelISA eq_kernels_set_isa_limit(int limit);

/// `n` uniform Float32 draws: element i is low + scale·(w >> 8)·2⁻²⁴ for word i of Philox-4x32-10
/// `stream` under the key (k0, k1) (word i is word i mod 4 of block ⌊i/4⌋), capped at `cap`.
void eq_uniform_f32(float *out, int64_t n, uint32_t stream, uint32_t k0, uint32_t k1,
                    float low, float scale, float cap);

/// `n` draws of N(mean, std²) in Float32: element i is Box–Muller on words 2⌊i/2⌋ and
/// 2⌊i/2⌋ + 1 of `stream` (cosine branch for even i, sine for odd), so it depends only on the
/// key and i. The log and sin/cos are the polynomials documented in random.c.
void eq_normal_f32(float *out, int64_t n, uint32_t stream, uint32_t k0, uint32_t k1,
                   float mean, float std);

/// The same transform on given words: 2·pairs outputs from 2·pairs words (for accuracy tests).
void eq_normal_f32_from_words(float *out, const uint32_t *words, int64_t pairs,
                              float mean, float std);

/// One part of a parallel job: `task(context, part)`.
typedef void (*eq_pool_task)(void *context, int64_t part);

/// Runs task(context, w) for w in 0 ..< workers and returns when all have finished: part 0 on
/// the calling thread, part w on helper thread w, which spins for a short while between jobs
/// before it sleeps (pool.c says why), or on the calling thread when helper w has not started
/// it by the time part 0 is done (a helper the machine descheduled does not hold up the job).
/// Each part runs exactly once; the split, and so any result, is the caller's choice alone. A
/// call made while another job is in flight (from inside a task, or from a second thread), or
/// with more than 128 workers, runs its parts inline, in order.
void eq_pool_run(int64_t workers, eq_pool_task task, void *context);

/// Runs task(context, part) for every part in 0 ..< parts on up to `workers` threads, handing
/// the parts out one at a time to whichever thread is free (an atomic counter), so a thread
/// that loses its CPU for a while holds up only the part it is on. Which thread runs a part
/// varies from call to call; callers use it only for parts that are computed independently
/// and write disjoint memory, whose results therefore do not depend on it.
void eq_pool_run_parts(int64_t parts, int64_t workers, eq_pool_task task, void *context);

#ifdef __cplusplus
}
#endif

#endif
