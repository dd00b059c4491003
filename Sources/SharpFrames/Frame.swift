/// A picture in memory with an explicit layout and colour space.
///
/// Frames are allocated once per stream and reused: the storage is one 64-byte aligned block
/// whose planes start on 64-byte boundaries with rows padded to a multiple of 64 bytes.
/// Invariant: exactly one pipeline stage owns a frame at a time (the `FrameRing` hands
/// ownership over); whoever owns it may read and write its pixels and metadata freely, which
/// is why the class is `@unchecked Sendable`.
public final class Frame: @unchecked Sendable {
    public let format: FrameFormat
    public let planes: [Plane]
    /// The colour space of the samples (for RGB frames: the one used to convert to/from YUV).
    public var colorSpace: ColorSpace
    /// Presentation or capture time in nanoseconds (stream-relative for files, CLOCK_MONOTONIC
    /// for cameras); 0 when unknown.
    public var timestamp: Int64 = 0
    /// Position in the source stream, counted from 0.
    public var sequence: UInt64 = 0

    private let storage: UnsafeMutableRawPointer
    public let byteCount: Int

    public static let alignment = 64

    public init(format: FrameFormat, colorSpace: ColorSpace = .bt601Limited) {
        self.format = format
        self.colorSpace = colorSpace
        let extents = format.pixelFormat.planeExtents(width: format.width, height: format.height)
        let align = Frame.alignment
        var layout: [(offset: Int, stride: Int, rowBytes: Int, rows: Int)] = []
        var total = 0
        for e in extents {
            let stride = (e.rowBytes + align - 1) / align * align
            layout.append((total, stride, e.rowBytes, e.rows))
            total += stride * e.rows
        }
        byteCount = total
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, align), alignment: align)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: max(total, align))
        let bytes = storage.assumingMemoryBound(to: UInt8.self)
        planes = layout.map {
            Plane(base: bytes + $0.offset, bytesPerRow: $0.stride, rowBytes: $0.rowBytes, rows: $0.rows)
        }
    }

    deinit { storage.deallocate() }

    public var pixelFormat: PixelFormat { format.pixelFormat }
    public var width: Int { format.width }
    public var height: Int { format.height }

    /// Copies pixels and metadata from a frame of the same format.
    public func copy(from other: Frame) {
        precondition(other.format == format, "copy between frames of different formats \(other.format) -> \(format)")
        for (d, s) in zip(planes, other.planes) { d.copy(from: s) }
        copyMetadata(from: other)
    }

    /// Copies colour space, timestamp and sequence number.
    public func copyMetadata(from other: Frame) {
        colorSpace = other.colorSpace
        timestamp = other.timestamp
        sequence = other.sequence
    }

    /// Fills the frame with mid grey (RGB 128 or Y 128 / Cb Cr 128).
    public func fillGrey(_ level: UInt8 = 128) {
        switch format.pixelFormat {
        case .rgb24:
            planes[0].fill(level)
        case .i420:
            planes[0].fill(level); planes[1].fill(128); planes[2].fill(128)
        case .nv12:
            planes[0].fill(level); planes[1].fill(128)
        case .yuyv:
            let p = planes[0]
            for y in 0..<p.rows {
                let r = p.row(y)
                for i in stride(from: 0, to: p.rowBytes, by: 2) { r[i] = level; r[i + 1] = 128 }
            }
        }
    }

    /// Fills the frame with black in its colour space (Y 16 for limited range, 0 for full; RGB 0).
    public func fillBlack() {
        fillGrey(pixelFormat.isYUV && colorSpace.range == .limited ? 16 : 0)
    }
}
