import Equilibrium
import Foundation

/// The pictures of a training run: generated samples over the discriminator's output (2-D
/// data; 1-D data as histograms), and metric and loss curves over training.
struct TrainingPlots {
    let config: GANConfig
    let setup: GANSetup
    let evalKey: RandomKey

    /// 2-D: D's output as a heat map (probability for sigmoid objectives, the raw logit for
    /// wgan/hinge/ls), real samples in white, generated in red, mode centres as black dots.
    /// 1-D: histograms of real and generated samples. Other dimensions: nothing.
    func writeSamples(to path: String, step: Int, samples: Tensor) throws {
        let dimension = samples.shape.count == 2 ? samples.shape[1] : 0
        let real = setup.data.sample(min(config.evalSamples, 1000), key: evalKey.folded(in: 2), dtype: .float64).doubles
        let fake = samples.doubles
        if dimension == 1 {
            try PNGEncoder.write(histogramPlot(real: real, fake: fake, step: step), to: path)
            return
        }
        guard dimension == 2 else { return }
        let fakeShown = Array(fake.prefix(2 * 1000))
        var xs = stride(from: 0, to: real.count, by: 2).map { real[$0] } + stride(from: 0, to: fakeShown.count, by: 2).map { fakeShown[$0] }
        var ys = stride(from: 1, to: real.count, by: 2).map { real[$0] } + stride(from: 1, to: fakeShown.count, by: 2).map { fakeShown[$0] }
        if let modes = setup.modal?.modes { xs += modes.map { $0[0] }; ys += modes.map { $0[1] } }
        // Robust range: the data's span plus a margin; far-off generated points are clipped.
        let (xr, yr) = (Self.span(xs), Self.span(ys))
        let grid = 120
        var points = [Double]()
        points.reserveCapacity(grid * grid * 2)
        for r in 0..<grid {
            for c in 0..<grid {
                points.append(xr.lowerBound + (Double(c) + 0.5) / Double(grid) * (xr.upperBound - xr.lowerBound))
                points.append(yr.lowerBound + (Double(r) + 0.5) / Double(grid) * (yr.upperBound - yr.lowerBound))
            }
        }
        let discriminator = setup.game.discriminator
        let wasTraining = discriminator.isTraining
        discriminator.isTraining = false
        var logits = discriminator(Tensor(points, shape: [grid * grid, 2], dtype: setup.game.dtype)).detached()
        discriminator.isTraining = wasTraining
        let sigmoidObjective = ["ns", "mm", "minimax", "non-saturating", "nonsaturating"].contains(config.objective.lowercased())
        if sigmoidObjective { logits = logits.sigmoid() }
        let flat = logits.doubles
        let values = (0..<grid).map { r in Array(flat[(r * grid)..<((r + 1) * grid)]) }
        let heat = HeatMap(axes: Axes(title: "\(config.preset) step \(step)", xLabel: "x1", yLabel: "x2"),
                           values: values, xRange: xr, yRange: yr,
                           valueRange: sigmoidObjective ? 0...1 : nil, colormap: .viridis,
                           colorBarLabel: sigmoidObjective ? "D(x)" : "critic f(x)")
        let (width, height) = (700, 620)
        var canvas = Canvas(width: width, height: height)
        let rect = PixelRect(x: 0, y: 0, width: width, height: height)
        heat.draw(on: &canvas, in: rect)
        // The heat map's plot area: Axes.draw's margins with the colour bar's extra 90 px.
        let m = Axes.margins
        let frame = PlotFrame(area: PixelRect(x: m.left, y: m.top, width: width - m.left - m.right - 90,
                                              height: height - m.top - m.bottom), xRange: xr, yRange: yr)
        func dot(_ x: Double, _ y: Double, _ radius: Double, _ color: RGB) {
            let px = frame.pixelX(x), py = frame.pixelY(y)
            guard px >= Double(frame.area.x), px < Double(frame.area.x + frame.area.width),
                  py >= Double(frame.area.y), py < Double(frame.area.y + frame.area.height) else { return }
            canvas.fillCircle(x: px, y: py, radius: radius, color)
        }
        for i in stride(from: 0, to: real.count - 1, by: 2) { dot(real[i], real[i + 1], 1.6, .white) }
        for i in stride(from: 0, to: fakeShown.count - 1, by: 2) { dot(fakeShown[i], fakeShown[i + 1], 1.6, RGB(230, 40, 40)) }
        for mode in setup.modal?.modes ?? [] { dot(mode[0], mode[1], 2.5, .black) }
        let legend = "white: data  red: generated" + (setup.modal == nil ? "" : "  black: mode centres")
        canvas.drawText(legend, x: m.left, y: height - 14, .black)
        try PNGEncoder.write(canvas, to: path)
    }

    /// Images [N, C, H, W]: the first `count` as an 8-column grid. Generated images come
    /// from the run's fixed evaluation noise, so grids of different steps (and of runs with
    /// the same seed) show the same latent points.
    func writeImageGrid(to path: String, images: Tensor, title: String, count: Int = 64) throws {
        guard images.rank == 4 else { return }
        let shown = images.gathering(rows: Array(0..<min(count, images.shape[0]))).cast(to: .float32)
        let grid = ImageGrid(values: shown.scalars(as: Float.self), count: shown.shape[0], channels: shown.shape[1],
                             height: shown.shape[2], width: shown.shape[3], columns: 8, scale: shown.shape[2] <= 32 ? 2 : 1,
                             title: title)
        try PNGEncoder.write(grid.render(), to: path)
    }

