/// A map from [0, 1] to colours, by piecewise-linear interpolation between anchors.
public struct Colormap: Sendable, Hashable {
    public var anchors: [RGB]

    public init(anchors: [RGB]) {
        precondition(anchors.count >= 2, "a colormap needs at least two anchors")
        self.anchors = anchors
    }

    /// The colour at t (clamped to [0, 1]).
    public func color(at t: Double) -> RGB {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Double(anchors.count - 1)
        let lower = min(Int(position), anchors.count - 2)
        return anchors[lower].mixed(with: anchors[lower + 1], position - Double(lower))
    }

    /// A viridis-like map (dark purple → blue → green → yellow): 11 anchors approximating
    /// matplotlib's viridis, which is perceptually ordered and colour-blind safe.
    public static let viridis = Colormap(anchors: [
        RGB(68, 1, 84), RGB(72, 36, 117), RGB(65, 68, 135), RGB(53, 95, 141), RGB(42, 120, 142),
        RGB(33, 145, 140), RGB(34, 168, 132), RGB(68, 191, 112), RGB(122, 209, 81),
        RGB(189, 223, 38), RGB(253, 231, 37),
    ])

    /// White to dark grey, for monochrome output.
    public static let grays = Colormap(anchors: [.white, RGB(30, 30, 30)])
}
