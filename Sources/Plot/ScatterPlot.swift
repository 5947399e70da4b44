/// One group of points in a scatter plot.
public struct ScatterSeries: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var color: RGB?
    public var radius: Double

    public init(label: String, x: [Double], y: [Double], color: RGB? = nil, radius: Double = 2.5) {
        precondition(x.count == y.count, "x and y must have the same length")
        self.label = label; self.x = x; self.y = y; self.color = color; self.radius = radius
    }
}

/// Point clouds against shared axes, with a legend.
public struct ScatterPlot: Sendable {
    public var axes: Axes
    public var series: [ScatterSeries]
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?

    public init(axes: Axes = Axes(), series: [ScatterSeries] = [], xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil) {
        self.axes = axes; self.series = series; self.xRange = xRange; self.yRange = yRange
    }

    public func render(width: Int = 600, height: Int = 600) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: width, height: height))
        return canvas
    }

    public func draw(on canvas: inout Canvas, in rect: PixelRect) {
        let frame = axes.draw(on: &canvas, in: rect,
                              xRange: xRange ?? Axes.dataRange(series.flatMap(\.x)),
                              yRange: yRange ?? Axes.dataRange(series.flatMap(\.y)))
        var clipped = canvasRegion(canvas, frame.area)
        let local = PlotFrame(area: PixelRect(x: 0, y: 0, width: frame.area.width, height: frame.area.height),
                              xRange: frame.xRange, yRange: frame.yRange)
        for (k, s) in series.enumerated() {
            for (x, y) in zip(s.x, s.y) {
                clipped.fillCircle(x: local.pixelX(x), y: local.pixelY(y), radius: s.radius, s.color ?? RGB.series(k))
            }
        }
        canvas.paste(clipped, x: frame.area.x, y: frame.area.y)
        Legend(entries: series.enumerated().filter { !$0.element.label.isEmpty }.map {
            (label: $0.element.label, color: $0.element.color ?? RGB.series($0.offset), dashed: false)
        }).draw(on: &canvas, in: frame)
    }
}
