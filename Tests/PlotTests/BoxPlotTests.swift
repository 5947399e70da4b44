import Testing
@testable import Plot

/// Box plots: the box spans the quartiles, the median is a black bar, whiskers reach the
/// minimum and maximum, and a group with no finite value draws no box.
@Suite struct BoxPlotTests {
    /// The plot frame `Axes.draw` makes for a `width`×`height` canvas.
    func frame(width: Int, height: Int, boxes: Int, yRange: ClosedRange<Double>) -> PlotFrame {
        let m = Axes.margins
        return PlotFrame(area: PixelRect(x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom),
                         xRange: 0.5...(Double(boxes) + 0.5), yRange: yRange)
    }

    @Test func boxMedianAndWhiskersLandOnTheirValues() {
        let color = RGB(200, 0, 0)
        let box = Box(label: "ns", minimum: 1, lowerQuartile: 3, median: 5, upperQuartile: 7, maximum: 9, points: [], color: color)
        let empty = Box(label: "none", minimum: .nan, lowerQuartile: .nan, median: .nan, upperQuartile: .nan, maximum: .nan)
        let (width, height) = (400, 300)
        let canvas = BoxPlot(boxes: [box, empty], yRange: 0...10).render(width: width, height: height)
        let f = frame(width: width, height: height, boxes: 2, yRange: 0...10)
        let cx = Int(f.pixelX(1).rounded())
        func y(_ value: Double) -> Int { Int(f.pixelY(value).rounded()) }
        #expect(canvas.pixel(x: cx, y: y(5)) == .black)                          // median bar
        #expect(canvas.pixel(x: cx + 5, y: y(6)) == RGB.white.mixed(with: color, 0.25))  // box fill
        #expect(canvas.pixel(x: cx, y: y(8)) == color)                           // upper whisker
        #expect(canvas.pixel(x: cx, y: y(2)) == color)                           // lower whisker
        #expect(canvas.pixel(x: cx, y: y(9.7)) == .white)                        // above the maximum
        #expect(canvas.pixel(x: cx, y: y(0.3)) == .white)                        // below the minimum
        // The box edges sit at the quartiles.
        #expect(canvas.pixel(x: cx + 5, y: y(7)) == color && canvas.pixel(x: cx + 5, y: y(3)) == color)
        // The empty group's slot stays blank down its centre.
        let emptyX = Int(f.pixelX(2).rounded())
        for v in stride(from: 0.5, through: 9.5, by: 1.0) { #expect(canvas.pixel(x: emptyX, y: y(v)) == .white) }
    }

    @Test func pointsAreDrawnAtTheirValues() {
        let box = Box(label: "a", minimum: 2, lowerQuartile: 2, median: 2, upperQuartile: 2, maximum: 2, points: [8], color: RGB(0, 0, 200))
        let canvas = BoxPlot(boxes: [box], yRange: 0...10).render(width: 300, height: 300)
        let f = frame(width: 300, height: 300, boxes: 1, yRange: 0...10)
        let point = canvas.pixel(x: Int(f.pixelX(1).rounded()), y: Int(f.pixelY(8).rounded()))
        #expect(point == RGB(0, 0, 200).mixed(with: .black, 0.35))
    }
}
