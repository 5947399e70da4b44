import CKernels
import RealModule

/// Sequential draws from one key (for small host-side needs such as shuffles). It walks the
/// Philox counter, so the same key always yields the same sequence.
public struct RandomStream: Sendable {
    public let key: RandomKey
    private var index: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    public init(key: RandomKey) { self.key = key }

    public mutating func nextUInt32() -> UInt32 {
        if used == 4 {
            buffer = Philox4x32.block(index: index, stream: 1, key: key)
            index += 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func nextUInt64() -> UInt64 { UInt64(nextUInt32()) << 32 | UInt64(nextUInt32()) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(nextUInt64() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<n, without modulo bias (rejection on 64-bit draws).
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:): bound must be positive, got \(n)")
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = nextUInt64()
            if r < limit { return Int(r % bound) }
        }
    }

    /// A standard normal draw (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextDouble(), u2 = nextDouble()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
    }
}

@inline(__always)
private func unitDouble(_ hi: UInt32, _ lo: UInt32) -> Double { Double((UInt64(hi) << 32 | UInt64(lo)) >> 11) * 0x1p-53 }

extension Tensor {
    /// Uniform draws in [low, high). Element i depends only on (key, i).
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, key: RandomKey,
                               dtype: DType = .float32) -> Tensor {
        let n = ShapeMath.count(shape)
        let out = TensorStorage(count: n, dtype: dtype)
        let scale = high - low
        switch dtype {
        case .float32:
            // low + scale·u can round up to high; the largest value below it is the cap.
            let cap = scale > 0 ? Float(high).nextDown : Float(low)
            // Element i is word i of stream 0 (C kernel, vectorised for the CPU's widest unit).
            eq_uniform_f32(out.typed(Float.self), Int64(n), 0, key.k0, key.k1, Float(low), Float(scale), cap)
        case .float64:
            let p = out.typed(Double.self)
            let cap = scale > 0 ? high.nextDown : low
            var i = 0
            while i < n {
                let b = Philox4x32.block(index: UInt64(i / 2), key: key)
                p[i] = Swift.min(low + scale * unitDouble(b.0, b.1), cap)
                if i + 1 < n { p[i + 1] = Swift.min(low + scale * unitDouble(b.2, b.3), cap) }
                i += 2
            }
        }
        return Tensor(storage: out, shape: shape)
    }

    /// Normal draws N(mean, std²) by Box–Muller; element i depends only on (key, i).
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, key: RandomKey,
                              dtype: DType = .float32) -> Tensor {
        let n = ShapeMath.count(shape)
        let out = TensorStorage(count: n, dtype: dtype)
        // Each Philox block gives two (u1, u2) pairs at float precision or one at double.
        switch dtype {
        case .float32:
            // Element i uses words 2⌊i/2⌋ and 2⌊i/2⌋ + 1 of stream 2, so it depends only on
            // (key, i). Box–Muller with polynomial log and sin/cos in the C kernel, vectorised
            // for the CPU's widest unit (bit-identical on every one; FastMathAccuracyTests).
            eq_normal_f32(out.typed(Float.self), Int64(n), 2, key.k0, key.k1, Float(mean), Float(std))
        case .float64:
            let p = out.typed(Double.self)
            var i = 0
            while i < n {
                let b = Philox4x32.block(index: UInt64(i / 2), stream: 2, key: key)
                let u1 = 1 - unitDouble(b.0, b.1), u2 = unitDouble(b.2, b.3)
                let r = (-2 * Double.log(u1)).squareRoot(), t = 2 * Double.pi * u2
                p[i] = mean + std * r * Double.cos(t)
                if i + 1 < n { p[i + 1] = mean + std * r * Double.sin(t) }
                i += 2
            }
        }
        return Tensor(storage: out, shape: shape)
    }

    /// 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], p: Double, key: RandomKey, dtype: DType = .float32) -> Tensor {
        precondition(p >= 0 && p <= 1, "bernoulli: probability \(p) is outside [0, 1]")
        return uniform(shape, key: key, dtype: .float64).less(p).cast(to: dtype)
    }
}

/// Host-side random choices driven by explicit keys.
public enum Random {
    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public static func permutation(_ n: Int, key: RandomKey) -> [Int] {
        var stream = RandomStream(key: key)
        var result = Array(0..<n)
        if n < 2 { return result }
        for i in stride(from: n - 1, to: 0, by: -1) {
            result.swapAt(i, stream.nextInt(below: i + 1))
        }
        return result
    }

    /// `count` draws from the categorical distribution with (unnormalised, non-negative)
    /// weights `probabilities`.
    public static func categorical(_ probabilities: [Double], count: Int, key: RandomKey) -> [Int] {
        precondition(!probabilities.isEmpty, "categorical: no categories")
        precondition(probabilities.allSatisfy { $0 >= 0 && $0.isFinite }, "categorical: weights must be finite and ≥ 0, got \(probabilities)")
        let total = probabilities.reduce(0, +)
        precondition(total > 0, "categorical: weights sum to zero")
        var cumulative = [Double]()
        var running = 0.0
        for p in probabilities { running += p / total; cumulative.append(running) }
        var stream = RandomStream(key: key)
        return (0..<count).map { _ in
            let u = stream.nextDouble()
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
    }

    /// One draw per row of `logits` [B, K] from softmax(logits[b]).
    public static func categorical(logits: Tensor, key: RandomKey) -> [Int] {
        precondition(logits.rank == 2, "categorical(logits:): expected [batch, classes], got \(logits.shape)")
        let probs = logits.detached().softmax(axis: 1).doubles
        let k = logits.shape[1]
        let keys = key.split(into: logits.shape[0])
        return (0..<logits.shape[0]).map { b in categorical(Array(probs[b * k ..< (b + 1) * k]), count: 1, key: keys[b])[0] }
    }
}
