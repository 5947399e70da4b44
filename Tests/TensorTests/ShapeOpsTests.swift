import Testing
import Tensor

/// Reshape, permute, concat/stack, slice/embed, gather/scatter rows, and cast.
@Suite struct ShapeOpsTests {
    static let cases: [OpCase] = [
        OpCase("reshaped([3, −1])", inputs: { [Inputs.uniform([2, 3, 2], seed: 1)] }) {
            $0[0].reshaped([3, -1]).squared() * Tensor([1.0, 2, 3, 4], shape: [4])
        },
        OpCase("flattened(from: 1)", inputs: { [Inputs.uniform([2, 3, 2], seed: 2)] }) {
            $0[0].flattened().squared() * Tensor((1...6).map(Double.init), shape: [6])
        },
        OpCase("unsqueezed(at: −1)", inputs: { [Inputs.uniform([2, 3], seed: 3)] }) {
            $0[0].unsqueezed(at: -1) * Tensor([1.0, -1], shape: [2]) * $0[0].unsqueezed(at: 2)
        },
        OpCase("permuted([2, 0, 1])", inputs: { [Inputs.uniform([2, 3, 4], seed: 4)] }) {
            $0[0].permuted([2, 0, 1]) * Tensor((1...3).map(Double.init), shape: [3]) * $0[0].permuted([2, 0, 1])
        },
        OpCase("transposed() rank 2", inputs: { [Inputs.uniform([3, 4], seed: 5)] }) {
            $0[0].transposed() * Tensor((1...3).map(Double.init), shape: [3]) * $0[0].transposed()
        },
        OpCase("transposed() rank 3", inputs: { [Inputs.uniform([2, 3, 4], seed: 6)] }) {
            $0[0].transposed().squared()
        },
        OpCase("concat axis 0", inputs: {
            [Inputs.uniform([2, 3], seed: 7), Inputs.uniform([1, 3], seed: 8), Inputs.uniform([3, 3], seed: 9)]
        }) { Tensor.concat([$0[0], $0[1].squared(), $0[2] * $0[2]], axis: 0) },
        OpCase("concat axis 1", inputs: {
            [Inputs.uniform([2, 2, 2], seed: 10), Inputs.uniform([2, 3, 2], seed: 11)]
        }) { Tensor.concat([$0[0], $0[1]], axis: 1).squared() },
        OpCase("concat axis −1 (same tensor twice)", inputs: { [Inputs.uniform([2, 3], seed: 12)] }) {
            Tensor.concat([$0[0], $0[0].exp()], axis: -1).squared()
        },
        OpCase("stack axis 0", inputs: { [Inputs.uniform([2, 3], seed: 13), Inputs.uniform([2, 3], seed: 14)] }) {
            Tensor.stack([$0[0], $0[1], $0[0] * $0[1]], axis: 0).squared()
        },
        OpCase("stack axis 1", inputs: { [Inputs.uniform([2, 3], seed: 15), Inputs.uniform([2, 3], seed: 16)] }) {
            Tensor.stack([$0[0].squared(), $0[1]], axis: 1) * $0[0].unsqueezed(at: 1)
        },
        OpCase("slice axis 1", inputs: { [Inputs.uniform([3, 5], seed: 17)] }) {
            $0[0].slice(axis: 1, 1..<4).squared()
        },
        OpCase("slice axis 0 of rank 3", inputs: { [Inputs.uniform([4, 2, 2], seed: 18)] }) {
            $0[0].slice(axis: 0, 2..<4) * $0[0].slice(axis: 0, 0..<2)
        },
        OpCase("embedded(into:axis:at:)", inputs: { [Inputs.uniform([2, 2], seed: 19)] }) {
            $0[0].squared().embedded(into: [2, 5], axis: 1, at: 2) * Tensor((1...10).map(Double.init), shape: [2, 5])
        },
        OpCase("gathering(rows:) with repeated indices", inputs: { [Inputs.uniform([4, 3], seed: 20)] }) {
            $0[0].gathering(rows: [2, 0, 2, 3, 2]).squared()
        },
        OpCase("gathering(rows:) of rank 1", inputs: { [Inputs.uniform([4], seed: 21)] }) {
            $0[0].gathering(rows: [1, 1, 3]) * $0[0].gathering(rows: [0, 2, 1])
        },
        OpCase("scatteringRows with repeated indices", inputs: { [Inputs.uniform([5, 2], seed: 22)] }) {
            $0[0].scatteringRows([1, 3, 1, 0, 1], rowCount: 4).squared()
        },
    ]

    @Test(arguments: cases)
    func shapeOpGradients(_ c: OpCase) { c.check() }

    // MARK: values

