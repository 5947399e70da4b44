/// glibc serves every allocation above its mmap threshold (128 KB, rising to at most 32 MB)
/// with fresh pages from the kernel and returns them on free, so a training step that
/// allocates and frees the same few-megabyte activations each time page-faults on all of
/// them again: about 3 % of a DCGAN step in `perf`. The CLI keeps such blocks in the heap
/// instead; freed memory above `trimThreshold` at the heap's top still goes back to the
/// system, so large one-off buffers (an evaluation's samples) do not stay resident.
enum AllocatorTuning {
    static let mmapThreshold: Int32 = 64 << 20
    static let trimThreshold: Int32 = 256 << 20

    static func apply() {
        #if os(Linux)
        // <malloc.h>'s M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
        _ = glibcMallopt(-1, trimThreshold)
        _ = glibcMallopt(-3, mmapThreshold)
        #endif
    }
}

#if os(Linux)
// mallopt is declared in <malloc.h>, which the Glibc module does not export; its C signature
// is int mallopt(int, int).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
