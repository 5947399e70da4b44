import Equilibrium

/// A 2-D scatter of a generator mixture's samples, one colour per source component
/// (`labels[c]` names component c); nil unless the samples are 2-D.
func componentScatter(_ samples: Tensor, components: [Int], labels: [String], title: String) -> ScatterPlot? {
    guard samples.rank == 2, samples.shape[1] == 2 else { return nil }
    let values = samples.doubles
    var groups: [Int: (x: [Double], y: [Double])] = [:]
    for (n, c) in components.enumerated() {
        groups[c, default: ([], [])].x.append(values[2 * n])
        groups[c, default: ([], [])].y.append(values[2 * n + 1])
    }
    return ScatterPlot(axes: Axes(title: title, xLabel: "x1", yLabel: "x2"),
                       series: groups.keys.sorted().map { c in
                           ScatterSeries(label: labels[c], x: groups[c]!.x, y: groups[c]!.y, color: RGB.series(c), radius: 1.5)
                       })
}
