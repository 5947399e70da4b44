/// Per-channel sums over an [N, C, d₂, …, d_k] tensor, added in exactly the order of
/// `sum(toShape: [1, C, 1, …, 1])`, but with the channels split over the kernel threads.
///
/// `sum(axes:)` reduces one axis at a time from the last: each trailing axis of length ≠ 1 by
/// `fourPartialSum` over contiguous rows, then axis 0 by adding the images' values in order
/// (image 0's value, + image 1's, …), or, with a single channel, where the images' values
/// are contiguous, by `fourPartialSum` over them. Per channel that is: reduce each image's
/// block of d₂·…·d_k values axis by axis in place, then add the images. So the bias and
/// scale gradients of a batch norm or a convolution keep their bits, whatever the thread
/// count, while the serial reduction no longer holds the other thread up.
enum OrderedChannelSums {
    /// `terms(channel, offset, first, second)` writes the terms of the block of image i and
    /// `channel` (its values start at `offset` = (i·C + channel)·plane in the tensor) into
    /// `first` (and `second` when `out1` is given), `plane` values each; it may write other
    /// per-element results of the same pass on the way. `out0[c]` (and `out1[c]`) get the sums.
    @inline(__always)
    static func run<T: TensorScalar>(shape: [Int], _ out0: UnsafeMutablePointer<T>, _ out1: UnsafeMutablePointer<T>?,
                                     _ terms: (_ channel: Int, _ offset: Int, _ first: UnsafeMutablePointer<T>,
                                               _ second: UnsafeMutablePointer<T>) -> Void) {
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
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: 2 * plane)
            defer { scratch.deallocate() }
            let (first, second) = (scratch, scratch + plane)
            for c in range {
                var total0: T = 0, total1: T = 0
                for i in 0..<n {
                    terms(c, (i * channels + c) * plane, first, second)
                    let block0 = reduceBlock(first, trailing, plane)
                    let block1 = out1 == nil ? 0 : reduceBlock(second, trailing, plane)
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
    private static func singleChannel<T: TensorScalar>(n: Int, trailing: [Int], plane: Int,
                                                       _ out0: UnsafeMutablePointer<T>, _ out1: UnsafeMutablePointer<T>?,
                                                       _ terms: (Int, Int, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> Void) {
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: 2 * plane + 2 * n)
        defer { scratch.deallocate() }
        let (first, second, blocks0, blocks1) = (scratch, scratch + plane, scratch + 2 * plane, scratch + 2 * plane + n)
        for i in 0..<n {
            terms(0, i * plane, first, second)
            blocks0[i] = reduceBlock(first, trailing, plane)
            if out1 != nil { blocks1[i] = reduceBlock(second, trailing, plane) }
        }
        // An axis of length 1 is skipped: the single image's value is the sum.
        out0[0] = n == 1 ? blocks0[0] : fourPartialSum(blocks0, n)
        if let out1 { out1[0] = n == 1 ? blocks1[0] : fourPartialSum(blocks1, n) }
    }

    /// One image's block reduced over its trailing axes, last first, in place: axis `a` of
    /// length d turns each contiguous row of d values into its `fourPartialSum`; axes of
    /// length 1 are skipped, as `sum(axes:)` skips them.
    @inline(__always)
    private static func reduceBlock<T: TensorScalar>(_ values: UnsafeMutablePointer<T>, _ trailing: [Int], _ plane: Int) -> T {
        if plane == 1 { return values[0] }
        var length = plane
        for axis in trailing.indices.reversed() where trailing[axis] != 1 {
            let d = trailing[axis]
            let rows = length / d
            for r in 0..<rows { values[r] = fourPartialSum(values + r * d, d) }
            length = rows
        }
        return values[0]
    }
}
