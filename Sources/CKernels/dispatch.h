#ifndef EQUILIBRIUM_CKERNELS_DISPATCH_H
#define EQUILIBRIUM_CKERNELS_DISPATCH_H

// Compiles a kernel body once per instruction set. `EQ_KERNEL_VARIANTS(name, params, args)`
// expects `static inline name##_body(params)` marked EQ_INLINE and defines name##_baseline,
// name##_avx2 and name##_avx512 that inline it under each target, plus `name##_dispatch(args)`,
// which calls the variant for eq_kernels_isa().

#include "CKernels.h"

#define EQ_INLINE static inline __attribute__((always_inline))

#if defined(__x86_64__) || defined(__i386__)
#define EQ_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define EQ_TARGET_AVX512 __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl")))
#define EQ_KERNEL_VARIANTS(name, params, args)                                         \
    static void name##_baseline params { name##_body args; }                          \
    EQ_TARGET_AVX2 static void name##_avx2 params { name##_body args; }               \
    EQ_TARGET_AVX512 static void name##_avx512 params { name##_body args; }           \
    static void name##_dispatch params {                                              \
        switch (eq_kernels_isa()) {                                                   \
        case EQKernelISAAVX512: name##_avx512 args; break;                            \
        case EQKernelISAAVX2: name##_avx2 args; break;                                \
        default: name##_baseline args; break;                                         \
        }                                                                             \
    }
#else
#define EQ_KERNEL_VARIANTS(name, params, args)                                         \
    static void name##_dispatch params { name##_body args; }
#endif

#endif
