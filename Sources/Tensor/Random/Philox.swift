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
