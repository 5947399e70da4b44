/// One polyline of a line plot. Non-finite points break the line.
public struct LineSeries: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var color: RGB?
    public var thickness: Int
    public var dashed: Bool

    public init(label: String, x: [Double], y: [Double], color: RGB? = nil, thickness: Int = 2, dashed: Bool = false) {
        precondition(x.count == y.count, "x and y must have the same length")
        self.label = label; self.x = x; self.y = y; self.color = color
        self.thickness = thickness; self.dashed = dashed
    }
}

/// Several series against shared axes, with a legend.
public struct LinePlot: Sendable {
    public var axes: Axes
    public var series: [LineSeries]
    /// Fixed ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var showLegend = true

    public init(axes: Axes = Axes(), series: [LineSeries] = [], xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil) {
        self.axes = axes; self.series = series; self.xRange = xRange; self.yRange = yRange
    }

    public func render(width: Int = 720, height: Int = 420) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: width, height: height))
        return canvas
    }

    public func draw(on canvas: inout Canvas, in rect: PixelRect) {
        let xr = xRange ?? Axes.dataRange(series.flatMap(\.x), margin: 0)
        let yr = yRange ?? Axes.dataRange(series.flatMap(\.y))
        let frame = axes.draw(on: &canvas, in: rect, xRange: xr, yRange: yr)
        var clipped = Canvas(width: frame.area.width, height: frame.area.height)
        let local = PlotFrame(area: PixelRect(x: 0, y: 0, width: frame.area.width, height: frame.area.height),
                              xRange: frame.xRange, yRange: frame.yRange)
        // Draw into a canvas the size of the plot area so lines are clipped to it.
        clipped.paste(canvasRegion(canvas, frame.area), x: 0, y: 0)
        for (k, s) in series.enumerated() {
            let color = s.color ?? RGB.series(k)
            var phase = 0
            for i in 1..<max(s.x.count, 1) where s.y[i - 1].isFinite && s.y[i].isFinite {
                clipped.drawLine(from: (local.pixelX(s.x[i - 1]), local.pixelY(s.y[i - 1])),
                                 to: (local.pixelX(s.x[i]), local.pixelY(s.y[i])), color,
                                 thickness: s.thickness, dash: s.dashed ? (6, 4) : nil, phase: &phase)
            }
        }
        canvas.paste(clipped, x: frame.area.x, y: frame.area.y)
        if showLegend {
            Legend(entries: series.enumerated().filter { !$0.element.label.isEmpty }.map {
                (label: $0.element.label, color: $0.element.color ?? RGB.series($0.offset), dashed: $0.element.dashed)
            }).draw(on: &canvas, in: frame)
        }
    }
}

/// A copy of one rectangle of `canvas`.
func canvasRegion(_ canvas: Canvas, _ rect: PixelRect) -> Canvas {
    var out = Canvas(width: rect.width, height: rect.height)
    for y in 0..<rect.height {
        for x in 0..<rect.width where rect.x + x < canvas.width && rect.y + y < canvas.height {
            out.set(x: x, y: y, canvas.pixel(x: rect.x + x, y: rect.y + y))
        }
    }
    return out
}