    static func span(_ values: [Double]) -> ClosedRange<Double> {
        let sorted = values.filter(\.isFinite).sorted()
        guard let lo = sorted.first, let hi = sorted.last else { return -1...1 }
        // Ignore the most extreme 0.5 % on each side so one runaway sample cannot squash the plot.
        let cut = sorted.count / 200
        let a = sorted[cut], b = sorted[sorted.count - 1 - cut]
        let low = min(a, lo + (b - a)), high = max(b, hi - (b - a))
        let margin = max((high - low) * 0.15, 0.1)
        return (low - margin)...(high + margin)
    }

    func histogramPlot(real: [Double], fake: [Double], step: Int) -> Canvas {
        let range = Self.span(real + fake)
        let bins = 80
        func histogram(_ v: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            for x in v where range.contains(x) {
                counts[min(bins - 1, Int((x - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(bins)))] += 1
            }
            let width = (range.upperBound - range.lowerBound) / Double(bins)
            return counts.map { $0 / (Double(max(v.count, 1)) * width) }
        }
        let centres = (0..<bins).map { range.lowerBound + (Double($0) + 0.5) * (range.upperBound - range.lowerBound) / Double(bins) }
        return LinePlot(axes: Axes(title: "\(config.preset) step \(step)", xLabel: "x", yLabel: "density"),
                        series: [LineSeries(label: "data", x: centres, y: histogram(real)),
                                 LineSeries(label: "generated", x: centres, y: histogram(fake))]).render()
    }

    /// Modes and HQ (when the data has modes) or histogram JS, and both losses over training.
    func writeCurves(to path: String, history: [[String: Any]], losses: [(step: Int, d: Double, g: Double)]) throws {
        let steps = history.compactMap { $0["step"] as? Int }.map(Double.init)
        var top: LinePlot
        var extra: [LinePlot] = []
        func series(_ key: String, _ label: String, dashed: Bool = false) -> LineSeries? {
            let points = history.compactMap { r -> (Double, Double)? in
                guard let s = r["step"] as? Int, let v = r[key] as? Double else { return nil }
                return (Double(s), v)
            }
            return points.isEmpty ? nil : LineSeries(label: label, x: points.map(\.0), y: points.map(\.1), dashed: dashed)
        }
        if history.first?["off_manifold_distance"] != nil {
            // Fedus et al.'s point in one panel: progress (distance, W1) while JS stays log 2.
            top = LinePlot(axes: Axes(title: "segment trackers (\(config.evalSamples) samples per evaluation)", xLabel: "step",
                                      yLabel: "distance / W1 / JS"),
                           series: [series("off_manifold_distance", "off-segment distance"), series("coverage_w1", "coverage W1"),
                                    series("sliced_w1", "sliced W1"), series("js_analytic", "JS (exact)", dashed: true)].compactMap { $0 })
        } else if history.first?["modes_covered"] != nil {
            let modes = history.compactMap { ($0["modes_covered"] as? Int).map(Double.init) }
            let total = history.first?["modes_total"] as? Int ?? 1
            let hq = history.compactMap { ($0["high_quality_fraction"] as? Double).map { $0 * Double(total) } }
            top = LinePlot(axes: Axes(title: "mode coverage (\(config.evalSamples) samples per evaluation)", xLabel: "step",
                                      yLabel: "modes / HQ × modes"),
                           series: [LineSeries(label: "modes covered", x: steps, y: modes),
                                    LineSeries(label: "HQ fraction × \(total)", x: steps, y: hq, dashed: true)])
            top.yRange = 0...Double(total) * 1.05
        } else if history.first?["fcd"] != nil {
            // Image metrics on their own scales: FCD, classifier score, precision and recall.
            top = LinePlot(axes: Axes(title: "FCD (\(config.evalSamples) samples per evaluation)", xLabel: "step", yLabel: "FCD"),
                           series: [series("fcd", "FCD"), series("ema_fcd", "FCD (EMA)", dashed: true)].compactMap { $0 })
            extra = [
                LinePlot(axes: Axes(title: "classifier score (10 splits)", xLabel: "step", yLabel: "score"),
                         series: [series("classifier_score", "classifier score"),
                                  series("ema_classifier_score", "classifier score (EMA)", dashed: true)].compactMap { $0 }),
                LinePlot(axes: Axes(title: "precision and recall (k = 3)", xLabel: "step", yLabel: "fraction"),
                         series: [series("precision", "precision"), series("recall", "recall", dashed: true)].compactMap { $0 }),
            ]
        } else {
            top = LinePlot(axes: Axes(title: "divergence to the data", xLabel: "step", yLabel: "JS / sliced W1"),
                           series: [series("hist_js", "JS (50 bins)"), series("sliced_w1", "sliced W1 (64 directions)")].compactMap { $0 })
        }
        // Losses: block means so a long run stays readable.
        let block = max(1, losses.count / 400)
        var lx: [Double] = [], ld: [Double] = [], lg: [Double] = []
        for start in stride(from: 0, to: losses.count, by: block) {
            let chunk = losses[start..<min(start + block, losses.count)]
            lx.append(Double(chunk.last!.step))
            ld.append(chunk.map(\.d).reduce(0, +) / Double(chunk.count))
            lg.append(chunk.map(\.g).reduce(0, +) / Double(chunk.count))
        }
        let bottom = LinePlot(axes: Axes(title: "losses (\(config.objective))", xLabel: "step", yLabel: "loss"),
                              series: [LineSeries(label: "discriminator", x: lx, y: ld), LineSeries(label: "generator", x: lx, y: lg)])
        let panels = [top] + extra + [bottom]
        let panelHeight = extra.isEmpty ? 420 : 330
        var canvas = Canvas(width: 760, height: panelHeight * panels.count)
        for (i, panel) in panels.enumerated() {
            panel.draw(on: &canvas, in: PixelRect(x: 0, y: i * panelHeight, width: 760, height: panelHeight))
        }
        try PNGEncoder.write(canvas, to: path)
    }
}
