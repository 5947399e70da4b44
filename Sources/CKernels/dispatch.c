// Picks the instruction-set level for the kernels once per process (see CKernels.h).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CKernels.h"
#include "dispatch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XCR0: which register states the OS saves on a context switch. A CPU can report AVX-512
// while the OS (or a hypervisor) leaves its state unsaved; then it must not be used.
static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static EQKernelISA detect(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return EQKernelISABaseline;
    const int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1;
    if (!osxsave || !avx) return EQKernelISABaseline;
    const uint64_t xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return EQKernelISABaseline;  // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return EQKernelISABaseline;
    const int avx2 = (ebx >> 5) & 1;
    const int avx512 = ((ebx >> 16) & 1) && ((ebx >> 17) & 1) && ((ebx >> 30) & 1) && ((ebx >> 31) & 1);
    // The AVX-512 variants are compiled with AVX2 and FMA too.
    if (avx512 && avx2 && fma && (xcr0 & 0xE6) == 0xE6) return EQKernelISAAVX512;  // + opmask and ZMM state
    if (avx2 && fma) return EQKernelISAAVX2;
    return EQKernelISABaseline;
}
#else
static EQKernelISA detect(void) { return EQKernelISABaseline; }
#endif

// EQUILIBRIUM_KERNEL_ISA=baseline|avx2|avx512 caps the level (for side-by-side timings with
// one binary); anything else is reported and ignored.
static int environment_cap(void) {
    const char *value = getenv("EQUILIBRIUM_KERNEL_ISA");
    if (value == NULL || *value == 0) return -1;
    if (strcmp(value, "baseline") == 0) return EQKernelISABaseline;
    if (strcmp(value, "avx2") == 0) return EQKernelISAAVX2;
    if (strcmp(value, "avx512") == 0) return EQKernelISAAVX512;
    fprintf(stderr, "warning: EQUILIBRIUM_KERNEL_ISA=%s is not one of baseline, avx2, avx512; ignored\n", value);
    return -1;
}

// -1: not detected yet. Detection is idempotent, so a race only repeats it (and at worst
// prints the environment warning twice).
static int detected = -1;
static int limit = -1;

EQKernelISA eq_kernels_supported_isa(void) {
    int level = __atomic_load_n(&detected, __ATOMIC_RELAXED);
    if (level < 0) {
        level = (int)detect();
        const int cap = environment_cap();
        if (cap >= 0 && cap < level) level = cap;
        __atomic_store_n(&detected, level, __ATOMIC_RELAXED);
    }
    return (EQKernelISA)level;
}

EQKernelISA eq_kernels_isa(void) {
    const int level = (int)eq_kernels_supported_isa();
    const int cap = __atomic_load_n(&limit, __ATOMIC_RELAXED);
    return (EQKernelISA)(cap >= 0 && cap < level ? cap : level);
}

EQKernelISA eq_kernels_set_isa_limit(int newLimit) {
    __atomic_store_n(&limit, newLimit < 0 ? -1 : newLimit, __ATOMIC_RELAXED);
    return eq_kernels_isa();
}
