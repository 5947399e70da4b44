import Tensor

/// A module that maps one tensor to another.
///
/// Every layer in NN is a `final class` conforming to `Layer`. Parameters are gradient leaves
/// held by the layer, so `gradients(of: loss, wrt: Array(layer.parameters.values))` works on any
/// loss built from `layer(x)`.
///
/// Parameter names follow PyTorch's `state_dict`: a layer's own tensors are "weight", "bias",
/// "running_mean", …; a `Sequential` prefixes its children's names with their index ("0.weight",
/// "2.bias", "1.0.weight" for nesting), so names match `nn.Sequential` and fixtures line up.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
    /// Converts every parameter and state tensor to `dtype` in place (parameters stay leaves).
    /// This is how a layer built in Float32 is checked in Float64.
    func cast(to dtype: DType)
}
