import Testing
import Tensor

/// One differentiable op with its inputs, for parameterized gradient checks.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: @Sendable () -> [Tensor]
    let secondOrder: Bool
    let op: @Sendable ([Tensor]) -> Tensor

    init(_ name: String, secondOrder: Bool = true, inputs: @escaping @Sendable () -> [Tensor],
         _ op: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.inputs = inputs
        self.secondOrder = secondOrder
        self.op = op
    }

    var testDescription: String { name }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        GradCheck.check(name, inputs(), secondOrder: secondOrder, sourceLocation: sourceLocation, op)
    }
}
