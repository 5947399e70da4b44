/// Per-channel sums over an [N, C, d₂, …, d_k] tensor, added in exactly the order of
/// `sum(toShape: [1, C, 1, …, 1])`, but with the channels split over the kernel threads.
///
/// `sum(axes:)` reduces one axis at a time from the last: each trailing axis of length ≠ 1 by
/// `fourPartialSum` over contiguous rows, then axis 0 by adding the images' values in order
/// (image 0's value, + image 1's, …), or, with a single channel, where the images' values
/// are contiguous, by `fourPartialSum` over them. Per channel that is: reduce each image's
/// block of d₂·…·d_k values axis by axis, then add the images. So the bias and
/// scale gradients of a batch norm or a convolution keep their bits, whatever the thread
/// count, while the serial reduction no longer holds the other thread up.
enum OrderedChannelSums {
    /// `terms(channel, offset, first, second)` provides the terms of the block of image i and
    /// `channel` (its values start at `offset` = (i·C + channel)·plane in the tensor), `plane`
    /// values per sum, and returns where they are: it may write them into the scratch rows
    /// `first` and `second` and return those, or return a pointer into a tensor whose values
    /// are the terms themselves (a gradient summed as it is), which is then read in place,
    /// never copied. It may write other per-element results of the same pass on the way.
    /// `out0[c]` (and `out1[c]`, when given) get the sums of the first (second) terms.
    @inline(__always)
    static func run<T: TensorScalar>(shape: [Int], _ out0: UnsafeMutablePointer<T>, _ out1: UnsafeMutablePointer<T>?,
                                     _ terms: (_ channel: Int, _ offset: Int, _ first: UnsafeMutablePointer<T>,
                                               _ second: UnsafeMutablePointer<T>) -> (UnsafePointer<T>, UnsafePointer<T>)) {
        precondition(shape.count >= 2, "OrderedChannelSums: need [N, C, …], got \(shape)")
        let (n, channels) = (shape[0], shape[1])
        let trailing = Array(shape[2...])
        let plane = ShapeMath.count(trailing)
        if n == 0 || plane == 0 {
            // Nothing to add: the sums of empty axes are zero, as in `sum(axes:)`.
            out0.update(repeating: 0, count: channels)
            out1?.update(repeating: 0, count: channels)
            return
        }
        if channels == 1 {
            singleChannel(n: n, trailing: trailing, plane: plane, out0, out1, terms)
            return
        }
        forEachRange(channels, minimum: Swift.max(1, (1 << 15) / Swift.max(1, n * plane))) { range in
            let scratch = Scratch<T>(plane: plane, blocks: 0)
            defer { scratch.deallocate() }
            for c in range {
                var total0: T = 0, total1: T = 0
                for i in 0..<n {
                    let (first, second) = terms(c, (i * channels + c) * plane, scratch.first, scratch.second)
                    let block0 = reduceBlock(first, work: scratch.work, trailing, plane)
                    let block1 = out1 == nil ? 0 : reduceBlock(second, work: scratch.work, trailing, plane)
                    // Axis 0 starts from image 0's value itself, not from 0 + it.
                    total0 = i == 0 ? block0 : total0 + block0
                    total1 = i == 0 ? block1 : total1 + block1
                }
                out0[c] = total0
                out1?[c] = total1
            }
        }
    }

    /// One channel: the images' block sums are contiguous after the trailing axes are reduced,
    /// so axis 0 is a contiguous-row reduction too (`fourPartialSum`, not a running sum).
    @inline(__always)
    private static func singleChannel<T: TensorScalar>(
        n: Int, trailing: [Int], plane: Int, _ out0: UnsafeMutablePointer<T>, _ out1: UnsafeMutablePointer<T>?,
        _ terms: (Int, Int, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> (UnsafePointer<T>, UnsafePointer<T>)
    ) {
        let scratch = Scratch<T>(plane: plane, blocks: n)
        defer { scratch.deallocate() }
        let (blocks0, blocks1) = (scratch.blocks, scratch.blocks + n)
        for i in 0..<n {
            let (first, second) = terms(0, i * plane, scratch.first, scratch.second)
            blocks0[i] = reduceBlock(first, work: scratch.work, trailing, plane)
            if out1 != nil { blocks1[i] = reduceBlock(second, work: scratch.work, trailing, plane) }
        }
        // An axis of length 1 is skipped: the single image's value is the sum.
        out0[0] = n == 1 ? blocks0[0] : fourPartialSum(blocks0, n)
        if let out1 { out1[0] = n == 1 ? blocks1[0] : fourPartialSum(blocks1, n) }
    }

    /// One thread's buffers: the two term rows, the partial sums of a block's reduction, and
    /// (one channel) the images' block sums.
    private struct Scratch<T: TensorScalar> {
        let first, second, work, blocks: UnsafeMutablePointer<T>
        init(plane: Int, blocks count: Int) {
            let base = UnsafeMutablePointer<T>.allocate(capacity: 3 * plane + 2 * count)
            (first, second, work, blocks) = (base, base + plane, base + 2 * plane, base + 3 * plane)
        }
        func deallocate() { first.deallocate() }
    }

    /// One image's block of `plane` values at `values` reduced over its trailing axes, last
    /// first: axis `a` of length d turns each contiguous row of d values into its
    /// `fourPartialSum`; axes of length 1 are skipped, as `sum(axes:)` skips them. The first
    /// reduction reads `values` and writes its row sums into `work` (`plane` elements);
    /// later ones reduce `work` in place.
    @inline(__always)
    private static func reduceBlock<T: TensorScalar>(_ values: UnsafePointer<T>, work: UnsafeMutablePointer<T>,
                                                     _ trailing: [Int], _ plane: Int) -> T {
        if plane == 1 { return values[0] }
        var (length, source) = (plane, values)
        for axis in trailing.indices.reversed() where trailing[axis] != 1 {
            let d = trailing[axis]
            let rows = length / d
            for r in 0..<rows { work[r] = fourPartialSum(source + r * d, d) }
            (length, source) = (rows, UnsafePointer(work))
        }
        return work[0]
    }
}
