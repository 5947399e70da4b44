/// The reference-counted buffer behind a tensor. Tensors share it freely and copy it only
/// when one of them mutates a shared buffer (copy-on-write, see `Tensor.makeUnique`).
public final class TensorStorage: @unchecked Sendable {
    // @unchecked: the buffer is written only while building a fresh tensor or through a
    // uniquely referenced storage (checked with `isKnownUniquelyReferenced`), so no two
    // threads ever see a write and a read of the same buffer.
    let pointer: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType

    /// Allocates uninitialised memory for `count` elements, 64-byte aligned for SIMD and BLAS.
    init(count: Int, dtype: DType) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        self.dtype = dtype
        self.pointer = UnsafeMutableRawPointer.allocate(
            byteCount: max(count * dtype.byteSize, 1), alignment: 64)
    }

    /// Allocates memory filled with zeros.
    convenience init(zeros count: Int, dtype: DType) {
        self.init(count: count, dtype: dtype)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
    }

    deinit { pointer.deallocate() }

    @inline(__always)
    func typed<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        pointer.assumingMemoryBound(to: T.self)
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(count: count, dtype: dtype)
        result.pointer.copyMemory(from: pointer, byteCount: count * dtype.byteSize)
        return result
    }
}
