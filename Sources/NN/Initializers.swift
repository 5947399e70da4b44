import Foundation
import Tensor

/// Weight initialisers with PyTorch's definitions; every random one takes an explicit key.
///
/// Fans follow `torch.nn.init._calculate_fan_in_and_fan_out`: for a shape [a, b, k…],
/// fan_in = b·∏k and fan_out = a·∏k. (For a ConvTranspose2d weight [Cin, Cout, k, k] this makes
/// fan_in = Cout·k², PyTorch's own convention, which the layer's default init reproduces.)
public enum Initializer {
    /// Which fan a variance-preserving initialiser scales by.
    public enum FanMode: Sendable {
        case fanIn, fanOut
    }

    /// The nonlinearity a Kaiming initialiser compensates for (`torch.nn.init.calculate_gain`).
    public enum Nonlinearity: Sendable, Equatable {
        case linear, sigmoid, tanh, relu
        case leakyRelu(slope: Double)

        public var gain: Double {
            switch self {
            case .linear, .sigmoid: return 1
            case .tanh: return 5.0 / 3.0
            case .relu: return 2.0.squareRoot()
            case .leakyRelu(let slope): return (2 / (1 + slope * slope)).squareRoot()
            }
        }
    }

    /// (fan_in, fan_out) of a weight shape of rank ≥ 2.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Initializer.fans: shape \(shape) needs at least 2 dimensions")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor { .zeros(shape, dtype: dtype) }

    /// W[i, j] = 1 where i = j, else 0, for a [out, in] weight (torch.nn.init.eye_): a
    /// 1 → d affine layer starts as z ↦ z·e₁ + b.
    public static func eye(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        precondition(shape.count == 2, "Initializer.eye: needs a [out, in] shape, got \(shape)")
        var values = [Double](repeating: 0, count: shape[0] * shape[1])
        for i in 0..<min(shape[0], shape[1]) { values[i * shape[1] + i] = 1 }
        return Tensor(values, shape: shape).cast(to: dtype)
    }

    public static func constant(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        .full(shape, value, dtype: dtype)
    }

    public static func normal(_ shape: [Int], mean: Double = 0, std: Double, key: RandomKey, dtype: DType = .float32) -> Tensor {
        .normal(shape, mean: mean, std: std, key: key, dtype: dtype)
    }

    public static func uniform(_ shape: [Int], low: Double, high: Double, key: RandomKey, dtype: DType = .float32) -> Tensor {
        .uniform(shape, low: low, high: high, key: key, dtype: dtype)
    }

    /// Glorot: U(±gain·√(6 / (fan_in + fan_out))).
    public static func xavierUniform(_ shape: [Int], gain: Double = 1, key: RandomKey, dtype: DType = .float32) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Double(fanIn + fanOut)).squareRoot()
        return .uniform(shape, low: -bound, high: bound, key: key, dtype: dtype)
    }

    /// Glorot: N(0, gain²·2 / (fan_in + fan_out)).
    public static func xavierNormal(_ shape: [Int], gain: Double = 1, key: RandomKey, dtype: DType = .float32) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return .normal(shape, std: gain * (2 / Double(fanIn + fanOut)).squareRoot(), key: key, dtype: dtype)
    }

    /// He: U(±gain·√(3 / fan)).
    public static func kaimingUniform(_ shape: [Int], mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu(slope: 0),
                                      key: RandomKey, dtype: DType = .float32) -> Tensor {
        let bound = nonlinearity.gain * (3 / Double(fan(shape, mode))).squareRoot()
        return .uniform(shape, low: -bound, high: bound, key: key, dtype: dtype)
    }

    /// He: N(0, gain² / fan).
    public static func kaimingNormal(_ shape: [Int], mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu(slope: 0),
                                     key: RandomKey, dtype: DType = .float32) -> Tensor {
        let std = nonlinearity.gain / Double(fan(shape, mode)).squareRoot()
        return .normal(shape, std: std, key: key, dtype: dtype)
    }

    /// A (semi-)orthogonal matrix times `gain`, as `torch.nn.init.orthogonal_`: the weight is
    /// viewed as [shape[0], rest]; rows are orthonormal when there are fewer rows than columns,
    /// columns otherwise. Built by Gram–Schmidt on a Gaussian matrix in Float64 (equivalent to QR
    /// with R's diagonal made positive, so the result is Haar-distributed).
    public static func orthogonal(_ shape: [Int], gain: Double = 1, key: RandomKey, dtype: DType = .float32) -> Tensor {
        precondition(shape.count >= 2, "Initializer.orthogonal: shape \(shape) needs at least 2 dimensions")
        let rows = shape[0], cols = shape.dropFirst().reduce(1, *)
        // Orthonormalise the vectors of the smaller dimension, each of the larger length.
        let (vectorCount, length) = (min(rows, cols), max(rows, cols))
        var g = Tensor.normal([vectorCount, length], key: key, dtype: .float64).doubles
        for i in 0..<vectorCount {
            // Two passes of modified Gram–Schmidt keep orthogonality at machine precision.
            for _ in 0..<2 {
                for j in 0..<i {
                    var projection = 0.0
                    for t in 0..<length { projection += g[i * length + t] * g[j * length + t] }
                    for t in 0..<length { g[i * length + t] -= projection * g[j * length + t] }
                }
            }
            var norm = 0.0
            for t in 0..<length { norm += g[i * length + t] * g[i * length + t] }
            norm = norm.squareRoot()
            precondition(norm > 0, "Initializer.orthogonal: degenerate Gaussian draw")
            for t in 0..<length { g[i * length + t] /= norm }
        }
        var matrix = [Double](repeating: 0, count: rows * cols)
        for i in 0..<vectorCount {
            for t in 0..<length {
                // Vectors are rows when rows ≤ cols, else columns.
                if rows <= cols { matrix[i * cols + t] = gain * g[i * length + t] }
                else { matrix[t * cols + i] = gain * g[i * length + t] }
            }
        }
        return Tensor(matrix, shape: shape, dtype: dtype)
    }

    /// PyTorch's default for Linear and Conv weights, `kaiming_uniform_(a: √5)`, which reduces
    /// to U(±1/√fan_in); biases use the same bound.
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, key: RandomKey, dtype: DType = .float32) -> Tensor {
        let bound = 1 / Double(max(fanIn, 1)).squareRoot()
        return .uniform(shape, low: -bound, high: bound, key: key, dtype: dtype)
    }

    private static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(shape)
        return mode == .fanIn ? fanIn : fanOut
    }
}
