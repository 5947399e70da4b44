import Foundation

/// An n-dimensional array of `Float` or `Double`, row-major, with value semantics.
///
/// A tensor that takes part in differentiation carries a `GradNode`: leaves get one from
/// `requiringGrad()`, and every op whose inputs have one records how to push gradients back.
/// Tensors without a node cost nothing extra: no graph is built for them.
public struct Tensor: @unchecked Sendable {
    // @unchecked: `storage` is shared between values but only mutated when uniquely
    // referenced (copy-on-write); `node` is immutable once created.
    @usableFromInline var storage: TensorStorage
    public private(set) var shape: [Int]
    @usableFromInline var node: GradNode?

    init(storage: TensorStorage, shape: [Int], node: GradNode? = nil) {
        precondition(storage.count == ShapeMath.count(shape),
                     "Tensor: storage holds \(storage.count) elements but shape \(shape) needs \(ShapeMath.count(shape))")
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// Element type.
    public var dtype: DType { storage.dtype }
    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Whether gradients can flow to this tensor (it is a leaf that asked for them, or the
    /// result of an op on such tensors).
    public var requiresGrad: Bool { node != nil }
}

// MARK: - Creation

extension Tensor {
    /// A tensor from row-major values; `shape` defaults to a vector.
    public init(_ values: [Float], shape: [Int]? = nil) {
        self.init(values, shape: shape, as: Float.self)
    }

    /// A Float64 tensor from row-major values; `shape` defaults to a vector.
    public init(_ values: [Double], shape: [Int]? = nil) {
        self.init(values, shape: shape, as: Double.self)
    }

    /// A tensor from values of any scalar type, converted to `dtype`.
    public init<S: TensorScalar>(_ values: [S], shape: [Int]? = nil, dtype: DType) {
        let shape = shape ?? [values.count]
        precondition(ShapeMath.count(shape) == values.count,
                     "Tensor(values:shape:): \(values.count) values do not fill shape \(shape) (\(ShapeMath.count(shape)) elements)")
        let storage = TensorStorage(count: values.count, dtype: dtype)
        switch dtype {
        case .float32: for (i, v) in values.enumerated() { storage.typed(Float.self)[i] = Float(v) }
        case .float64: for (i, v) in values.enumerated() { storage.typed(Double.self)[i] = Double(v) }
        }
        self.init(storage: storage, shape: shape)
    }

    private init<S: TensorScalar>(_ values: [S], shape: [Int]?, as: S.Type) {
        let shape = shape ?? [values.count]
        precondition(ShapeMath.count(shape) == values.count,
                     "Tensor(values:shape:): \(values.count) values do not fill shape \(shape) (\(ShapeMath.count(shape)) elements)")
        let storage = TensorStorage(count: values.count, dtype: S.dtype)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.typed(S.self).update(from: base, count: values.count) }
        }
        self.init(storage: storage, shape: shape)
    }

    /// A rank-0 tensor holding one value.
    public init(scalar: Double, dtype: DType = .float32) {
        self.init([scalar], shape: [], dtype: dtype)
    }

    /// A tensor of the given shape filled with `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let storage = TensorStorage(count: ShapeMath.count(shape), dtype: dtype)
        switch dtype {
        case .float32: storage.typed(Float.self).update(repeating: Float(value), count: storage.count)
        case .float64: storage.typed(Double.self).update(repeating: value, count: storage.count)
        }
        return Tensor(storage: storage, shape: shape)
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(storage: TensorStorage(zeros: ShapeMath.count(shape), dtype: dtype), shape: shape)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// 0, 1, …, n−1 (times `step`, plus `start`) as a vector.
    public static func arange(_ n: Int, start: Double = 0, step: Double = 1, dtype: DType = .float32) -> Tensor {
        Tensor((0..<n).map { start + Double($0) * step }, shape: [n], dtype: dtype)
    }

    /// `n` evenly spaced values from `lo` to `hi` inclusive.
    public static func linspace(_ lo: Double, _ hi: Double, count n: Int, dtype: DType = .float32) -> Tensor {
        precondition(n >= 1, "linspace: count must be at least 1, got \(n)")
        let step = n > 1 ? (hi - lo) / Double(n - 1) : 0
        return Tensor((0..<n).map { $0 == n - 1 && n > 1 ? hi : lo + Double($0) * step }, shape: [n], dtype: dtype)
    }

    /// The identity matrix.
    public static func eye(_ n: Int, dtype: DType = .float32) -> Tensor {
        var values = [Double](repeating: 0, count: n * n)
        for i in 0..<n { values[i * n + i] = 1 }
        return Tensor(values, shape: [n, n], dtype: dtype)
    }

    /// Zeros with this tensor's shape and type.
    public func zerosLike() -> Tensor { .zeros(shape, dtype: dtype) }
    public func onesLike() -> Tensor { .ones(shape, dtype: dtype) }
}

// MARK: - Reading values

extension Tensor {
    /// All elements, row-major, converted to Float.
    public var floats: [Float] { scalars(as: Float.self) }
    /// All elements, row-major, converted to Double.
    public var doubles: [Double] { scalars(as: Double.self) }

