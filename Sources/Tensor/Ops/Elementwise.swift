/// Elementwise arithmetic, activations and comparisons, with their backward rules.
/// Every rule is written with differentiable ops, so gradients can be differentiated again.
extension Tensor {
    // MARK: plumbing

    func mapStorage(_ op: UnaryOp) -> TensorStorage {
        let out = TensorStorage(count: count, dtype: dtype)
        switch dtype {
        case .float32: unaryKernel(op, storage.typed(Float.self), out.typed(Float.self), count)
        case .float64: unaryKernel(op, storage.typed(Double.self), out.typed(Double.self), count)
        }
        return out
    }

    func unary(_ name: String, _ op: UnaryOp,
               backward: @escaping @Sendable (BackwardContext) -> Tensor) -> Tensor {
        Tensor.record(name, output: mapStorage(op), shape: shape, inputs: [self]) { [backward($0)] }
    }

    /// A result that never carries a gradient (masks, comparisons).
    func constantUnary(_ op: UnaryOp) -> Tensor { Tensor(storage: mapStorage(op), shape: shape) }

    static func zipStorage(_ name: String, _ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> (TensorStorage, [Int]) {
        precondition(a.dtype == b.dtype, "\(name): dtypes differ (\(a.dtype) and \(b.dtype)); cast one first")
        let shape = ShapeMath.broadcast(a.shape, b.shape, op: name)
        let out = TensorStorage(count: ShapeMath.count(shape), dtype: a.dtype)
        switch a.dtype {
        case .float32:
            binaryKernel(op, a.storage.typed(Float.self), a.shape, b.storage.typed(Float.self), b.shape,
                         out.typed(Float.self), shape)
        case .float64:
            binaryKernel(op, a.storage.typed(Double.self), a.shape, b.storage.typed(Double.self), b.shape,
                         out.typed(Double.self), shape)
        }
        return (out, shape)
    }

    static func binary(_ name: String, _ op: BinaryOp, _ a: Tensor, _ b: Tensor,
                       backward: @escaping @Sendable (BackwardContext) -> [Tensor?]) -> Tensor {
        let (out, shape) = zipStorage(name, op, a, b)
        return record(name, output: out, shape: shape, inputs: [a, b], backward: backward)
    }

    static func constantBinary(_ name: String, _ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let (out, shape) = zipStorage(name, op, a, b)
        return Tensor(storage: out, shape: shape)
    }

    // MARK: arithmetic

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary("add", .add, a, b) { ctx in
            [ctx.needsGrad[0] ? ctx.grad.sum(toShape: ctx.inputs[0].shape) : nil,
             ctx.needsGrad[1] ? ctx.grad.sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary("sub", .sub, a, b) { ctx in
            [ctx.needsGrad[0] ? ctx.grad.sum(toShape: ctx.inputs[0].shape) : nil,
             ctx.needsGrad[1] ? (-ctx.grad).sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary("mul", .mul, a, b) { ctx in
            [ctx.needsGrad[0] ? (ctx.grad * ctx.inputs[1]).sum(toShape: ctx.inputs[0].shape) : nil,
             ctx.needsGrad[1] ? (ctx.grad * ctx.inputs[0]).sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary("div", .div, a, b) { ctx in
            let (x, y) = (ctx.inputs[0], ctx.inputs[1])
            return [ctx.needsGrad[0] ? (ctx.grad / y).sum(toShape: x.shape) : nil,
                    ctx.needsGrad[1] ? (-(ctx.grad * x) / (y * y)).sum(toShape: y.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        a.unary("neg", .neg) { -$0.grad }
    }

    public static func + (a: Tensor, c: Double) -> Tensor { a.unary("add_scalar", .addScalar(c)) { $0.grad } }
    public static func + (c: Double, a: Tensor) -> Tensor { a + c }
    public static func - (a: Tensor, c: Double) -> Tensor { a + (-c) }
    public static func - (c: Double, a: Tensor) -> Tensor { (-a) + c }
    public static func * (a: Tensor, c: Double) -> Tensor {
        a.unary("mul_scalar", .mulScalar(c)) { $0.grad * c }
    }
    public static func * (c: Double, a: Tensor) -> Tensor { a * c }
    public static func / (a: Tensor, c: Double) -> Tensor { a * (1 / c) }
    public static func / (c: Double, a: Tensor) -> Tensor { a.reciprocal() * c }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }

    /// Elementwise power with a tensor exponent (base must be positive where the exponent's
    /// gradient is needed).
    public func pow(_ exponent: Tensor) -> Tensor {
        Tensor.binary("pow", .pow, self, exponent) { ctx in
            let (x, p, y) = (ctx.inputs[0], ctx.inputs[1], ctx.output)
            return [ctx.needsGrad[0] ? (ctx.grad * p * x.pow(p - 1)).sum(toShape: x.shape) : nil,
                    ctx.needsGrad[1] ? (ctx.grad * y * Tensor.where(x.abs().greater(0), x, x.onesLike()).log()).sum(toShape: p.shape) : nil]
        }
    }

    /// Elementwise power with a scalar exponent.
    public func pow(_ p: Double) -> Tensor {
        unary("pow_scalar", .pow(p)) { ctx in
            p == 1 ? ctx.grad : ctx.grad * ctx.inputs[0].pow(p - 1) * p
        }
    }

    public func squared() -> Tensor { unary("square", .square) { $0.grad * $0.inputs[0] * 2 } }
    public func reciprocal() -> Tensor {
        unary("reciprocal", .reciprocal) { ctx in -(ctx.grad * ctx.output * ctx.output) }
    }

    /// Elementwise maximum; at ties the gradient goes to `self`.
    public func maximum(_ other: Tensor) -> Tensor {
        Tensor.binary("maximum", .maximum, self, other) { ctx in
            let (a, b) = (ctx.inputs[0], ctx.inputs[1])
            let takeA = Tensor.constantBinary("maximum", .greaterEqual, a, b)
            return [ctx.needsGrad[0] ? (ctx.grad * takeA).sum(toShape: a.shape) : nil,
                    ctx.needsGrad[1] ? (ctx.grad * (1 - takeA)).sum(toShape: b.shape) : nil]
        }
    }

    /// Elementwise minimum; at ties the gradient goes to `self`.
    public func minimum(_ other: Tensor) -> Tensor {
        Tensor.binary("minimum", .minimum, self, other) { ctx in
            let (a, b) = (ctx.inputs[0], ctx.inputs[1])
            let takeA = Tensor.constantBinary("minimum", .lessEqual, a, b)
            return [ctx.needsGrad[0] ? (ctx.grad * takeA).sum(toShape: a.shape) : nil,
                    ctx.needsGrad[1] ? (ctx.grad * (1 - takeA)).sum(toShape: b.shape) : nil]
        }
    }

    /// Clamps into [lo, hi]; the gradient is zero outside (as in PyTorch).
    public func clamped(_ lo: Double, _ hi: Double) -> Tensor {
        precondition(lo <= hi, "clamped: lower bound \(lo) exceeds upper bound \(hi)")
        return unary("clamp", .clamp(lo, hi)) { ctx in ctx.grad * ctx.inputs[0].constantUnary(.inRange(lo, hi)) }
    }

    // MARK: elementary functions

    public func exp() -> Tensor { unary("exp", .exp) { $0.grad * $0.output } }
    public func log() -> Tensor { unary("log", .log) { $0.grad / $0.inputs[0] } }
    public func log1p() -> Tensor { unary("log1p", .log1p) { $0.grad / ($0.inputs[0] + 1) } }
    public func sqrt() -> Tensor { unary("sqrt", .sqrt) { $0.grad * 0.5 / $0.output } }
    public func abs() -> Tensor { unary("abs", .abs) { $0.grad * $0.inputs[0].sign() } }
    /// −1, 0 or 1 (no gradient).
    public func sign() -> Tensor { constantUnary(.sign) }
    public func tanh() -> Tensor {
        unary("tanh", .tanh) { ctx in ctx.grad * (1 - ctx.output.squared()) }
    }
    /// sin x (a periodic activation: the "sin" discriminators of the particle-model sweeps).
    public func sin() -> Tensor { unary("sin", .sin) { ctx in ctx.grad * ctx.inputs[0].cos() } }
    public func cos() -> Tensor { unary("cos", .cos) { ctx in -(ctx.grad * ctx.inputs[0].sin()) } }
    public func sigmoid() -> Tensor {
        unary("sigmoid", .sigmoid) { ctx in ctx.grad * ctx.output * (1 - ctx.output) }
    }
    /// log(1 + eˣ), computed without overflow.
    public func softplus() -> Tensor {
        unary("softplus", .softplus) { ctx in ctx.grad * ctx.inputs[0].sigmoid() }
    }
    public func relu() -> Tensor {
        unary("relu", .relu) { ctx in Tensor.leakyMask(ctx.grad, by: ctx.inputs[0], slope: 0) }
    }
    public func leakyRelu(_ slope: Double = 0.2) -> Tensor {
        unary("leaky_relu", .leakyRelu(slope)) { ctx in
            Tensor.leakyMask(ctx.grad, by: ctx.inputs[0], slope: slope)
        }
    }
    /// g where x > 0, else slope·g: the backward of (leaky) ReLU, fused into one kernel.
    /// Linear in g, so its own backward is itself; constant in x.
    static func leakyMask(_ g: Tensor, by x: Tensor, slope: Double) -> Tensor {
        binary("relu_backward", slope == 0 ? .reluMask : .leakyMask(slope), g, x) { inner in
            [inner.needsGrad[0]
                ? leakyMask(inner.grad, by: inner.inputs[1].detached(), slope: slope).sum(toShape: inner.inputs[0].shape)
                : nil, nil]
        }
    }
    /// x for x > 0, α(eˣ − 1) otherwise.
    public func elu(_ alpha: Double = 1) -> Tensor {
        unary("elu", .elu(alpha)) { ctx in
            let x = ctx.inputs[0]
            return Tensor.where(x.greater(0), ctx.grad, ctx.grad * (ctx.output + alpha))
        }
    }

    // MARK: comparisons (no gradient), giving 1 or 0

    public func greater(_ c: Double) -> Tensor { constantUnary(.greater(c)) }
    public func greaterEqual(_ c: Double) -> Tensor { constantUnary(.greaterEqual(c)) }
    public func less(_ c: Double) -> Tensor { constantUnary(.less(c)) }
    public func lessEqual(_ c: Double) -> Tensor { constantUnary(.lessEqual(c)) }
    public func greater(_ other: Tensor) -> Tensor { Tensor.constantBinary("greater", .greater, self, other) }
    public func greaterEqual(_ other: Tensor) -> Tensor { Tensor.constantBinary("greater_equal", .greaterEqual, self, other) }
    public func less(_ other: Tensor) -> Tensor { Tensor.constantBinary("less", .less, self, other) }
    public func lessEqual(_ other: Tensor) -> Tensor { Tensor.constantBinary("less_equal", .lessEqual, self, other) }
    public func equal(_ other: Tensor) -> Tensor { Tensor.constantBinary("equal", .equal, self, other) }
    public func notEqual(_ other: Tensor) -> Tensor { Tensor.constantBinary("not_equal", .notEqual, self, other) }

    /// Whether every element is finite (no NaN or ±∞).
    public var isFinite: Bool {
        switch dtype {
        case .float32:
            let p = storage.typed(Float.self)
            for i in 0..<count where !p[i].isFinite { return false }
        case .float64:
            let p = storage.typed(Double.self)
            for i in 0..<count where !p[i].isFinite { return false }
        }
        return true
    }
}
