import NN
import Tensor
import Testing

@Suite struct DropoutTests {
    @Test func dropsAndRescalesInTrainingOnly() {
        let dropout = Dropout(0.25, key: RandomKey(seed: 44))
        let x = Tensor.ones([100, 100], dtype: .float64)
        let y = dropout(x).doubles
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-15 })
        let kept = Double(y.filter { $0 != 0 }.count) / Double(y.count)
        #expect(abs(kept - 0.75) < 0.02)
        // Each training forward draws a fresh mask.
        #expect(dropout(x).doubles != y)
        dropout.isTraining = false
        #expect(dropout(x).doubles == x.doubles)
    }

    @Test func keyStateRestoresTheMaskSequence() throws {
        let a = Dropout(0.5, key: RandomKey(seed: 45))
        let x = Tensor.ones([4, 8])
        _ = a(x)
        let saved = a.snapshot()
        let next = a(x).doubles
        let b = Dropout(0.5, key: RandomKey(seed: 99))
        try b.load(saved)
        #expect(b(x).doubles == next)
    }
}
