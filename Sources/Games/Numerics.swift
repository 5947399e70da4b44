import Tensor

/// Small host-side reductions the trainer uses for its checks and reports, accumulated in
/// Double and in sorted-name order so results never depend on dictionary order.
enum Numerics {
    /// √(Σ over tensors of Σ g²).
    static func globalNorm(_ tensors: [String: Tensor]) -> Double {
        var sum = 0.0
        for name in tensors.keys.sorted() { sum += sumOfSquares(tensors[name]!) }
        return sum.squareRoot()
    }

    static func sumOfSquares(_ t: Tensor) -> Double {
        switch t.dtype {
        case .float32: return t.withUnsafeBufferPointer(as: Float.self) { p in p.reduce(0.0) { $0 + Double($1) * Double($1) } }
        case .float64: return t.withUnsafeBufferPointer(as: Double.self) { p in p.reduce(0.0) { $0 + $1 * $1 } }
        }
    }

    static func isFinite(_ t: Tensor) -> Bool {
        switch t.dtype {
        case .float32: return t.withUnsafeBufferPointer(as: Float.self) { p in p.allSatisfy(\.isFinite) }
        case .float64: return t.withUnsafeBufferPointer(as: Double.self) { p in p.allSatisfy(\.isFinite) }
        }
    }

    /// The first (sorted) name whose tensor holds a NaN or infinity.
    static func firstNonFinite(_ tensors: [String: Tensor]) -> String? {
        tensors.keys.sorted().first { !isFinite(tensors[$0]!) }
    }

    /// Mean and maximum of a tensor's values.
    static func meanAndMax(_ t: Tensor) -> (mean: Double, max: Double) {
        let values = t.doubles
        guard !values.isEmpty else { return (0, 0) }
        return (values.reduce(0, +) / Double(values.count), values.max()!)
    }
}
