/// A pixel rectangle on a canvas.
public struct PixelRect: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// Maps data coordinates to pixels inside a plot area (y grows upwards in data).
public struct PlotFrame: Sendable, Hashable {
    public var area: PixelRect
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>

    public init(area: PixelRect, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.area = area; self.xRange = xRange; self.yRange = yRange
    }

    public func pixelX(_ x: Double) -> Double {
        Double(area.x) + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(area.width - 1)
    }

    public func pixelY(_ y: Double) -> Double {
        Double(area.y + area.height - 1) - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(area.height - 1)
    }
}

/// Title, frame, ticks, tick labels and axis labels around a plot area; the plot types draw
/// their content into the frame it returns.
public struct Axes: Sendable, Hashable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var grid: Bool
    /// Names for x = 1, 2, …, n in place of numeric x ticks (a categorical axis, as for box
    /// plots); empty for a numeric axis.
    public var xCategories: [String]

    public init(title: String = "", xLabel: String = "", yLabel: String = "", grid: Bool = true, xCategories: [String] = []) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.grid = grid; self.xCategories = xCategories
    }

    /// Margins leave room for a 2× title, tick labels and axis labels.
    public static let margins = (left: 62, right: 16, top: 34, bottom: 44)

    /// Draws the decorations into `rect` and returns the inner frame. The plot area is
    /// cleared to white first so content can be drawn on top.
    public func draw(on canvas: inout Canvas, in rect: PixelRect, xRange: ClosedRange<Double>,
                     yRange: ClosedRange<Double>, rightMargin: Int = Axes.margins.right) -> PlotFrame {
        let m = Axes.margins
        let area = PixelRect(x: rect.x + m.left, y: rect.y + m.top,
                             width: max(rect.width - m.left - rightMargin, 10),
                             height: max(rect.height - m.top - m.bottom, 10))
        let frame = PlotFrame(area: area, xRange: Axes.padded(xRange), yRange: Axes.padded(yRange))
        canvas.fillRect(x: area.x, y: area.y, width: area.width, height: area.height, .white)
        if !title.isEmpty {
            canvas.drawText(title, x: rect.x + rect.width / 2, centerY: rect.y + 16, anchor: .center, scale: 2)
        }
        let xTicks = xCategories.isEmpty ? Ticks.nice(frame.xRange, target: max(2, area.width / 80))
            : xCategories.indices.map { Double($0 + 1) }
        let yTicks = Ticks.nice(frame.yRange, target: max(2, area.height / 50))
        for (tick, label) in zip(xTicks, xCategories.isEmpty ? Ticks.labels(xTicks) : xCategories) {
            let px = Int(frame.pixelX(tick).rounded())
            if grid && xCategories.isEmpty { canvas.fillRect(x: px, y: area.y, width: 1, height: area.height, RGB(235, 235, 235)) }
            canvas.fillRect(x: px, y: area.y + area.height, width: 1, height: 4, .black)
            canvas.drawText(label, x: px, centerY: area.y + area.height + 11, anchor: .center)
        }
        for (tick, label) in zip(yTicks, Ticks.labels(yTicks)) {
            let py = Int(frame.pixelY(tick).rounded())
            if grid { canvas.fillRect(x: area.x, y: py, width: area.width, height: 1, RGB(235, 235, 235)) }
            canvas.fillRect(x: area.x - 4, y: py, width: 4, height: 1, .black)
            canvas.drawText(label, x: area.x - 7, centerY: py, anchor: .right)
        }
        canvas.strokeRect(x: area.x - 1, y: area.y - 1, width: area.width + 2, height: area.height + 2, .black)
        if !xLabel.isEmpty {
            canvas.drawText(xLabel, x: area.x + area.width / 2, centerY: rect.y + rect.height - 10, anchor: .center)
        }
        if !yLabel.isEmpty {
            canvas.drawVerticalText(yLabel, centerX: rect.x + 10, centerY: area.y + area.height / 2)
        }
        return frame
    }

    /// A degenerate range widened so it can be drawn.
    static func padded(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        // A span at rounding-noise level (e.g. a JS of log 2 ± 1e-16 all run long) is treated
        // as a single value: ticks that far apart would be equal numbers.
        let scale = max(abs(range.lowerBound), abs(range.upperBound))
        if range.upperBound - range.lowerBound > scale * 1e-9 { return range }
        let pad = max(abs(range.lowerBound) * 0.1, 0.5)
        return (range.lowerBound - pad)...(range.upperBound + pad)
    }

    /// The smallest range covering the finite values, widened by `margin` of its span.
    public static func dataRange(_ values: [Double], margin: Double = 0.05) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return 0...1 }
        let pad = (hi - lo) * margin
        return padded((lo - pad)...(hi + pad))
    }
}

/// A box of coloured swatches and labels in the top-right corner of a plot area.
public struct Legend: Sendable {
    public var entries: [(label: String, color: RGB, dashed: Bool)]

    public init(entries: [(label: String, color: RGB, dashed: Bool)]) { self.entries = entries }

    public func draw(on canvas: inout Canvas, in frame: PlotFrame) {
        guard !entries.isEmpty else { return }
        let textWidth = entries.map { BitmapFont.width(of: $0.label) }.max() ?? 0
        let width = textWidth + 34, height = entries.count * 13 + 6
        let x = frame.area.x + frame.area.width - width - 6, y = frame.area.y + 6
        canvas.fillRect(x: x, y: y, width: width, height: height, .white)
        canvas.strokeRect(x: x, y: y, width: width, height: height, .gray)
        for (k, entry) in entries.enumerated() {
            let cy = y + 9 + k * 13
            canvas.drawLine(from: (Double(x + 5), Double(cy)), to: (Double(x + 23), Double(cy)), entry.color,
                            thickness: 2, dash: entry.dashed ? (4, 3) : nil)
            canvas.drawText(entry.label, x: x + 28, centerY: cy, anchor: .left)
        }
    }
}
