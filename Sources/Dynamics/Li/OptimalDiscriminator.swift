/// The exact best response of the discriminator: the set {F > 0} (spec §3.3, §5).
///
/// {F > 0} is a union of at most two intervals (F has at most three zero crossings), so the
/// discriminator family contains it, and max L − 1 = d_TV(G_{μ*}, G_μ).
public struct OptimalDiscriminator: Sendable, Hashable {
    /// The zero crossings of F in increasing order (at most three). A crossing further out
    /// than `OptimalDiscriminator.farLimit` is placed at ±∞ and not listed.
    public var crossings: [Double]
    /// The maximal intervals where F > 0, in increasing order, with ±∞ endpoints.
    public var positiveIntervals: [ClosedRange<Double>]
    /// `positiveIntervals` as a feasible discriminator; missing intervals are empty.
    public var discriminator: IntervalPair

    /// No crossing is searched beyond |x| = 1e6 (spec §5 step 5).
    public static let farLimit = 1e6
    /// The default scan resolution (spec §5 step 4: at least 4,000 points).
    public static let defaultGridPoints = 4000

    /// Finds the crossings and the positive set of F for generator means `means`.
    public init(model: LiModel, means: SIMD2<Double>, gridPoints: Int = OptimalDiscriminator.defaultGridPoints) {
        let sign = DensityDifferenceSign(trueMeans: model.trueMeans, means: means)
        if sign.vanishesIdentically {
            self.init(crossings: [], leftmostSign: 0)
            return
        }
        var points = Swift.max(gridPoints, 16)
        var found = CrossingSearch(sign: sign, gridPoints: points).run()
        // A count above the Descartes bound means the scan misread a sign: rescan finer.
        var retries = 0
        while found.crossings.count > sign.rootBound && retries < 2 {
            points *= 10
            retries += 1
            found = CrossingSearch(sign: sign, gridPoints: points).run()
        }
        self.init(crossings: found.crossings, leftmostSign: found.leftmostSign)
    }

    /// Builds the positive set from sorted crossings and the sign of F left of the first one.
    init(crossings: [Double], leftmostSign: Int) {
        self.crossings = crossings
        var intervals: [ClosedRange<Double>] = []
        var sign = leftmostSign
        var start = -Double.infinity
        for x in crossings + [Double.infinity] {
            if sign > 0 { intervals.append(start...x) }
            start = x
            sign = -sign
        }
        positiveIntervals = intervals
        switch intervals.count {
        case 0:
            discriminator = .empty()
        case 1:
            let a = intervals[0]
            discriminator = IntervalPair(a.lowerBound, a.upperBound, a.upperBound, a.upperBound)
        default:
            let a = intervals[0], b = intervals[1]
            discriminator = IntervalPair(a.lowerBound, a.upperBound, b.lowerBound, b.upperBound)
        }
    }
}

/// One scan-and-bisect pass of spec §5 steps 4–5.
private struct CrossingSearch {
    let sign: DensityDifferenceSign
    let gridPoints: Int

    func run() -> (crossings: [Double], leftmostSign: Int) {
        let lo = sign.rates.first! - 6, hi = sign.rates.last! + 6
        var crossings: [Double] = []
        var firstSign = 0, lastSign = 0, lastX = lo
        sign.signsOnGrid(lo: lo, hi: hi, count: gridPoints) { _, x, s in
            if s == 0 { return }
            if firstSign == 0 { firstSign = s }
            if lastSign != 0 && s != lastSign {
                crossings.append(bisect(lastX, x, signAtLeft: lastSign))
            }
            lastSign = s
            lastX = x
        }
        if firstSign == 0 { return ([], 0) }  // h̃ vanished on the whole grid: F ≡ 0 numerically.

        // The limits at ±∞ disagree with the grid's ends: one more crossing lies outside.
        var leftmostSign = firstSign
        if firstSign != sign.signAtMinusInfinity,
           let x = farCrossing(from: lo, direction: -1, insideSign: firstSign) {
            crossings.insert(x, at: 0)
            leftmostSign = sign.signAtMinusInfinity
        }
        if lastSign != sign.signAtPlusInfinity,
           let x = farCrossing(from: hi, direction: 1, insideSign: lastSign) {
            crossings.append(x)
        }
        return (crossings, leftmostSign)
    }

    /// Doubles the distance beyond `end` until the sign flips; nil past the far limit, where
    /// the crossing changes neither L nor its gradient and counts as at ±∞.
    private func farCrossing(from end: Double, direction: Double, insideSign: Int) -> Double? {
        var inner = end
        var distance = 1.0
        while abs(end + direction * distance) <= OptimalDiscriminator.farLimit {
            let outer = end + direction * distance
            if sign.sign(at: outer) != insideSign {
                return direction < 0
                    ? bisect(outer, inner, signAtLeft: -insideSign)
                    : bisect(inner, outer, signAtLeft: insideSign)
            }
            inner = outer
            distance *= 2
        }
        return nil
    }

    /// Bisection on the sign of h̃ until the bracket is 1e-13 relative (≤ 1e-12 near 0).
    private func bisect(_ a0: Double, _ b0: Double, signAtLeft: Int) -> Double {
        var a = a0, b = b0
        while b - a > 1e-13 * Swift.max(1, abs(a), abs(b)) {
            let m = 0.5 * (a + b)
            if m <= a || m >= b { break }
            let s = sign.sign(at: m)
            if s == 0 { return m }
            if s == signAtLeft { a = m } else { b = m }
        }
        return 0.5 * (a + b)
    }
}

extension LiModel {
    /// The best-response discriminator for generator means `means`.
    public func optimalDiscriminator(means: SIMD2<Double>) -> OptimalDiscriminator {
        OptimalDiscriminator(model: self, means: means)
    }

    /// d_TV(G_{μ*}, G_μ) = max_{ℓ,r} L − 1.
    public func totalVariation(means: SIMD2<Double>) -> Double {
        let best = optimalDiscriminator(means: means)
        return Swift.max(0, objective(means: means, discriminator: best.discriminator) - 1)
    }
}
