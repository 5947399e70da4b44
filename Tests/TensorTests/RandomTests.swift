import Testing
@testable import Tensor

/// Explicit keys: determinism, independence of split keys, distributions, and the
/// counter-based prefix property that makes results independent of thread count.
///
/// Statistical tolerances are five standard errors of the estimate for n = 100 000 draws,
/// so a correct generator fails with probability below 1e-6 per check (and the seeds are
/// fixed, so the outcome is deterministic anyway).
@Suite struct RandomTests {
    static let n = 100_000

    static func meanAndVariance(_ v: [Double]) -> (Double, Double) {
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)
        return (mean, variance)
    }

    @Test func sameKeySameNumbers() {
        let key = RandomKey(seed: 42)
        for dtype in [DType.float32, .float64] {
            #expect(Tensor.uniform([5, 7], key: key, dtype: dtype).doubles == Tensor.uniform([5, 7], key: key, dtype: dtype).doubles)
            #expect(Tensor.normal([9], key: key, dtype: dtype).doubles == Tensor.normal([9], key: key, dtype: dtype).doubles)
        }
        #expect(Tensor.bernoulli([20], p: 0.5, key: key).doubles == Tensor.bernoulli([20], p: 0.5, key: key).doubles)
        #expect(Random.permutation(50, key: key) == Random.permutation(50, key: key))
        #expect(Random.categorical([1, 2, 3], count: 30, key: key) == Random.categorical([1, 2, 3], count: 30, key: key))
        var a = RandomStream(key: key), b = RandomStream(key: key)
        for _ in 0..<10 { #expect(a.nextDouble() == b.nextDouble()) }
        #expect(RandomKey(seed: 42) == key)
        var k1 = RandomKey(seed: 9), k2 = RandomKey(seed: 9)
        #expect(k1.split() == k2.split())
        #expect(k1 == k2)
    }

    @Test func differentKeysGiveDifferentNumbers() {
        var key = RandomKey(seed: 1)
        let parent = key
        let a = key.split(), b = key.split()
        let keys = [parent, a, b, key] + parent.split(into: 4) + [parent.folded(in: 7), parent.folded(in: 8), RandomKey(seed: 2)]
        #expect(Set(keys).count == keys.count, "derived keys collide: \(keys)")
        let draws = keys.map { Tensor.uniform([8], key: $0).doubles }
        for i in draws.indices {
            for j in draws.indices where j > i {
                #expect(draws[i] != draws[j], "keys \(keys[i]) and \(keys[j]) give the same draws")
            }
        }
        // split(into:) leaves the key unchanged and is deterministic.
        #expect(parent.split(into: 3) == parent.split(into: 3))
        #expect(parent.split(into: 3) == Array(parent.split(into: 5).prefix(3)))
        // Nearby seeds are unrelated (no shared elements).
        let s0 = Set(Tensor.uniform([100], key: RandomKey(seed: 100), dtype: .float64).doubles)
        let s1 = Set(Tensor.uniform([100], key: RandomKey(seed: 101), dtype: .float64).doubles)
        #expect(s0.isDisjoint(with: s1))
    }

    @Test(arguments: [DType.float32, .float64])
    func uniformMoments(dtype: DType) {
        let u = Tensor.uniform([Self.n], key: RandomKey(seed: 3), dtype: dtype).doubles
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let (mean, variance) = Self.meanAndVariance(u)
        #expect(Swift.abs(mean - 0.5) < 5 * (1.0 / 12 / Double(Self.n)).squareRoot())
        #expect(Swift.abs(variance - 1.0 / 12) < 5 * ((1.0 / 80 - 1.0 / 144) / Double(Self.n)).squareRoot())
        let shifted = Tensor.uniform([Self.n], low: -2, high: 3, key: RandomKey(seed: 4), dtype: dtype).doubles
        #expect(shifted.allSatisfy { $0 >= -2 && $0 < 3 })
        let (m2, v2) = Self.meanAndVariance(shifted)
        #expect(Swift.abs(m2 - 0.5) < 5 * 5 * (1.0 / 12 / Double(Self.n)).squareRoot())
        #expect(Swift.abs(v2 - 25.0 / 12) < 25 * 5 * ((1.0 / 80 - 1.0 / 144) / Double(Self.n)).squareRoot())
        // Every tenth of the interval gets its share (χ²-free bin check at 5σ).
        var bins = [Int](repeating: 0, count: 10)
        for x in u { bins[Swift.min(Int(x * 10), 9)] += 1 }
        let expected = Double(Self.n) / 10, sd = (Double(Self.n) * 0.1 * 0.9).squareRoot()
        #expect(bins.allSatisfy { Swift.abs(Double($0) - expected) < 5 * sd }, "bins \(bins)")
    }

    /// Draws lie in [low, high): low + (high − low)·u must not round up to `high`. With
    /// low = 1, high = 2 in Float32, u = 1 − 2⁻²⁴ gives 2 − 2⁻²⁴, which rounds to 2; the key
    /// and index below were found by search to produce that u.
    @Test func uniformNeverReachesHigh() {
        let u = Tensor.uniform([1_238_006], low: 1, high: 2, key: RandomKey(seed: 0))
        let top = u.withUnsafeBufferPointer(as: Float.self) { $0.max() ?? 0 }
        #expect(top < 2, "uniform(low: 1, high: 2) returned \(top)")
    }

    @Test(arguments: [DType.float32, .float64])
    func normalMoments(dtype: DType) {
        let z = Tensor.normal([Self.n], key: RandomKey(seed: 5), dtype: dtype).doubles
        #expect(z.allSatisfy { $0.isFinite })
        let (mean, variance) = Self.meanAndVariance(z)
        let se = 1 / Double(Self.n).squareRoot()
        #expect(Swift.abs(mean) < 5 * se)
        #expect(Swift.abs(variance.squareRoot() - 1) < 5 * se / 2.0.squareRoot())
        // Tails: P(|z| > 2) = 0.0455.
        let tail = Double(z.filter { Swift.abs($0) > 2 }.count) / Double(Self.n)
        #expect(Swift.abs(tail - 0.0455) < 5 * (0.0455 * 0.9545 / Double(Self.n)).squareRoot())
        let scaled = Tensor.normal([Self.n], mean: 3, std: 2, key: RandomKey(seed: 6), dtype: dtype).doubles
        let (m2, v2) = Self.meanAndVariance(scaled)
        #expect(Swift.abs(m2 - 3) < 2 * 5 * se)
        #expect(Swift.abs(v2.squareRoot() - 2) < 2 * 5 * se / 2.0.squareRoot())
    }

    @Test func bernoulliRate() {
        for p in [0.0, 0.3, 1.0] {
            let b = Tensor.bernoulli([Self.n], p: p, key: RandomKey(seed: 7)).doubles
            #expect(b.allSatisfy { $0 == 0 || $0 == 1 })
            let rate = b.reduce(0, +) / Double(Self.n)
            #expect(Swift.abs(rate - p) <= 5 * (p * (1 - p) / Double(Self.n)).squareRoot(), "p = \(p): rate \(rate)")
        }
        #expect(Tensor.bernoulli([4], p: 0.5, key: RandomKey(seed: 1), dtype: .float64).dtype == .float64)
    }

    @Test func permutationIsADeterministicPermutation() {
        for n in [0, 1, 2, 10, 1000] {
            let p = Random.permutation(n, key: RandomKey(seed: 8))
            #expect(p.sorted() == Array(0..<n))
        }
        let a = Random.permutation(1000, key: RandomKey(seed: 8))
        #expect(a != Array(0..<1000))
        #expect(a != Random.permutation(1000, key: RandomKey(seed: 9)))
        // Each position is uniform: the element landing in position 0 over many keys.
        var counts = [Int](repeating: 0, count: 4)
        let trials = 8000
        for t in 0..<trials { counts[Random.permutation(4, key: RandomKey(seed: 10).folded(in: UInt64(t)))[0]] += 1 }
        let sd = (Double(trials) * 0.25 * 0.75).squareRoot()
        #expect(counts.allSatisfy { Swift.abs(Double($0) - Double(trials) / 4) < 5 * sd }, "\(counts)")
    }

    @Test func categoricalFrequencies() {
        let weights = [1.0, 2, 3, 0, 4]
        let draws = Random.categorical(weights, count: Self.n, key: RandomKey(seed: 11))
        var counts = [Int](repeating: 0, count: weights.count)
        for d in draws { counts[d] += 1 }
        #expect(counts[3] == 0, "a zero-weight category was drawn")
        for (i, w) in weights.enumerated() {
            let p = w / 10
            let frequency = Double(counts[i]) / Double(Self.n)
            #expect(Swift.abs(frequency - p) <= 5 * (p * (1 - p) / Double(Self.n)).squareRoot() + 1e-12,
                    "category \(i): \(frequency) vs \(p)")
        }
        // From logits: one draw per row, following softmax.
        let logits = Tensor([0, 0, 50, 50, 0, 0], shape: [2, 3], dtype: .float64)
        #expect(Random.categorical(logits: logits, key: RandomKey(seed: 12)) == [2, 0])
    }

    /// Element i of a random tensor depends only on (key, i): a longer draw extends a shorter
    /// one, whatever the shapes.
    @Test(arguments: [DType.float32, .float64])
    func counterBasedPrefixProperty(dtype: DType) {
        let key = RandomKey(seed: 13)
        for n in [1, 2, 3, 5, 7, 8, 9] {
            let long = Tensor.uniform([1003], key: key, dtype: dtype).doubles
            #expect(Tensor.uniform([n], key: key, dtype: dtype).doubles == Array(long.prefix(n)), "uniform n = \(n)")
            let longNormal = Tensor.normal([1003], key: key, dtype: dtype).doubles
            #expect(Tensor.normal([n], key: key, dtype: dtype).doubles == Array(longNormal.prefix(n)), "normal n = \(n)")
        }
        #expect(Tensor.uniform([2, 3], key: key, dtype: dtype).doubles == Tensor.uniform([6], key: key, dtype: dtype).doubles)
        #expect(Tensor.bernoulli([5], p: 0.4, key: key).doubles == Array(Tensor.bernoulli([50], p: 0.4, key: key).doubles.prefix(5)))
    }

    @Test func randomStreamDraws() {
        var s = RandomStream(key: RandomKey(seed: 14))
        var counts = [Int](repeating: 0, count: 7)
        var sum = 0.0, sumSquares = 0.0
        let trials = 70_000
        for _ in 0..<trials {
            let d = s.nextDouble()
            #expect(d >= 0 && d < 1)
            counts[s.nextInt(below: 7)] += 1
            let z = s.nextNormal()
            sum += z
            sumSquares += z * z
        }
        let sd = (Double(trials) / 7 * 6 / 7).squareRoot()
        #expect(counts.allSatisfy { Swift.abs(Double($0) - Double(trials) / 7) < 5 * sd }, "\(counts)")
        #expect(Swift.abs(sum / Double(trials)) < 5 / Double(trials).squareRoot())
        #expect(Swift.abs(sumSquares / Double(trials) - 1) < 5 * (2 / Double(trials)).squareRoot())
        #expect(s.nextInt(below: 1) == 0)
    }
}