    @Test func reshapeAndFlatten() {
        let x = Tensor((0..<24).map(Double.init), shape: [2, 3, 4])
        #expect(x.reshaped([4, -1]).shape == [4, 6])
        #expect(x.reshaped([-1]).shape == [24])
        expectValues(x.reshaped([6, 4]), x.doubles)
        #expect(x.flattened().shape == [2, 12])
        #expect(x.flattened(from: 2).shape == [2, 3, 4])
        #expect(x.flattened(from: 0).shape == [24])
        #expect(x.unsqueezed(at: 0).shape == [1, 2, 3, 4])
        #expect(x.unsqueezed(at: -1).shape == [2, 3, 4, 1])
        #expect(x.unsqueezed(at: 1).shape == [2, 1, 3, 4])
    }

    @Test func permuteValues() {
        let x = Tensor((0..<24).map(Double.init), shape: [2, 3, 4])
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 { #expect(p[i, j, k] == x[j, k, i]) } } }
        let t = Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3]).transposed()
        #expect(t.shape == [3, 2])
        expectValues(t, [1, 4, 2, 5, 3, 6])
        let t3 = x.transposed()
        #expect(t3.shape == [2, 4, 3])
        #expect(t3[1, 3, 2] == x[1, 2, 3])
        // Inverse permutation restores the original.
        expectValues(p.permuted([1, 2, 0]), x.doubles)
    }

    @Test func concatStackSliceValues() {
        let a = Tensor([1.0, 2, 3, 4], shape: [2, 2]), b = Tensor([5.0, 6], shape: [2, 1])
        let c1 = Tensor.concat([a, b], axis: 1)
        #expect(c1.shape == [2, 3])
        expectValues(c1, [1, 2, 5, 3, 4, 6])
        let c0 = Tensor.concat([a, Tensor([7.0, 8], shape: [1, 2])], axis: 0)
        expectValues(c0, [1, 2, 3, 4, 7, 8])
        let s0 = Tensor.stack([Tensor([1.0, 2]), Tensor([3.0, 4])])
        #expect(s0.shape == [2, 2])
        expectValues(s0, [1, 2, 3, 4])
        let s1 = Tensor.stack([Tensor([1.0, 2]), Tensor([3.0, 4])], axis: 1)
        expectValues(s1, [1, 3, 2, 4])
        let x = Tensor((0..<12).map(Double.init), shape: [3, 4])
        let sl = x.slice(axis: 1, 1..<3)
        #expect(sl.shape == [3, 2])
        expectValues(sl, [1, 2, 5, 6, 9, 10])
        expectValues(x.slice(axis: 0, 2..<3), [8, 9, 10, 11])
        expectValues(x.slice(axis: -1, 3..<4), [3, 7, 11])
        let e = Tensor([1.0, 2], shape: [1, 2]).embedded(into: [3, 2], axis: 0, at: 1)
        expectValues(e, [0, 0, 1, 2, 0, 0])
        // Concatenating the slices gives back the tensor.
        expectValues(Tensor.concat([x.slice(axis: 1, 0..<1), x.slice(axis: 1, 1..<4)], axis: 1), x.doubles)
    }

    @Test func gatherScatterValues() {
        let x = Tensor([1.0, 2, 3, 4, 5, 6], shape: [3, 2])
        let g = x.gathering(rows: [2, 0, 2])
        #expect(g.shape == [3, 2])
        expectValues(g, [5, 6, 1, 2, 5, 6])
        let s = Tensor([1.0, 1, 2, 2, 3, 3], shape: [3, 2]).scatteringRows([1, 0, 1], rowCount: 4)
        #expect(s.shape == [4, 2])
        expectValues(s, [2, 2, 4, 4, 0, 0, 0, 0])
        let leaf = x.requiringGrad()
        expectValues(gradient(of: leaf.gathering(rows: [2, 0, 2]).sum(), wrt: leaf), [1, 1, 0, 0, 2, 2])
    }

    @Test func castValuesAndGradient() {
        let x = Tensor([1.5, -2.25, 1e-3])
        let f = x.cast(to: .float32)
        #expect(f.dtype == .float32 && f.shape == [3])
        expectValues(f, [1.5, -2.25, Double(Float(1e-3))], tolerance: 0)
        #expect(f.cast(to: .float64).dtype == .float64)
        // Gradient flows back across the cast in the source dtype, at every order.
        let leaf = x.requiringGrad()
        let weights = Tensor([Float(2), 3, 4])
        let g = gradient(of: (leaf.cast(to: .float32).squared() * weights).sum(), wrt: leaf, createGraph: true)
        #expect(g.dtype == .float64)
        expectValues(g, [2 * 2 * 1.5, 2 * 3 * -2.25, 2 * 4 * 1e-3], tolerance: 1e-6)
        let h = gradient(of: g.sum(), wrt: leaf)
        #expect(h.dtype == .float64)
        expectValues(h, [4, 6, 8], tolerance: 1e-6)
    }
}
