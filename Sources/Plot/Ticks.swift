import Foundation

/// "Nice" tick positions (1, 2, 5 × 10^k steps) and their labels.
public enum Ticks {
    /// About `target` ticks covering `range`, all inside it.
    public static func nice(_ range: ClosedRange<Double>, target: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let step = niceStep(span / Double(max(target, 1)))
        let first = (range.lowerBound / step).rounded(.up) * step
        var ticks: [Double] = []
        var k = 0.0
        while first + k * step <= range.upperBound + step * 1e-9 {
            let v = first + k * step
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        return ticks
    }

    /// The 1-2-5 step at or above `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// A label with just enough decimals for ticks `step` apart.
    public static func label(_ value: Double, step: Double) -> String {
        if abs(value) >= 1e5 || (abs(value) < 1e-3 && value != 0) { return String(format: "%.1e", value) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", value)
    }

    /// Labels for a whole tick list.
    public static func labels(_ ticks: [Double]) -> [String] {
        let gap = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let step = gap > 0 && gap.isFinite ? gap : 1
        return ticks.map { label($0, step: step) }
    }
}