/// The Philox-4x32-10 block function against the published known-answer vectors (Random123's
/// kat_vectors), and the vectorised uniform kernel against the block function.
@Suite struct PhiloxTests {
    @Test func knownAnswerVectors() {
        let cases: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), [UInt32])] = [
            ((0, 0, 0, 0), (0, 0), [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff),
             [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (counter, key, expected) in cases {
            let w = Philox4x32.block(counter, key: key)
            #expect([w.0, w.1, w.2, w.3] == expected)
        }
    }

    /// The Float32 uniform kernel (each instruction-set variant) against the block function one
    /// word at a time and the map written out in Swift, bit for bit: lengths around the
    /// 4-word blocks and the vector widths (8 and 16 blocks), and an empty interval.
    @Test func uniformKernelMatchesTheBlockFunction() {
        let key = RandomKey(seed: 99)
        let lengths = [1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1_037]
        InstructionSets.forEach { level in
            for (low, high) in [(0.0, 1.0), (-2.0, 3.0), (1.0, 1.0)] {
                let (l, s) = (Float(low), Float(high - low))
                let cap = high > low ? Float(high).nextDown : l
                for n in lengths {
                    let got = Tensor.uniform([n], low: low, high: high, key: key).floats.map(\.bitPattern)
                    let expected = (0..<n).map { i -> UInt32 in
                        let b = Philox4x32.block(index: UInt64(i / 4), stream: 0, key: key)
                        let w = [b.0, b.1, b.2, b.3][i % 4]
                        return Swift.min(l + s * (Float(w >> 8) * 0x1p-24), cap).bitPattern
                    }
                    #expect(got == expected, "\(level): [\(low), \(high)), n = \(n)")
                }
            }
        }
    }
}
