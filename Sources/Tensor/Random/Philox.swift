/// Philox-4x32-10 (Salmon et al., SC'11): a counter-based generator. The output for a
/// (key, counter) pair is a pure function, so element i of any random tensor depends only on
/// the key and i: results never depend on thread count or on what else was drawn.
@usableFromInline
struct Philox4x32: Sendable {
    static let m0: UInt32 = 0xD251_1F53, m1: UInt32 = 0xCD9E_8D57
    static let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85

    @inline(__always)
    static func block(_ counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for _ in 0..<10 {
            let p0 = UInt64(m0) &* UInt64(c.0), p1 = UInt64(m1) &* UInt64(c.2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c = (hi1 ^ c.1 ^ k.0, lo1, hi0 ^ c.3 ^ k.1, lo0)
            k = (k.0 &+ w0, k.1 &+ w1)
        }
        return c
    }

    /// Blocks `first ..< first + count` of `stream` under `key`, written as 4·count words
    /// (block b's words at 4·(b − first) ..< 4·(b − first) + 4), the same words `block(index:)`
    /// gives one at a time. Eight blocks run side by side in 64-bit lanes that hold 32-bit
    /// values, so each 32×32→64-bit product is one unsigned-multiply of the lane (PMULUDQ):
    /// one block at a time, the generator cost as much as the Box–Muller transform on top.
    @inline(__always)
    static func fill(_ words: UnsafeMutablePointer<UInt32>, first: UInt64, count: Int, stream: UInt32, key: RandomKey) {
        typealias Lanes = SIMD8<UInt64>
        let low32 = Lanes(repeating: 0xFFFF_FFFF)
        let mul0 = Lanes(repeating: UInt64(m0)), mul1 = Lanes(repeating: UInt64(m1))
        var b = 0
        while b + 8 <= count {
            var c0 = Lanes(), c1 = Lanes()
            for lane in 0..<8 {
                let index = first &+ UInt64(b + lane)
                c0[lane] = index & 0xFFFF_FFFF
                c1[lane] = index >> 32
            }
            var c2 = Lanes(repeating: UInt64(stream)), c3 = Lanes()
            var r0 = key.k0, r1 = key.k1
            for _ in 0..<10 {
                // The masks are no-ops on the values but let LLVM see 32-bit operands through
                // the loop's phi nodes: without them it emulates a full 64×64 multiply.
                let p0 = (c0 & low32) &* mul0, p1 = (c2 & low32) &* mul1
                let n0 = (p1 &>> 32) ^ c1 ^ Lanes(repeating: UInt64(r0))
                let n2 = (p0 &>> 32) ^ c3 ^ Lanes(repeating: UInt64(r1))
                c1 = p1 & low32
                c3 = p0 & low32
                c0 = n0
                c2 = n2
                r0 = r0 &+ w0
                r1 = r1 &+ w1
            }
            let out = words + 4 * b
            for lane in 0..<8 {
                out[4 * lane] = UInt32(truncatingIfNeeded: c0[lane])
                out[4 * lane + 1] = UInt32(truncatingIfNeeded: c1[lane])
                out[4 * lane + 2] = UInt32(truncatingIfNeeded: c2[lane])
                out[4 * lane + 3] = UInt32(truncatingIfNeeded: c3[lane])
            }
            b += 8
        }
        while b < count {
            let w = block(index: first &+ UInt64(b), stream: stream, key: key)
            words[4 * b] = w.0
            words[4 * b + 1] = w.1
            words[4 * b + 2] = w.2
            words[4 * b + 3] = w.3
            b += 1
        }
    }

    /// Calls `body(start, words, count)` over the first `n` words of `stream` in chunks of up
    /// to 1,024 (small enough to stay in L1 between generating and using them): `words[k]` is
    /// word `start + k`, that is word (start + k) mod 4 of block ⌊(start + k)/4⌋. A chunk holds
    /// whole blocks, so up to 3 words past `count` are valid too.
    @inline(__always)
    static func chunks(of n: Int, stream: UInt32, key: RandomKey, _ body: (Int, UnsafePointer<UInt32>, Int) -> Void) {
        let chunkWords = 1024
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: chunkWords) { buffer in
            let words = buffer.baseAddress!
            var start = 0
            while start < n {
                let count = Swift.min(chunkWords, n - start)
                fill(words, first: UInt64(start / 4), count: (count + 3) / 4, stream: stream, key: key)
                body(start, words, count)
                start += count
            }
        }
    }

    /// The 4 words of block `index` (a 64-bit counter) under `key`, for stream `stream`.
    @inline(__always)
    static func block(index: UInt64, stream: UInt32 = 0, key: RandomKey) -> (UInt32, UInt32, UInt32, UInt32) {
        block((UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), stream, 0),
              key: (key.k0, key.k1))
    }
}

/// An explicit, splittable random key, as in JAX. No global generator exists: every random
/// function takes a key, and `split()` derives independent keys for independent uses.
public struct RandomKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var k0: UInt32
    public var k1: UInt32

    public init(k0: UInt32, k1: UInt32) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A key from a 64-bit seed (scrambled, so nearby seeds give unrelated streams).
    public init(seed: UInt64) {
        let b = Philox4x32.block((UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32), 0x5EED, 0),
                                 key: (0x243F_6A88, 0x85A3_08D3))
        self.init(k0: b.0, k1: b.1)
    }

    /// Returns a fresh key and advances `self`, so repeated calls give distinct keys.
    public mutating func split() -> RandomKey {
        let b = Philox4x32.block((0, 0, 0xFFFF_FFFF, 0), key: (k0, k1))
        self = RandomKey(k0: b.0, k1: b.1)
        return RandomKey(k0: b.2, k1: b.3)
    }

    /// `n` independent keys derived from this one (this key is not changed).
    public func split(into n: Int) -> [RandomKey] {
        (0..<n).map { folded(in: UInt64($0)) }
    }

    /// A key derived from this one and `data` (e.g. a step or a grid cell index).
    public func folded(in data: UInt64) -> RandomKey {
        let b = Philox4x32.block((UInt32(truncatingIfNeeded: data), UInt32(truncatingIfNeeded: data >> 32), 0xF01D, 1),
                                 key: (k0, k1))
        return RandomKey(k0: b.0, k1: b.1)
    }

    public var description: String { "RandomKey(\(k0), \(k1))" }
}
