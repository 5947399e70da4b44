import Tensor

/// A layer with neither parameters nor state (activations, reshapes): the `Module`
/// requirements come for free, and loading checks that nothing is passed in.
public protocol ParameterFreeLayer: Layer {}

extension ParameterFreeLayer {
    public var parameters: [String: Tensor] { [:] }
    public var state: [String: Tensor] { [:] }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: [:], module: String(describing: type(of: self)))
    }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: [:], module: String(describing: type(of: self)))
    }

    public func cast(to dtype: DType) {}
}
