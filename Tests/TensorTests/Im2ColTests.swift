import Testing
@testable import Tensor

/// im2col and col2im against their definitions, for geometries that exercise every path of
/// the phase-split scratch: strides 1–3, paddings 0–2, output widths below, at and above the
/// eight-wide SIMD runs, several images side by side (ld > colCols) and both dtypes. Entries
/// outside an image's block must be left untouched (the SIMD stores may overrun only into
/// places written later).
@Suite struct Im2ColTests {
    static let geometries: [ConvGeometry] = [
        ConvGeometry(channels: 3, height: 14, width: 14, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 1, height: 28, width: 28, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 2, height: 9, width: 11, kernelH: 3, kernelW: 2, stride: 1, padding: 0),
        ConvGeometry(channels: 2, height: 10, width: 19, kernelH: 3, kernelW: 3, stride: 1, padding: 2),
        ConvGeometry(channels: 2, height: 13, width: 17, kernelH: 3, kernelW: 5, stride: 3, padding: 1),
        ConvGeometry(channels: 1, height: 7, width: 6, kernelH: 2, kernelW: 2, stride: 2, padding: 0),
        ConvGeometry(channels: 2, height: 5, width: 5, kernelH: 1, kernelW: 1, stride: 1, padding: 2),
        ConvGeometry(channels: 1, height: 33, width: 40, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
        // Stride 2 with even paddings (the other phase alignment) and rows of 16+ columns.
        ConvGeometry(channels: 2, height: 9, width: 36, kernelH: 4, kernelW: 4, stride: 2, padding: 2),
        ConvGeometry(channels: 1, height: 8, width: 34, kernelH: 2, kernelW: 2, stride: 2, padding: 0),
        // Stride 2, whole rows inside the padded width (the sixteen-wide phase split and
        // merge): an odd width, a width of exactly sixteen, and padding 3.
        ConvGeometry(channels: 2, height: 15, width: 15, kernelH: 3, kernelW: 3, stride: 2, padding: 1),
        ConvGeometry(channels: 2, height: 6, width: 16, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 1, height: 10, width: 10, kernelH: 4, kernelW: 4, stride: 2, padding: 3),
    ]

    /// The definition: cols[(c·kH + i)·kW + j, y·outW + o] = x[c, y·s − p + i, o·s − p + j].
    static func reference(_ g: ConvGeometry, _ x: [Double]) -> [Double] {
        var cols = [Double](repeating: 0, count: g.colRows * g.colCols)
        for c in 0..<g.channels { for i in 0..<g.kernelH { for j in 0..<g.kernelW {
            for y in 0..<g.outH { for o in 0..<g.outW {
                let (r, q) = (y * g.stride - g.padding + i, o * g.stride - g.padding + j)
                guard r >= 0 && r < g.height && q >= 0 && q < g.width else { continue }
                cols[((c * g.kernelH + i) * g.kernelW + j) * g.colCols + y * g.outW + o] = x[(c * g.height + r) * g.width + q]
            } }
        } } }
        return cols
    }

    /// Runs im2col into the middle block of a three-image-wide buffer prefilled with a
    /// sentinel, then col2im of a random column buffer, both in type T.
    static func check<T: TensorScalar>(_ g: ConvGeometry, _: T.Type) {
        var key = RandomKey(seed: UInt64(g.colRows * 31 + g.colCols))
        let x = Tensor.uniform([g.imageSize], low: -1, high: 1, key: key.split(), dtype: .float64).doubles
        let ld = 3 * g.colCols, sentinel = T(-7)
        var cols = [T](repeating: sentinel, count: g.colRows * ld + ConvGeometry.columnSlack)
        var scratch = [T](repeating: T(99), count: g.scratchCount)
        let xs = x.map { T($0) }
        xs.withUnsafeBufferPointer { xp in
            cols.withUnsafeMutableBufferPointer { cp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    g.im2col(xp.baseAddress!, cp.baseAddress! + g.colCols, ld: ld, scratch: sp.baseAddress!)
                }
            }
        }
        let expected = reference(g, x)
        var mismatches = 0, clobbered = 0
        for row in 0..<g.colRows {
            for k in 0..<ld {
                let value = cols[row * ld + k]
                if k >= g.colCols && k < 2 * g.colCols {
                    if Double(value) != Double(T(expected[row * g.colCols + k - g.colCols])) { mismatches += 1 }
                } else if value != sentinel {
                    clobbered += 1
                }
            }
        }
        #expect(mismatches == 0 && clobbered == 0, "im2col \(g) in \(T.self): \(mismatches) wrong, \(clobbered) outside written")

        // col2im is the adjoint: ⟨im2col(x), C⟩ = ⟨x, col2im(C)⟩, and it overwrites its target.
        let columns = Tensor.uniform([g.colRows * g.colCols], low: -1, high: 1, key: key.split(), dtype: .float64).doubles
        var padded = columns.map { T($0) } + [T](repeating: T(5), count: ConvGeometry.columnSlack)
        // Sixteen guard values past the image: col2im must not write there.
        var image = [T](repeating: T(42), count: g.imageSize + 16)
        padded.withUnsafeMutableBufferPointer { cp in
            image.withUnsafeMutableBufferPointer { ip in
                scratch.withUnsafeMutableBufferPointer { sp in
                    g.col2im(cp.baseAddress!, ip.baseAddress!, ld: g.colCols, scratch: sp.baseAddress!)
                }
            }
        }
        var reference = [Double](repeating: 0, count: g.imageSize)
        for c in 0..<g.channels { for i in 0..<g.kernelH { for j in 0..<g.kernelW {
            for y in 0..<g.outH { for o in 0..<g.outW {
                let (r, q) = (y * g.stride - g.padding + i, o * g.stride - g.padding + j)
                guard r >= 0 && r < g.height && q >= 0 && q < g.width else { continue }
                reference[(c * g.height + r) * g.width + q] += Double(T(columns[((c * g.kernelH + i) * g.kernelW + j) * g.colCols + y * g.outW + o]))
            } }
        } } }
        let tolerance = T.self == Float.self ? 1e-5 : 1e-12
        let worst = zip(image, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= tolerance, "col2im \(g) in \(T.self): largest error \(worst)")
        #expect(image[g.imageSize...].allSatisfy { $0 == T(42) }, "col2im \(g) in \(T.self) wrote past the image")
    }

    @Test(arguments: geometries)
    func transformsMatchDefinitions(_ g: ConvGeometry) {
        Self.check(g, Float.self)
        Self.check(g, Double.self)
    }
}
