// The kernel threads' worker pool: helper threads that spin briefly between parallel regions
// before they sleep. On the virtual machines this project runs on, waking a sleeping thread
// took about 100 µs (the idle vCPU is halted and must be rescheduled by the host), while a
// DCGAN training step has about a hundred parallel regions, many of them shorter than that;
// with libdispatch's concurrentPerform, whose idle workers sleep, the second thread joined late
// or not at all. OpenMP runtimes spin for the same reason (GOMP_SPINCOUNT, KMP_BLOCKTIME).
//
// `eq_pool_run` runs part w on helper w, or on the caller when helper w has not started it by
// the time the caller's own part is done; `eq_pool_run_parts` hands parts to whichever thread
// is free. Parts are computed independently of the thread that runs them, so the pool never
// changes a result.

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "CKernels.h"

#define EQ_POOL_MAX_HELPERS 127  // workers fit the job word's low 8 bits
// How long an idle helper spins before it sleeps: longer than the gaps between the parallel
// regions of a training step, short enough that an idle process stops using the CPU at once.
#define EQ_POOL_SPIN_NANOSECONDS 2000000ull

// The job word: a counter (bumped per job) in the high bits and the job's worker count in the
// low 8 bits, published in one atomic store, so a helper decides from one load whether it
// takes part. A helper that claims its part (its slot, below) is waited for before the next
// job is published, so it reads job_task and job_context of its own job; one that does not
// reads nothing else.
static uint64_t job_word;
static eq_pool_task job_task;
static void *job_context;
static int64_t remaining;    // parts 1 ..< workers of the current job not yet finished
// Per helper, who runs its part of the current job: the job's counter times 4 plus a state.
// The caller sets PENDING before it publishes the job; the helper, when it sees the job, and
// the caller, once its own part is done, both try to move PENDING on (to RUNNING, to STOLEN),
// and exactly one succeeds. So a helper the machine has descheduled does not hold up the
// region: the caller runs its part instead (the same part, so the same result), and the late
// helper, finding its slot taken, touches nothing of the job.
enum { SLOT_PENDING = 0, SLOT_RUNNING = 1, SLOT_STOLEN = 2 };
static uint64_t slots[EQ_POOL_MAX_HELPERS + 1];
static int sleepers;         // helpers waiting on `wake`
static int busy;             // a job is in flight (nested or concurrent calls run inline)
static int helper_count;     // guarded by spawn_mutex
static pthread_mutex_t spawn_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static uint64_t now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

typedef struct {
    int64_t index;   // 1 ... helper_count; worker 0 is the caller
    uint64_t seen;   // the job word when it was created
} helper_start;

