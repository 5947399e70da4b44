import RealModule

/// The Swift scalar types a tensor can hold. Kernels are written once, generically, and the
/// compiler specialises them for `Float` and `Double` inside this module.
public protocol TensorScalar: BinaryFloatingPoint, Real, Sendable {
    static var dtype: DType { get }
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
}