    public func scalars<S: TensorScalar>(as: S.Type) -> [S] {
        switch dtype {
        case .float32:
            let p = storage.typed(Float.self)
            if S.self == Float.self { return Array(UnsafeBufferPointer(start: p, count: count)) as! [S] }
            return (0..<count).map { S(p[$0]) }
        case .float64:
            let p = storage.typed(Double.self)
            if S.self == Double.self { return Array(UnsafeBufferPointer(start: p, count: count)) as! [S] }
            return (0..<count).map { S(p[$0]) }
        }
    }

    /// The single value of a one-element tensor.
    public var item: Double {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected exactly 1")
        return self[flat: 0]
    }

    /// The element at a row-major flat index, as Double.
    public subscript(flat index: Int) -> Double {
        precondition(index >= 0 && index < count, "Tensor[flat:]: index \(index) out of range for \(count) elements")
        switch dtype {
        case .float32: return Double(storage.typed(Float.self)[index])
        case .float64: return storage.typed(Double.self)[index]
        }
    }

    /// The element at a multi-index, as Double.
    public subscript(_ indices: Int...) -> Double {
        precondition(indices.count == rank, "Tensor[...]: \(indices.count) indices for a tensor of rank \(rank)")
        var flat = 0
        for (i, (index, dim)) in zip(indices, shape).enumerated() {
            precondition(index >= 0 && index < dim, "Tensor[...]: index \(index) out of range for dimension \(i) of size \(dim)")
            flat = flat * dim + index
        }
        return self[flat: flat]
    }

    /// Read-only typed access to the elements; `T` must match `dtype`.
    public func withUnsafeBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withUnsafeBufferPointer: tensor holds \(dtype), accessed as \(T.dtype)")
        return try body(UnsafeBufferPointer(start: storage.typed(T.self), count: count))
    }

    /// Mutable typed access; copies the storage first if another tensor shares it.
    /// Mutating a tensor in place does not record anything in a gradient graph.
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withUnsafeMutableBufferPointer: tensor holds \(dtype), accessed as \(T.dtype)")
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: count))
    }

    /// Raw bytes of the elements (little-endian on every platform Swift runs on here).
    public func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.pointer, count: count * dtype.byteSize))
    }

    /// An in-place update without copy-on-write's copy: `body(old, new)` must write every
    /// element of `new`, element i from element i of `old` (and anything else). When no other
    /// tensor shares the storage (and `fresh` is false), `old` and `new` are the same memory;
    /// otherwise `new` is fresh storage and `old` the previous values, left untouched, so the
    /// update makes one pass over the elements instead of a copy and then a pass. Records
    /// nothing in a gradient graph.
    public mutating func withUnsafeUpdate<T: TensorScalar, R>(as: T.Type, fresh: Bool = false,
                                                           _ body: (_ old: UnsafeBufferPointer<T>, _ new: UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withUnsafeUpdate: tensor holds \(dtype), accessed as \(T.dtype)")
        if !fresh && isKnownUniquelyReferenced(&storage) {
            let p = storage.typed(T.self)
            return try body(UnsafeBufferPointer(start: p, count: count), UnsafeMutableBufferPointer(start: p, count: count))
        }
        let old = storage
        storage = TensorStorage(count: count, dtype: dtype)
        return try withExtendedLifetime(old) {
            try body(UnsafeBufferPointer(start: old.typed(T.self), count: count),
                     UnsafeMutableBufferPointer(start: storage.typed(T.self), count: count))
        }
    }

    /// Whether another tensor shares this one's storage (so writing it would copy it first).
    public mutating func isStorageShared() -> Bool { !isKnownUniquelyReferenced(&storage) }

    @usableFromInline
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Overwrites the values with another tensor's (same shape and dtype), in place.
    public mutating func assign(_ other: Tensor) {
        precondition(other.shape == shape, "assign: shape \(other.shape) does not match \(shape)")
        precondition(other.dtype == dtype, "assign: dtype \(other.dtype) does not match \(dtype)")
        if isKnownUniquelyReferenced(&storage) {
            storage.pointer.copyMemory(from: other.storage.pointer, byteCount: count * dtype.byteSize)
        } else {
            storage = other.storage.copy()
        }
    }

    /// The same values in another element type (differentiable).
    public func cast(to target: DType) -> Tensor {
        if target == dtype { return self }
        let out = TensorStorage(count: count, dtype: target)
        switch (dtype, target) {
        case (.float32, .float64):
            let s = storage.typed(Float.self), d = out.typed(Double.self)
            for i in 0..<count { d[i] = Double(s[i]) }
        case (.float64, .float32):
            let s = storage.typed(Double.self), d = out.typed(Float.self)
            for i in 0..<count { d[i] = Float(s[i]) }
        default: break
        }
        let source = dtype
        return Tensor.record("cast", output: out, shape: shape, inputs: [self]) { ctx in
            [ctx.grad.cast(to: source)]
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = doubles
        let shown = values.prefix(12).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        let more = values.count > 12 ? ", … (\(values.count) values)" : ""
        return "Tensor(\(dtype.rawValue) \(ShapeMath.describe(shape)): [\(shown)\(more)]\(requiresGrad ? ", grad" : ""))"
    }
}
