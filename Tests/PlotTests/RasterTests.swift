import Testing
@testable import Plot

@Suite struct RasterTests {
    @Test func everyPrintableASCIICharacterHasAGlyph() {
        let missing = BitmapFont.rows(for: "\u{1}")
        for code in 33...126 {
            let rows = BitmapFont.rows(for: Character(Unicode.Scalar(UInt8(code))))
            #expect(rows.count == BitmapFont.glyphHeight)
            #expect(rows != missing && rows.contains { $0 != 0 }, "glyph for \(code)")
            #expect(rows.allSatisfy { $0 < 32 })
        }
        #expect(BitmapFont.rows(for: " ").allSatisfy { $0 == 0 })
        #expect(BitmapFont.width(of: "abc", scale: 2) == 34)
    }

    @Test func textAndLinesLeaveInk() {
        var canvas = Canvas(width: 40, height: 20)
        canvas.drawText("1", x: 0, y: 0)
        // "1" has its stem in the middle column, all rows 1–5.
        #expect(canvas.pixel(x: 2, y: 3) == .black)
        #expect(canvas.pixel(x: 0, y: 3) == .white)
        canvas.drawLine(from: (10, 10), to: (30, 10), RGB(255, 0, 0))
        #expect(canvas.pixel(x: 10, y: 10) == RGB(255, 0, 0) && canvas.pixel(x: 30, y: 10) == RGB(255, 0, 0))
        canvas.drawLine(from: (-100, -100), to: (1000, 1000), .black)  // clipped, no crash
        canvas.drawLine(from: (0, 0), to: (.infinity, 3), .black)     // ignored
    }

    @Test func viridisEndsAndOrder() {
        let map = Colormap.viridis
        #expect(map.color(at: 0) == RGB(68, 1, 84))
        #expect(map.color(at: 1) == RGB(253, 231, 37))
        #expect(map.color(at: -3) == map.color(at: 0) && map.color(at: 7) == map.color(at: 1))
        func luminance(_ c: RGB) -> Double { 0.2126 * Double(c.r) + 0.7152 * Double(c.g) + 0.0722 * Double(c.b) }
        let samples = (0...20).map { luminance(map.color(at: Double($0) / 20)) }
        #expect(zip(samples, samples.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func niceTicks() {
        #expect(Ticks.nice(0...1, target: 5) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(Ticks.nice(-1...1, target: 4) == [-1, -0.5, 0, 0.5, 1])
        #expect(Ticks.nice(0...3000, target: 6) == [0, 500, 1000, 1500, 2000, 2500, 3000])
        #expect(Ticks.labels([-1, -0.5, 0, 0.5, 1]) == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
    }

    /// A curve flat up to rounding noise (a JS of log 2 ± 1e-16 all run long) once gave
    /// two equal ticks, a zero tick step and a trap in the label formatter.
    @Test func nearlyConstantSeriesStillRenders() {
        let log2 = 0.6931471805599453
        var canvas = Canvas(width: 300, height: 200)
        let plot = LinePlot(series: [LineSeries(label: "JS", x: [0, 1, 2], y: [log2, log2.nextUp, log2])])
        plot.draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: 300, height: 200))
        #expect(Axes.padded(log2...log2.nextUp).upperBound > log2 + 0.01)
        #expect(Ticks.labels([1, 1]) == ["1", "1"])
    }

    @Test func heatMapPutsRowZeroAtTheBottom() {
        let map = HeatMap(values: [[0, 0], [1, 1]], xRange: 0...2, yRange: 0...2, valueRange: 0...1)
        let canvas = map.render(width: 400, height: 300)
        let m = Axes.margins
        let area = (x: m.left, y: m.top, width: 400 - m.left - m.right - 90, height: 300 - m.top - m.bottom)
        let top = canvas.pixel(x: area.x + area.width / 4, y: area.y + area.height / 4)
        let bottom = canvas.pixel(x: area.x + area.width / 4, y: area.y + 3 * area.height / 4)
        #expect(top == Colormap.viridis.color(at: 1))
        #expect(bottom == Colormap.viridis.color(at: 0))
    }

    @Test func lineAndScatterPlotsDrawTheirSeries() throws {
        let red = RGB(250, 0, 0)
        let lines = LinePlot(axes: Axes(title: "t", xLabel: "x", yLabel: "y"),
                             series: [LineSeries(label: "a", x: [0, 1, 2], y: [0, 1, .nan], color: red)])
        let canvas = lines.render(width: 300, height: 200)
        #expect(canvas.pixels.count == 300 * 200 * 3)
        #expect((0..<200).contains { y in (0..<300).contains { canvas.pixel(x: $0, y: y) == red } })
        let scatter = ScatterPlot(series: [ScatterSeries(label: "p", x: [0.5], y: [0.5], color: red, radius: 4)],
                                  xRange: 0...1, yRange: 0...1).render(width: 200, height: 200)
        #expect((0..<200).contains { y in (0..<200).contains { scatter.pixel(x: $0, y: y) == red } })
        #expect(try PNGEncoder.encode(canvas).count > 100)
    }
}
