import SharpFrames

/// An owned single-channel 8-bit image (edge map, mask, grey/luma plane).
///
/// Invariant: `width, height >= 1`; rows are `bytesPerRow` apart (a multiple of 64) and the
/// buffer lives as long as the object; contents are only written by its owner.
public final class GrayImage: @unchecked Sendable {
    public let width: Int
    public let height: Int
    public let bytesPerRow: Int
    public let base: UnsafeMutablePointer<UInt8>

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "GrayImage needs a positive size")
        self.width = width
        self.height = height
        bytesPerRow = (width + 63) / 64 * 64
        base = UnsafeMutableRawPointer.allocate(byteCount: bytesPerRow * height, alignment: 64)
            .bindMemory(to: UInt8.self, capacity: bytesPerRow * height)
        base.initialize(repeating: 0, count: bytesPerRow * height)
    }

    deinit { base.deallocate() }

    @inlinable @inline(__always)
    public func row(_ y: Int) -> UnsafeMutablePointer<UInt8> { base + y &* bytesPerRow }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { row(y)[x] }
        set { row(y)[x] = newValue }
    }

    /// The pixels, row by row, without padding.
    public var pixels: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(width * height)
        for y in 0..<height { out.append(contentsOf: UnsafeBufferPointer(start: row(y), count: width)) }
        return out
    }

    /// Fills with the grey level that OpenCV's `cvtColor(RGB2GRAY)` gives for an RGB frame
    /// (15-bit fixed-point BT.601 weights, as OpenCV 5), or with the Y plane of a YUV frame.
    public func loadGrey(from frame: Frame) {
        precondition(frame.width == width && frame.height == height, "GrayImage.loadGrey: size mismatch")
        if frame.pixelFormat == .rgb24 {
            let p = frame.planes[0]
            for y in 0..<height {
                let s = p.row(y), d = row(y)
                for x in 0..<width {
                    let v = 9798 &* Int32(s[3 &* x]) &+ 19235 &* Int32(s[3 &* x &+ 1]) &+ 3735 &* Int32(s[3 &* x &+ 2])
                    d[x] = UInt8(truncatingIfNeeded: (v &+ 16384) >> 15)
                }
            }
        } else {
            for y in 0..<height {
                let s = frame.lumaRow(y), d = row(y)
                if s.step == 1 {
                    d.update(from: s.base, count: width)
                } else {
                    for x in 0..<width { d[x] = s.base[2 &* x] }
                }
            }
        }
    }
}

/// OpenCV's BORDER_REFLECT_101 index for `i` in a line of `n` samples (…2 1 | 0 1 2 … n-1 | n-2…).
@inlinable @inline(__always)
public func reflect101(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    var i = i
    while i < 0 || i >= n {
        if i < 0 { i = -i }
        if i >= n { i = 2 * (n - 1) - i }
    }
    return i
}
