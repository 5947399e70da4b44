import Foundation

/// A matrix of values as coloured cells, with a colour bar.
///
/// `values[row][column]`: row 0 is the bottom row (smallest y), column 0 the leftmost. The
/// cells tile `xRange` × `yRange` evenly. NaN cells are drawn light grey.
public struct HeatMap: Sendable {
    public var axes: Axes
    public var values: [[Double]]
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// Colour scale limits; nil uses the data's min and max.
    public var valueRange: ClosedRange<Double>?
    public var colormap: Colormap
    public var colorBarLabel: String
    /// Print each cell's value in it when the cells are large enough.
    public var annotate: Bool
    /// printf format for annotations.
    public var annotationFormat: String

    public init(axes: Axes = Axes(), values: [[Double]], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                valueRange: ClosedRange<Double>? = nil, colormap: Colormap = .viridis, colorBarLabel: String = "",
                annotate: Bool = false, annotationFormat: String = "%.2f") {
        self.axes = axes; self.values = values; self.xRange = xRange; self.yRange = yRange
        self.valueRange = valueRange; self.colormap = colormap; self.colorBarLabel = colorBarLabel
        self.annotate = annotate; self.annotationFormat = annotationFormat
    }

    public func render(width: Int = 640, height: Int = 560) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: width, height: height))
        return canvas
    }

    public var resolvedValueRange: ClosedRange<Double> {
        if let valueRange { return valueRange }
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), hi > lo else { return 0...1 }
        return lo...hi
    }

    public func draw(on canvas: inout Canvas, in rect: PixelRect) {
        let colorBarSpace = 90
        var heatAxes = axes
        heatAxes.grid = false
        let frame = heatAxes.draw(on: &canvas, in: rect, xRange: xRange, yRange: yRange,
                                  rightMargin: Axes.margins.right + colorBarSpace)
        let rows = values.count, columns = values.first?.count ?? 0
        let range = resolvedValueRange
        func normalised(_ v: Double) -> Double { (v - range.lowerBound) / (range.upperBound - range.lowerBound) }
        let area = frame.area
        if rows > 0 && columns > 0 {
            for r in 0..<rows {
                // Row 0 at the bottom: pixel rows counted from the bottom edge.
                let y0 = area.y + area.height - (r + 1) * area.height / rows
                let y1 = area.y + area.height - r * area.height / rows
                for c in 0..<columns {
                    let x0 = area.x + c * area.width / columns, x1 = area.x + (c + 1) * area.width / columns
                    let v = values[r][c]
                    let color = v.isFinite ? colormap.color(at: normalised(v)) : .lightGray
                    canvas.fillRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0, color)
                    let label = String(format: annotationFormat, v)
                    if annotate && x1 - x0 >= BitmapFont.width(of: label) + 4 && y1 - y0 >= 11 {
                        let ink: RGB = v.isFinite && normalised(v) > 0.6 ? .black : .white
                        canvas.drawText(label, x: (x0 + x1) / 2, centerY: (y0 + y1) / 2, anchor: .center, ink)
                    }
                }
            }
        }
        canvas.strokeRect(x: area.x - 1, y: area.y - 1, width: area.width + 2, height: area.height + 2, .black)
        drawColorBar(on: &canvas, x: area.x + area.width + 18, y: area.y, height: area.height, range: range)
    }

    private func drawColorBar(on canvas: inout Canvas, x: Int, y: Int, height: Int, range: ClosedRange<Double>) {
        let barWidth = 16
        for k in 0..<height {
            let t = 1 - Double(k) / Double(max(height - 1, 1))
            canvas.fillRect(x: x, y: y + k, width: barWidth, height: 1, colormap.color(at: t))
        }
        canvas.strokeRect(x: x - 1, y: y - 1, width: barWidth + 2, height: height + 2, .black)
        let ticks = Ticks.nice(range, target: 5)
        for (tick, label) in zip(ticks, Ticks.labels(ticks)) {
            let t = (tick - range.lowerBound) / (range.upperBound - range.lowerBound)
            let py = y + Int(((1 - t) * Double(height - 1)).rounded())
            canvas.fillRect(x: x + barWidth + 1, y: py, width: 4, height: 1, .black)
            canvas.drawText(label, x: x + barWidth + 8, centerY: py, anchor: .left)
        }
        if !colorBarLabel.isEmpty {
            canvas.drawVerticalText(colorBarLabel, centerX: x + barWidth + 60, centerY: y + height / 2)
        }
    }
}
