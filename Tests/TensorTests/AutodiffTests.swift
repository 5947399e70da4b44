import Foundation
import Testing
import Tensor

/// Semantics of `gradients(of:wrt:seed:createGraph:)`: targets, seeds, accumulation,
/// higher orders and deep graphs.
@Suite struct AutodiffTests {
    @Test func gradientWithRespectToAnIntermediate() {
        let x = Tensor([1.0, 2, 3]).requiringGrad()
        let h = x * 2
        let y = (h.squared()).sum()
        // ∂y/∂h = 2h.
        expectValues(gradient(of: y, wrt: h), [4, 8, 12])
    }

    /// With an intermediate h = g(x) and its leaf x both as targets, ∂y/∂x is the total
    /// derivative: the paths through h count.
    @Test func gradientWithRespectToIntermediateAndItsLeaf() {
        let x = Tensor([1.0, 2, 3]).requiringGrad()
        let h = x.squared()
        let y = (h * 3).sum() + x.sum()
        let g = gradients(of: y, wrt: [h, x])
        expectValues(g[0], [3, 3, 3])
        expectValues(g[1], [6 * 1 + 1, 6 * 2 + 1, 6 * 3 + 1])
        // The order of the targets does not matter.
        let r = gradients(of: y, wrt: [x, h])
        expectValues(r[0], g[1].doubles)
        expectValues(r[1], g[0].doubles)
    }

    @Test func unusedTargetGetsZeros() {
        let x = Tensor([1.0, 2]).requiringGrad()
        let unused = Tensor([5.0, 6, 7], shape: [3, 1]).requiringGrad()
        let plain = Tensor([1.0, 1])
        let g = gradients(of: (x * 3).sum(), wrt: [x, unused, plain])
        expectValues(g[0], [3, 3])
        #expect(g[1].shape == [3, 1] && g[1].dtype == .float64)
        expectValues(g[1], [0, 0, 0])
        expectValues(g[2], [0, 0])
        // An output without any graph gives zeros too.
        let z = gradients(of: plain.sum(), wrt: [x])
        expectValues(z[0], [0, 0])
    }

    @Test func seedGivesVectorJacobianProduct() {
        let x = Tensor([1.0, 2, 3]).requiringGrad()
        let y = x.squared()  // J = diag(2x)
        let v = Tensor([1.0, -1, 0.5])
        expectValues(gradients(of: y, wrt: [x], seed: v)[0], [2, -4, 3])
        let w = Tensor([[1.0, 2], [3, 4], [5, 6]].flatMap { $0 }, shape: [3, 2]).requiringGrad()
        let z = x.reshaped([1, 3]).matmul(w)  // [1, 2]
        let gw = gradients(of: z, wrt: [w, x], seed: Tensor([1.0, 10], shape: [1, 2]))
        expectValues(gw[0], [1, 10, 2, 20, 3, 30])
        expectValues(gw[1], [21, 43, 65])
    }

    @Test func createGraphFalseGivesPlainData() {
        let x = Tensor([1.0, 2]).requiringGrad()
        let y = x.squared().sum()
        #expect(y.requiresGrad)
        let g = gradient(of: y, wrt: x)
        #expect(!g.requiresGrad)
        let attached = gradient(of: y, wrt: x, createGraph: true)
        #expect(attached.requiresGrad)
        expectValues(attached, g.doubles)
        // The plain gradient is a constant: differentiating it again gives zeros.
        expectValues(gradient(of: g.sum(), wrt: x), [0, 0])
    }

    @Test func thirdOrderDerivativeOfCube() {
        let x = Tensor([2.0, -1.5]).requiringGrad()
        let f = (x * x * x).sum()
        let d1 = gradient(of: f, wrt: x, createGraph: true)
        let d2 = gradient(of: d1.sum(), wrt: x, createGraph: true)
        let d3 = gradient(of: d2.sum(), wrt: x)
        expectValues(d1, [12, 6.75])
        expectValues(d2, [12, -9])
        expectValues(d3, [6, 6])
        // The same through pow(3) (positive base) and through exp (every order is exp).
        let p = Tensor([1.7]).requiringGrad()
        var g = p.pow(3).sum()
        for _ in 0..<3 { g = gradient(of: g, wrt: p, createGraph: true).sum() }
        expectValues(g, [6])
        var e = p.exp().sum()
        for _ in 0..<4 { e = gradient(of: e, wrt: p, createGraph: true).sum() }
        expectValues(e, [Foundation.exp(1.7 as Double)])
    }

    /// For f = ½ xᵀAx with symmetric A, ∇f = Ax and the Hessian–vector product is Av.
    @Test func hessianVectorProductOfQuadraticForm() {
        let m = Tensor([2.0, 1, 0, 1, 3, -1, 0, -1, 4], shape: [3, 3])
        let x = Tensor([0.5, -1, 2], shape: [3, 1]).requiringGrad()
        let v = Tensor([1.0, 2, -1], shape: [3, 1])
        let f = x.matmul(m.matmul(x), transposeSelf: true).sum() * 0.5
        let g = gradient(of: f, wrt: x, createGraph: true)
        expectValues(g, m.matmul(x.detached()).doubles)
        let hv = gradient(of: (g * v).sum(), wrt: x)
        expectValues(hv, m.matmul(v).doubles)
        // Also with the seed form of the vector–Jacobian product.
        let hvSeed = gradients(of: g, wrt: [x], seed: v)[0]
        expectValues(hvSeed, m.matmul(v).doubles)
    }

