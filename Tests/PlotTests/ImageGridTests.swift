import Testing
@testable import Plot

/// Image grids: layout (columns, gutters, scale, title band) and the pixel mapping −1…1 →
/// 0…255 for grey and RGB images.
@Suite struct ImageGridTests {
    @Test func layoutAndGreyValues() {
        // Three 2×2 grey images: all −1, all 1, all 0.
        let values: [Float] = [-1, -1, -1, -1, 1, 1, 1, 1, 0, 0, 0, 0]
        let canvas = ImageGrid(values: values, count: 3, channels: 1, height: 2, width: 2, columns: 2, scale: 3).render()
        let cell = 2 * 3 + ImageGrid.gutter
        #expect(canvas.width == 2 * cell + ImageGrid.gutter && canvas.height == 2 * cell + ImageGrid.gutter)
        let g = ImageGrid.gutter
        #expect(canvas.pixel(x: g, y: g) == RGB(0, 0, 0))
        #expect(canvas.pixel(x: g + cell + 5, y: g + 5) == RGB(255, 255, 255))
        #expect(canvas.pixel(x: g, y: g + cell) == RGB(128, 128, 128))   // 0 → 127.5 rounds to 128
        #expect(canvas.pixel(x: 0, y: 0) == RGB(128, 128, 128))          // gutter
        #expect(canvas.pixel(x: g + cell + 1, y: g + cell + 1) == RGB(128, 128, 128))   // empty cell
    }

    @Test func rgbChannelsAndClipping() {
        // One 1×1 RGB image: R = 1, G = −1, B = 3 (clipped to 1).
        let canvas = ImageGrid(values: [1, -1, 3], count: 1, channels: 3, height: 1, width: 1, scale: 1, title: "t").render()
        #expect(canvas.pixel(x: ImageGrid.gutter, y: 22 + ImageGrid.gutter) == RGB(255, 0, 255))
        #expect(ImageGrid.byte(.nan) == 0 && ImageGrid.byte(-5) == 0 && ImageGrid.byte(0.5) == 191)
    }
}
