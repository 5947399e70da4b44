/// An 8-bit sRGB colour.
public struct RGB: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r; self.g = g; self.b = b
    }

    /// From components in [0, 1], clamped.
    public init(unit r: Double, _ g: Double, _ b: Double) {
        func byte(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
        self.init(byte(r), byte(g), byte(b))
    }

    /// Linear interpolation towards `other` by t ∈ [0, 1].
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * min(max(t, 0), 1)).rounded())
        }
        return RGB(lerp(r, other.r), lerp(g, other.g), lerp(b, other.b))
    }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    public static let gray = RGB(128, 128, 128)
    public static let lightGray = RGB(220, 220, 220)

    /// A qualitative palette (Tableau 10 order) for distinguishing series.
    public static let palette: [RGB] = [
        RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44), RGB(214, 39, 40),
        RGB(148, 103, 189), RGB(140, 86, 75), RGB(227, 119, 194), RGB(127, 127, 127),
        RGB(188, 189, 34), RGB(23, 190, 207),
    ]

    /// The `index`-th palette colour, cycling.
    public static func series(_ index: Int) -> RGB { palette[((index % palette.count) + palette.count) % palette.count] }

    /// `#rrggbb`, for SVG and CSS.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { String(digits[Int($0 >> 4)]) + String(digits[Int($0 & 15)]) }.joined()
    }
}
