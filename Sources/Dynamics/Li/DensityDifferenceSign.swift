import RealModule

/// The sign of F = p* − p_μ anywhere on ℝ, without underflow (spec §3.3 and §5 step 3).
///
/// 2√(2π)·e^{x²/2}·F(x) = h(x) = Σ_k w_k·exp(m_k x − m_k²/2), with the means as exponents and
/// weight +1 for a true mean, −1 for a generator mean. Equal exponents are merged first, so
/// μ_j = μ*_k cancels exactly. Dividing h by e^{M(x)}, M the largest exponent term, gives
/// h̃ with the sign of F and terms in (0, 1]: F itself underflows about 38 units out.
struct DensityDifferenceSign {
    /// Merged exponents in increasing order and their (integer-valued, non-zero) weights.
    private(set) var rates: [Double] = []
    private(set) var weights: [Double] = []

    init(trueMeans: SIMD2<Double>, means: SIMD2<Double>) {
        let raw = [(trueMeans[0], 1.0), (trueMeans[1], 1.0), (means[0], -1.0), (means[1], -1.0)]
            .sorted { $0.0 < $1.0 }
        for (rate, weight) in raw {
            if let last = rates.last, last == rate {
                weights[weights.count - 1] += weight
            } else {
                rates.append(rate)
                weights.append(weight)
            }
        }
        let keep = weights.indices.filter { weights[$0] != 0 }
        rates = keep.map { rates[$0] }
        weights = keep.map { weights[$0] }
    }

    /// F ≡ 0: μ equals μ* as a multiset.
    var vanishesIdentically: Bool { rates.isEmpty }

    /// Sign of F as x → −∞ and x → +∞: the weight of the extreme surviving exponent.
    var signAtMinusInfinity: Int { weights.first.map { $0 > 0 ? 1 : -1 } ?? 0 }
    var signAtPlusInfinity: Int { weights.last.map { $0 > 0 ? 1 : -1 } ?? 0 }

    /// Sign changes of the weights ordered by exponent: Descartes' bound on the real zeros.
    var rootBound: Int {
        zip(weights, weights.dropFirst()).filter { ($0 > 0) != ($1 > 0) }.count
    }

    /// h̃(x) = Σ_k w_k exp(m_k x − m_k²/2 − M(x)).
    func scaledValue(at x: Double) -> Double {
        var largest = -Double.infinity
        for m in rates { largest = Swift.max(largest, m * x - 0.5 * m * m) }
        var sum = 0.0
        for k in rates.indices {
            let m = rates[k]
            sum += weights[k] * Double.exp(m * x - 0.5 * m * m - largest)
        }
        return sum
    }

    func sign(at x: Double) -> Int {
        let v = scaledValue(at: x)
        return v > 0 ? 1 : (v < 0 ? -1 : 0)
    }

    /// Signs of h̃ at lo + k·spacing for k in 0..<count (the last point forced to `hi`).
    ///
    /// Why not `sign(at:)` per point: the scan is the optimal dynamics' whole cost. On a
    /// uniform grid each term obeys t_k(x + Δ) = t_k(x)·e^{m_k Δ}, so blocks of points reuse one
    /// exact evaluation and cost a multiply per term. Each block restarts from exact, rescaled
    /// terms, so round-off cannot build up and no term can overflow.
    func signsOnGrid(lo: Double, hi: Double, count: Int, _ visit: (_ index: Int, _ x: Double, _ sign: Int) -> Void) {
        let spacing = (hi - lo) / Double(count - 1)
        let block = 32
        let largestRate = rates.map { abs($0) }.max() ?? 0
        let n = rates.count
        guard n <= 4, largestRate * spacing * Double(block) < 200 else {
            for k in 0..<count {
                let x = k == count - 1 ? hi : lo + Double(k) * spacing
                visit(k, x, sign(at: x))
            }
            return
        }
        var ratio = SIMD4<Double>(repeating: 1), weight = SIMD4<Double>()
        for k in 0..<n {
            ratio[k] = Double.exp(rates[k] * spacing)
            weight[k] = weights[k]
        }
        var term = SIMD4<Double>()
        for k in 0..<count {
            let x = k == count - 1 ? hi : lo + Double(k) * spacing
            if k % block == 0 || k == count - 1 {
                var largest = -Double.infinity
                for j in 0..<n { largest = Swift.max(largest, rates[j] * x - 0.5 * rates[j] * rates[j]) }
                term = SIMD4()
                for j in 0..<n { term[j] = Double.exp(rates[j] * x - 0.5 * rates[j] * rates[j] - largest) }
            } else {
                term = term * ratio
            }
            let v = (weight * term).sum()
            visit(k, x, v > 0 ? 1 : (v < 0 ? -1 : 0))
        }
    }
}