    @Test func gradientsAccumulateWhenATensorIsUsedTwice() {
        let x = Tensor([1.0, 2, 3]).requiringGrad()
        let y = (x * x).sum() + (x * 5).sum() + x.sum(axis: 0) * x.sum(axis: 0)
        // 2x + 5 + 2·Σx
        expectValues(gradient(of: y, wrt: x), [2 + 5 + 12, 4 + 5 + 12, 6 + 5 + 12])
        // A diamond: both branches of h reach y.
        let h = x.exp()
        let z = (h * (h + 0)).sum()
        expectValues(gradient(of: z, wrt: x), x.doubles.map { 2 * Foundation.exp(2 * $0) })
    }

    /// `setRequiresGrad` makes a fresh leaf, `detached` cuts the graph, `requiringGrad` again
    /// makes a new identity.
    @Test func leavesAndDetaching() {
        var p = Tensor([1.0, 2])
        #expect(!p.requiresGrad)
        p.setRequiresGrad(true)
        #expect(p.requiresGrad)
        let y = (p * p).sum()
        expectValues(gradient(of: y, wrt: p), [2, 4])
        let other = p.requiringGrad()
        #expect(!other.isSameNode(as: p))
        expectValues(gradient(of: y, wrt: other), [0, 0])
        let d = p.detached()
        #expect(!d.requiresGrad)
        expectValues(gradient(of: (d * p).sum(), wrt: p), [1, 2])
        p.setRequiresGrad(false)
        #expect(!p.requiresGrad)
    }

    /// In-place writes after an op do not corrupt values that backward rules saved.
    @Test func inPlaceWritesDoNotCorruptTheGraph() {
        var x = Tensor([1.0, 2, 3]).requiringGrad()
        let leaf = x
        let y = (x * x).sum()
        x.withUnsafeMutableBufferPointer(as: Double.self) { $0[0] = 100 }
        expectValues(gradient(of: y, wrt: leaf), [2, 4, 6])
        var out = leaf * 2
        let z = out.squared().sum()
        out.assign(Tensor([0.0, 0, 0]))
        expectValues(gradient(of: z, wrt: leaf), [8, 16, 24])
    }

    /// `withUnsafeUpdate` (the optimisers' update): shared storage is left as it was and the
    /// tensor gets fresh storage holding the update; unshared storage is updated in place.
    @Test func unsafeUpdateWritesFreshStorageOnlyWhenShared() {
        var x = Tensor([1.0, 2, 3]).requiringGrad()
        let shared = x
        x.withUnsafeUpdate(as: Double.self) { old, new in
            #expect(old.baseAddress != UnsafePointer(new.baseAddress))
            for i in 0..<new.count { new[i] = old[i] * 10 }
        }
        expectValues(x, [10, 20, 30])
        expectValues(shared, [1, 2, 3])
        #expect(x.requiresGrad)
        x.withUnsafeUpdate(as: Double.self) { old, new in
            #expect(old.baseAddress == UnsafePointer(new.baseAddress))
            for i in 0..<new.count { new[i] = old[i] + 1 }
        }
        expectValues(x, [11, 21, 31])
    }

    /// Building, differentiating and freeing a 10 000-node chain must not overflow the stack
    /// (recursive deinit of nodes is the classic failure).
    @Test func longChainDoesNotCrash() {
        let n = 10_000
        let x = Tensor([1.0]).requiringGrad()
        do {
            var y = x
            for _ in 0..<n { y = y + 1 }
            expectValues(y, [Double(n + 1)])
            expectValues(gradient(of: y.sum(), wrt: x), [1])
            var z = x
            for _ in 0..<n { z = z * 1.0001 }
            expectValues(gradient(of: z.sum(), wrt: x), [Foundation.pow(1.0001, Double(n))], tolerance: 1e-10)
        }
        // The chains above are released here.
        #expect(x.requiresGrad)
    }

    /// Graphs far deeper than any model here (unrolled dynamics can reach them) must also be
    /// released without recursion: 100 000 nodes overflow a recursive release.
    @Test func veryLongChainIsReleasedIteratively() {
        let x = Tensor([1.0]).requiringGrad()
        do {
            var y = x
            for _ in 0..<100_000 { y = y + 1 }
            expectValues(gradient(of: y.sum(), wrt: x), [1])
        }
        #expect(x.requiresGrad)
    }

    /// Gradients come back in the target's dtype and shape, also for Float32.
    @Test func float32Gradients() {
        let x = Tensor([Float(1), 2, 3, 4], shape: [2, 2]).requiringGrad()
        let g = gradient(of: (x.squared() * 0.5).sum(), wrt: x)
        #expect(g.dtype == .float32 && g.shape == [2, 2])
        expectValues(g, [1, 2, 3, 4])
    }
}