static void *helper_main(void *argument) {
    const helper_start start = *(helper_start *)argument;
    free(argument);
    uint64_t seen = start.seen;
    // Only a helper that took part in the last job spins: one outside the current worker
    // count (after the count went down) sleeps straight away instead of taking a core.
    int took_part = 1;
    for (;;) {
        uint64_t word;
        const uint64_t spin_start = now_nanoseconds();
        unsigned spins = 0;
        while ((word = __atomic_load_n(&job_word, __ATOMIC_ACQUIRE)) == seen) {
            cpu_relax();
            if (++spins % 256 != 0 && took_part) continue;
            // Every 256 spins: let another thread have this core if one is waiting (more
            // threads than cores), and sleep once the spin time is up.
            sched_yield();
            if (!took_part || now_nanoseconds() - spin_start > EQ_POOL_SPIN_NANOSECONDS) {
                // Sleep. The sleeper count goes up before the word is read again and the
                // caller reads the count after publishing (both sequentially consistent), so
                // either this thread sees the new job or the caller sees a sleeper and wakes it.
                pthread_mutex_lock(&sleep_mutex);
                __atomic_add_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
                while ((word = __atomic_load_n(&job_word, __ATOMIC_SEQ_CST)) == seen)
                    pthread_cond_wait(&wake, &sleep_mutex);
                __atomic_sub_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
                pthread_mutex_unlock(&sleep_mutex);
                break;
            }
        }
        seen = word;
        took_part = start.index < (int64_t)(word & 0xFF);
        if (took_part) {
            uint64_t pending = (word >> 8) * 4 + SLOT_PENDING;
            if (__atomic_compare_exchange_n(&slots[start.index], &pending, pending + SLOT_RUNNING, 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                job_task(job_context, start.index);
                __atomic_sub_fetch(&remaining, 1, __ATOMIC_RELEASE);
            }
        }
    }
    return NULL;
}

// Starts helpers up to `count`; returns how many exist. Called while `busy` is held, so the
// job word does not change during it.
static int ensure_helpers(int count) {
    pthread_mutex_lock(&spawn_mutex);
    while (helper_count < count) {
        helper_start *start = malloc(sizeof(helper_start));
        if (start == NULL) break;
        start->index = helper_count + 1;
        start->seen = __atomic_load_n(&job_word, __ATOMIC_ACQUIRE);
        pthread_t thread;
        if (pthread_create(&thread, NULL, helper_main, start) != 0) {
            free(start);
            break;
        }
        pthread_detach(thread);
        helper_count++;
    }
    const int available = helper_count;
    pthread_mutex_unlock(&spawn_mutex);
    return available;
}

static void run_inline(int64_t workers, eq_pool_task task, void *context) {
    for (int64_t w = 0; w < workers; w++) task(context, w);
}

void eq_pool_run(int64_t workers, eq_pool_task task, void *context) {
    if (workers <= 1 || workers > EQ_POOL_MAX_HELPERS + 1
        || __atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE) != 0) {
        run_inline(workers, task, context);
        return;
    }
    if (ensure_helpers((int)workers - 1) < workers - 1) {
        // Threads could not be started: the same parts, one after another.
        __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
        run_inline(workers, task, context);
        return;
    }
    job_task = task;
    job_context = context;
    __atomic_store_n(&remaining, workers - 1, __ATOMIC_RELAXED);
    const uint64_t counter = (__atomic_load_n(&job_word, __ATOMIC_RELAXED) >> 8) + 1;
    for (int64_t w = 1; w < workers; w++) __atomic_store_n(&slots[w], counter * 4 + SLOT_PENDING, __ATOMIC_RELAXED);
    __atomic_store_n(&job_word, counter << 8 | (uint64_t)workers, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) > 0) {
        pthread_mutex_lock(&sleep_mutex);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_mutex);
    }
    task(context, 0);
    // Parts whose helper has not started yet run here, now.
    for (int64_t w = 1; w < workers; w++) {
        uint64_t pending = counter * 4 + SLOT_PENDING;
        if (__atomic_compare_exchange_n(&slots[w], &pending, pending + SLOT_STOLEN, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            task(context, w);
            __atomic_sub_fetch(&remaining, 1, __ATOMIC_RELAXED);
        }
    }
    unsigned spins = 0;
    while (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) > 0) {
        cpu_relax();
        // A helper that lost its CPU (more threads than cores) gets it back sooner.
        if (++spins % 4096 == 0) sched_yield();
    }
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

// A job of `parts` independent parts, handed out by a shared counter: each worker takes the
// next part until none is left. Static splits (part w on worker w) make every parallel region
// wait for its slowest thread; on a shared VM a vCPU that is descheduled for a millisecond
// stalls the other thread that long. With parts handed out as threads come free, the other
// thread takes over the remaining parts instead.
typedef struct {
    eq_pool_task task;
    void *context;
    int64_t parts;
    int64_t next;
} parts_job;

static void run_parts(void *context, int64_t worker) {
    (void)worker;
    parts_job *job = context;
    for (;;) {
        const int64_t part = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (part >= job->parts) return;
        job->task(job->context, part);
    }
}

void eq_pool_run_parts(int64_t parts, int64_t workers, eq_pool_task task, void *context) {
    if (parts <= 0) return;
    if (workers > parts) workers = parts;
    parts_job job = {task, context, parts, 0};
    // Inline (one worker, or the pool busy), worker 0 takes every part in order.
    eq_pool_run(workers, run_parts, &job);
}
