/// An RGB raster with the origin at the top-left, x to the right and y down.
///
/// Drawing clips silently at the edges, so plot code can draw lines that leave the frame.
public struct Canvas: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// Row-major RGB bytes, 3 per pixel.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "canvas must be at least 1×1")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(background)
    }

    public func pixel(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    public mutating func set(x: Int, y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.r; pixels[i + 1] = color.g; pixels[i + 2] = color.b
    }

    public mutating func fill(_ color: RGB) {
        fillRect(x: 0, y: 0, width: width, height: height, color)
    }

    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        let x0 = max(x, 0), y0 = max(y, 0), x1 = min(x + w, width), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { set(x: xx, y: yy, color) } }
    }

    /// A one-pixel rectangle outline.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        fillRect(x: x, y: y, width: w, height: 1, color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color)
        fillRect(x: x, y: y, width: 1, height: h, color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color)
    }

    /// A line of `thickness` pixels; with `dash` = (on, off) lengths, a dashed one.
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double), _ color: RGB,
                                  thickness: Int = 1, dash: (on: Int, off: Int)? = nil) {
        var phase = 0
        drawLine(from: a, to: b, color, thickness: thickness, dash: dash, phase: &phase)
    }

    /// As above, continuing the dash pattern at `phase` and advancing it, so a polyline of
    /// many short segments stays dashed.
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double), _ color: RGB,
                                  thickness: Int, dash: (on: Int, off: Int)?, phase: inout Int) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        // Clip far-away endpoints to keep the step count bounded.
        let limit = Double(max(width, height) * 4)
        func clamp(_ v: Double) -> Double { min(max(v, -limit), limit) }
        let ax = clamp(a.x), ay = clamp(a.y), bx = clamp(b.x), by = clamp(b.y)
        let steps = max(Int(max(abs(bx - ax), abs(by - ay)).rounded(.up)), 1)
        let half = (thickness - 1) / 2
        for k in 0...steps {
            if let dash, ((phase + k) % (dash.on + dash.off)) >= dash.on { continue }
            let t = Double(k) / Double(steps)
            let x = Int((ax + (bx - ax) * t).rounded()), y = Int((ay + (by - ay) * t).rounded())
            fillRect(x: x - half, y: y - half, width: thickness, height: thickness, color)
        }
        phase += steps
    }

    /// A filled disc of radius r centred at (x, y).
    public mutating func fillCircle(x: Double, y: Double, radius r: Double, _ color: RGB) {
        guard x.isFinite, y.isFinite else { return }
        let x0 = Int((x - r).rounded(.down)), x1 = Int((x + r).rounded(.up))
        let y0 = Int((y - r).rounded(.down)), y1 = Int((y + r).rounded(.up))
        for yy in y0...y1 {
            for xx in x0...x1 {
                let dx = Double(xx) - x, dy = Double(yy) - y
                if dx * dx + dy * dy <= r * r + 0.25 { set(x: xx, y: yy, color) }
            }
        }
    }

    /// Text in the built-in font with its top-left corner at (x, y).
    public mutating func drawText(_ text: String, x: Int, y: Int, _ color: RGB = .black, scale: Int = 1) {
        var cursor = x
        for character in text {
            let rows = BitmapFont.rows(for: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    fillRect(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            cursor += BitmapFont.advance * scale
        }
    }

    public enum Anchor: Sendable { case left, center, right }

    /// Text aligned horizontally on x, vertically centred on y.
    public mutating func drawText(_ text: String, x: Int, centerY y: Int, anchor: Anchor, _ color: RGB = .black, scale: Int = 1) {
        let w = BitmapFont.width(of: text, scale: scale)
        let left = switch anchor { case .left: x; case .center: x - w / 2; case .right: x - w }
        drawText(text, x: left, y: y - BitmapFont.glyphHeight * scale / 2, color, scale: scale)
    }

    /// Text rotated 90° counter-clockwise (reading upwards), centred on (x, y): y-axis labels.
    public mutating func drawVerticalText(_ text: String, centerX x: Int, centerY y: Int, _ color: RGB = .black, scale: Int = 1) {
        let w = BitmapFont.width(of: text, scale: scale)
        var glyphCanvas = Canvas(width: max(w, 1), height: BitmapFont.glyphHeight * scale, background: .white)
        glyphCanvas.drawText(text, x: 0, y: 0, .black, scale: scale)
        let left = x - glyphCanvas.height / 2, top = y - w / 2
        for gy in 0..<glyphCanvas.height {
            for gx in 0..<glyphCanvas.width where glyphCanvas.pixel(x: gx, y: gy) == .black {
                set(x: left + gy, y: top + (w - 1 - gx), color)
            }
        }
    }

    /// Copies `other` with its top-left corner at (x, y): composes panels into one figure.
    public mutating func paste(_ other: Canvas, x: Int, y: Int) {
        for yy in 0..<other.height { for xx in 0..<other.width { set(x: x + xx, y: y + yy, other.pixel(x: xx, y: yy)) } }
    }
}
