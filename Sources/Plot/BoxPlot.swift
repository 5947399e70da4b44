/// One box of a box plot: the five-number summary of a group, computed by the caller (so the
/// plot draws exactly the numbers a report prints), and the group's values drawn over it.
public struct Box: Sendable {
    public var label: String
    public var minimum: Double
    public var lowerQuartile: Double
    public var median: Double
    public var upperQuartile: Double
    public var maximum: Double
    /// The individual values, drawn as points spread sideways so ties stay visible.
    public var points: [Double]
    public var color: RGB?

    public init(label: String, minimum: Double, lowerQuartile: Double, median: Double, upperQuartile: Double,
                maximum: Double, points: [Double] = [], color: RGB? = nil) {
        self.label = label; self.minimum = minimum; self.lowerQuartile = lowerQuartile; self.median = median
        self.upperQuartile = upperQuartile; self.maximum = maximum; self.points = points; self.color = color
    }

    /// Whether there is anything to draw (a group with no finite value has NaN statistics).
    var isDrawable: Bool { [minimum, lowerQuartile, median, upperQuartile, maximum].allSatisfy(\.isFinite) }
}

/// Boxes side by side on a categorical x axis: a box from the lower to the upper quartile, a
/// heavier line at the median, whiskers to the minimum and maximum (no outlier rule, so the
/// whiskers are the printed min and max), and every value as a point.
public struct BoxPlot: Sendable {
    public var axes: Axes
    public var boxes: [Box]
    public var yRange: ClosedRange<Double>?

    public init(axes: Axes = Axes(), boxes: [Box], yRange: ClosedRange<Double>? = nil) {
        self.axes = axes; self.boxes = boxes; self.yRange = yRange
    }

    public func render(width: Int = 640, height: Int = 420) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: width, height: height))
        return canvas
    }

    /// The x position of box k (0-based) in data coordinates.
    static func position(_ k: Int) -> Double { Double(k + 1) }

    public func draw(on canvas: inout Canvas, in rect: PixelRect) {
        var decorated = axes
        decorated.xCategories = boxes.map(\.label)
        let values = boxes.flatMap { $0.points + [$0.minimum, $0.maximum] }
        let frame = decorated.draw(on: &canvas, in: rect, xRange: 0.5...(Double(boxes.count) + 0.5),
                                   yRange: yRange ?? Axes.dataRange(values))
        var clipped = canvasRegion(canvas, frame.area)
        let local = PlotFrame(area: PixelRect(x: 0, y: 0, width: frame.area.width, height: frame.area.height),
                              xRange: frame.xRange, yRange: frame.yRange)
        let slot = local.pixelX(Self.position(1)) - local.pixelX(Self.position(0))
        let half = max(3, slot * 0.3)
        for (k, box) in boxes.enumerated() {
            let color = box.color ?? RGB.series(k)
            let cx = local.pixelX(Self.position(k))
            if box.isDrawable {
                let top = local.pixelY(box.upperQuartile), bottom = local.pixelY(box.lowerQuartile)
                let x0 = Int((cx - half).rounded()), x1 = Int((cx + half).rounded())
                let y0 = Int(top.rounded()), y1 = Int(bottom.rounded())
                clipped.fillRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, .white.mixed(with: color, 0.25))
                clipped.strokeRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, color)
                let whisker = half * 0.5
                for (end, edge) in [(box.maximum, top), (box.minimum, bottom)] {
                    let y = local.pixelY(end)
                    clipped.drawLine(from: (cx, edge), to: (cx, y), color)
                    clipped.drawLine(from: (cx - whisker, y), to: (cx + whisker, y), color)
                }
                let median = local.pixelY(box.median)
                clipped.drawLine(from: (cx - half, median), to: (cx + half, median), .black, thickness: 3)
            }
            // A fixed, evenly spread sideways offset (no randomness: the same data, the same image).
            for (i, value) in box.points.enumerated() where value.isFinite {
                let offset = box.points.count > 1 ? (Double(i % 7) / 6 - 0.5) * half * 1.2 : 0
                clipped.fillCircle(x: cx + offset, y: local.pixelY(value), radius: 2.5, color.mixed(with: .black, 0.35))
            }
        }
        canvas.paste(clipped, x: frame.area.x, y: frame.area.y)
    }
}
