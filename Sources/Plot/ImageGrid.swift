/// A grid of small images (generated or real samples) as one picture: `columns` images per
/// row, each enlarged by `scale` (nearest neighbour, so pixels stay visible), separated by a
/// grey gutter, with an optional title above.
///
/// Pixel values are channel-planar (NCHW), as the generator produces them, in −1…1 (a tanh
/// output); values outside are clipped. One channel is drawn grey, three as RGB.
public struct ImageGrid: Sendable {
    public let values: [Float]
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    public var columns: Int
    public var scale: Int
    public var title: String?

    public static let gutter = 2
    static let titleHeight = 22

    public init(values: [Float], count: Int, channels: Int, height: Int, width: Int, columns: Int = 8, scale: Int = 2,
                title: String? = nil) {
        precondition(channels == 1 || channels == 3, "ImageGrid: images need 1 or 3 channels, got \(channels)")
        precondition(count >= 1 && values.count == count * channels * height * width,
                     "ImageGrid: \(values.count) values are not \(count) images of \(channels)×\(height)×\(width)")
        precondition(columns >= 1 && scale >= 1, "ImageGrid: columns and scale must be positive")
        self.values = values
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.columns = columns
        self.scale = scale
        self.title = title
    }

    /// −1…1 → 0…255, rounded, clipped.
    static func byte(_ value: Float) -> UInt8 {
        guard value.isFinite else { return 0 }
        return UInt8(Swift.max(0, Swift.min(255, ((value + 1) * 127.5).rounded())))
    }

    public func render() -> Canvas {
        let columns = Swift.min(self.columns, count)
        let rows = (count + columns - 1) / columns
        let (cellW, cellH) = (width * scale + Self.gutter, height * scale + Self.gutter)
        let top = title == nil ? 0 : Self.titleHeight
        var canvas = Canvas(width: columns * cellW + Self.gutter, height: rows * cellH + Self.gutter + top,
                            background: RGB(128, 128, 128))
        if let title {
            canvas.fillRect(x: 0, y: 0, width: canvas.width, height: top, .white)
            canvas.drawText(title, x: 4, centerY: top / 2, anchor: .left)
        }
        let plane = height * width
        for image in 0..<count {
            let (x0, y0) = (Self.gutter + (image % columns) * cellW, top + Self.gutter + (image / columns) * cellH)
            let base = image * channels * plane
            for y in 0..<height {
                for x in 0..<width {
                    let offset = base + y * width + x
                    let color = channels == 1
                        ? RGB(Self.byte(values[offset]), Self.byte(values[offset]), Self.byte(values[offset]))
                        : RGB(Self.byte(values[offset]), Self.byte(values[offset + plane]), Self.byte(values[offset + 2 * plane]))
                    canvas.fillRect(x: x0 + x * scale, y: y0 + y * scale, width: scale, height: scale, color)
                }
            }
        }
        return canvas
    }
}
