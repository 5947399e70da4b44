import Tensor

/// Inverted dropout: in training each element is zeroed with probability `p` and survivors are
/// scaled by 1/(1 − p); in evaluation the input passes unchanged.
///
/// The masks come from the key given at construction, advanced (split) on every training
/// forward. The current key is the state "key" (a Float64 vector [k0, k1], exact for 32-bit
/// words), so a checkpoint restores the exact mask sequence.
public final class Dropout: Layer {
    public let p: Double
    public private(set) var key: RandomKey
    public var isTraining = true

    public init(_ p: Double, key: RandomKey) {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        self.key = key
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        let mask = Tensor.bernoulli(x.shape, p: 1 - p, key: key.split(), dtype: x.dtype)
        return x * mask * (1 / (1 - p))
    }

    public var parameters: [String: Tensor] { [:] }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: [:], module: "Dropout")
    }

    public var state: [String: Tensor] { ["key": Tensor([Double(key.k0), Double(key.k1)], shape: [2])] }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "Dropout")
        let words = values["key"]!.doubles
        guard let k0 = UInt32(exactly: words[0]), let k1 = UInt32(exactly: words[1]) else {
            preconditionFailure("Dropout: state 'key' \(words) does not hold two 32-bit words")
        }
        key = RandomKey(k0: k0, k1: k1)
    }

    public func cast(to dtype: DType) {}
}
