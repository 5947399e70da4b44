import NN
import Tensor
import Testing

@Suite struct InitializerTests {
    private func moments(_ t: Tensor) -> (mean: Double, std: Double) {
        let v = t.doubles
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        return (mean, variance.squareRoot())
    }

    /// Mean ≈ 0 and std ≈ `std` for 200·300 = 60 000 draws (sampling error of the std ≈ 0.3 %).
    private func expectMoments(_ t: Tensor, mean: Double = 0, std: Double, _ what: String) {
        let m = moments(t)
        #expect(abs(m.mean - mean) < 0.02 * std + 1e-12, "\(what): mean \(m.mean)")
        #expect(abs(m.std - std) < 0.02 * std, "\(what): std \(m.std), expected \(std)")
    }

    @Test func fansFollowPyTorch() {
        #expect(Initializer.fans([300, 200]) == (200, 300))
        #expect(Initializer.fans([8, 3, 4, 4]) == (48, 128))
    }

    @Test func statistics() {
        var key = RandomKey(seed: 80)
        let shape = [200, 300]
        let (fanIn, fanOut) = (300.0, 200.0)
        expectMoments(Initializer.normal(shape, mean: 0.5, std: 0.02, key: key.split()), mean: 0.5, std: 0.02, "normal")
        expectMoments(Initializer.uniform(shape, low: -3, high: 1, key: key.split()), mean: -1, std: 4 / 12.0.squareRoot(), "uniform")
        expectMoments(Initializer.xavierUniform(shape, gain: 2, key: key.split()), std: 2 * (2 / (fanIn + fanOut)).squareRoot(), "xavierUniform")
        expectMoments(Initializer.xavierNormal(shape, key: key.split()), std: (2 / (fanIn + fanOut)).squareRoot(), "xavierNormal")
        expectMoments(Initializer.kaimingUniform(shape, nonlinearity: .relu, key: key.split()), std: (2 / fanIn).squareRoot(), "kaimingUniform")
        expectMoments(Initializer.kaimingNormal(shape, mode: .fanOut, nonlinearity: .leakyRelu(slope: 0.2), key: key.split()),
                      std: (2 / (1.04 * fanOut)).squareRoot(), "kaimingNormal fanOut")
        let uniform = Initializer.kaimingUniform(shape, nonlinearity: .relu, key: key.split()).doubles
        #expect(uniform.allSatisfy { abs($0) <= (6 / fanIn).squareRoot() })
        #expect(Initializer.zeros([3]).doubles == [0, 0, 0])
        #expect(Initializer.constant([2], 0.7, dtype: .float64).doubles == [0.7, 0.7])
        #expect(Initializer.Nonlinearity.tanh.gain == 5.0 / 3.0)
    }

    @Test func pytorchDefaultBound() {
        let w = Initializer.pytorchDefault([100, 400], fanIn: 400, key: RandomKey(seed: 81))
        #expect(w.doubles.allSatisfy { abs($0) <= 0.05 })
        expectMoments(w, std: 0.05 / 3.0.squareRoot(), "U(±1/√fan_in)")
    }

    /// max |QᵀQ − I| or |QQᵀ − I| over the smaller side of a [rows, cols] matrix.
    private func orthogonalityError(_ q: Tensor, rows: Int, cols: Int, gain: Double) -> Double {
        let gram = rows <= cols ? q.matmul(q, transposeOther: true) : q.matmul(q, transposeSelf: true)
        let size = min(rows, cols)
        return maxRelativeError(gram / (gain * gain), Tensor.eye(size, dtype: .float64))
    }

    @Test(arguments: [(5, 5), (4, 9), (9, 4)])
    func orthogonal(rows: Int, cols: Int) {
        let q = Initializer.orthogonal([rows, cols], gain: 1.5, key: RandomKey(seed: 82), dtype: .float64)
        #expect(orthogonalityError(q, rows: rows, cols: cols, gain: 1.5) < 1e-12)
    }

    @Test func orthogonalConvolutionWeight() {
        let q = Initializer.orthogonal([4, 2, 3, 3], key: RandomKey(seed: 83), dtype: .float64)
        #expect(q.shape == [4, 2, 3, 3])
        #expect(orthogonalityError(q.reshaped([4, 18]), rows: 4, cols: 18, gain: 1) < 1e-12)
    }
}
