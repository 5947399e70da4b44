import Tensor

/// Small host-side reductions the trainer (and the particle model and double oracle) use for
/// their checks and reports, accumulated in Double and in sorted-name order so results never
/// depend on dictionary order.
public enum Numerics {
    /// √(Σ over tensors of Σ g²).
    public static func globalNorm(_ tensors: [String: Tensor]) -> Double {
        var sum = 0.0
        for name in tensors.keys.sorted() { sum += sumOfSquares(tensors[name]!) }
        return sum.squareRoot()
    }

    /// Σ g² in Double, over eight interleaved partial sums combined in a fixed order: one
    /// running sum is a chain of dependent adds (about 4 cycles an element; these scans over
    /// every gradient each step were several per cent of a PacGAN-ring step).
    static func sumOfSquares(_ t: Tensor) -> Double {
        switch t.dtype {
        case .float32: return t.withUnsafeBufferPointer(as: Float.self) { p in sumOfSquares(p) { Double($0) } }
        case .float64: return t.withUnsafeBufferPointer(as: Double.self) { p in sumOfSquares(p) { $0 } }
        }
    }

    @inline(__always)
    private static func sumOfSquares<T>(_ p: UnsafeBufferPointer<T>, _ widen: (T) -> Double) -> Double {
        var s = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 8 <= p.count {
            let v = (widen(p[i]), widen(p[i + 1]), widen(p[i + 2]), widen(p[i + 3]),
                     widen(p[i + 4]), widen(p[i + 5]), widen(p[i + 6]), widen(p[i + 7]))
            s.0 += v.0 * v.0; s.1 += v.1 * v.1; s.2 += v.2 * v.2; s.3 += v.3 * v.3
            s.4 += v.4 * v.4; s.5 += v.5 * v.5; s.6 += v.6 * v.6; s.7 += v.7 * v.7
            i += 8
        }
        while i < p.count { let v = widen(p[i]); s.0 += v * v; i += 1 }
        return ((s.0 + s.1) + (s.2 + s.3)) + ((s.4 + s.5) + (s.6 + s.7))
    }

    /// No NaN or infinity: an OR over "all exponent bits set" flags, which vectorises where
    /// an early-exit scan does not (the values are almost always all finite).
    public static func isFinite(_ t: Tensor) -> Bool {
        switch t.dtype {
        case .float32:
            return t.withUnsafeBufferPointer(as: Float.self) { p in
                var bad: UInt32 = 0
                for x in p { bad |= (x.bitPattern & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0 }
                return bad == 0
            }
        case .float64:
            return t.withUnsafeBufferPointer(as: Double.self) { p in
                var bad: UInt64 = 0
                for x in p { bad |= (x.bitPattern & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000 ? 1 : 0 }
                return bad == 0
            }
        }
    }

    /// The first (sorted) name whose tensor holds a NaN or infinity.
    public static func firstNonFinite(_ tensors: [String: Tensor]) -> String? {
        tensors.keys.sorted().first { !isFinite(tensors[$0]!) }
    }

    /// Mean and maximum of a tensor's values.
    static func meanAndMax(_ t: Tensor) -> (mean: Double, max: Double) {
        let values = t.doubles
        guard !values.isEmpty else { return (0, 0) }
        return (values.reduce(0, +) / Double(values.count), values.max()!)
    }
}
