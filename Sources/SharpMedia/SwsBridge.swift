import CFFmpeg
import SharpFrames

/// One libswscale conversion (size and/or layout and/or colour space), set up once and
/// run on raw plane pointers, so per-frame calls allocate nothing.
///
/// Invariant: every call converts a picture of the source geometry/format given at `init`
/// into one of the destination geometry/format.
final class SwsBridge {
    let srcWidth: Int32, srcHeight: Int32, srcFormat: AVPixelFormat
    let dstWidth: Int32, dstHeight: Int32, dstFormat: AVPixelFormat
    private let context: OpaquePointer
    private let srcPointers = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: 4)
    private let dstPointers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 4)
    private let srcStrides = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
    private let dstStrides = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
    /// Top-left corner of the converted rectangle in source and destination `Frame`s
    /// (cropping and padding); (0, 0) for whole pictures.
    var sourceOrigin = (x: 0, y: 0), destinationOrigin = (x: 0, y: 0)

    /// - Parameters: colour spaces describe the source samples and the wanted destination;
    ///   for YUV → YUV with equal spaces the samples pass through unchanged (beyond resampling).
    init?(
        srcWidth: Int, srcHeight: Int, srcFormat: AVPixelFormat, srcSpace: ColorSpace,
        dstWidth: Int, dstHeight: Int, dstFormat: AVPixelFormat, dstSpace: ColorSpace,
        flags: Int32 = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
    ) {
        self.srcWidth = Int32(srcWidth); self.srcHeight = Int32(srcHeight); self.srcFormat = srcFormat
        self.dstWidth = Int32(dstWidth); self.dstHeight = Int32(dstHeight); self.dstFormat = dstFormat
        guard
            let ctx = sws_getContext(
                Int32(srcWidth), Int32(srcHeight), srcFormat, Int32(dstWidth), Int32(dstHeight), dstFormat,
                flags, nil, nil, nil)
        else { return nil }
        context = ctx
        let srcTable = sws_getCoefficients(FFmpeg.swsColorspace(srcSpace.matrix))
        let dstTable = sws_getCoefficients(FFmpeg.swsColorspace(dstSpace.matrix))
        sws_setColorspaceDetails(
            ctx, srcTable, srcSpace.range == .full ? 1 : 0, dstTable, dstSpace.range == .full ? 1 : 0,
            0, 1 << 16, 1 << 16)
        for i in 0..<4 { srcPointers[i] = nil; dstPointers[i] = nil; srcStrides[i] = 0; dstStrides[i] = 0 }
    }

    deinit {
        sws_freeContext(context)
        srcPointers.deallocate(); dstPointers.deallocate(); srcStrides.deallocate(); dstStrides.deallocate()
    }

    private func run() {
        sws_scale(context, srcPointers, srcStrides, 0, srcHeight, dstPointers, dstStrides)
    }

    private func setSource(_ frame: Frame) {
        let (x, y) = sourceOrigin
        for (i, p) in frame.planes.enumerated() {
            let offset = frame.pixelFormat.byteOffset(plane: i, x: x, y: y, bytesPerRow: p.bytesPerRow)
            srcPointers[i] = UnsafePointer(p.base + offset); srcStrides[i] = Int32(p.bytesPerRow)
        }
    }

    private func setDestination(_ frame: Frame) {
        let (x, y) = destinationOrigin
        for (i, p) in frame.planes.enumerated() {
            let offset = frame.pixelFormat.byteOffset(plane: i, x: x, y: y, bytesPerRow: p.bytesPerRow)
            dstPointers[i] = p.base + offset; dstStrides[i] = Int32(p.bytesPerRow)
        }
    }

    private func setSource(_ f: UnsafePointer<AVFrame>) {
        withUnsafeBytes(of: f.pointee.data) { raw in
            let ptrs = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
            for i in 0..<4 { srcPointers[i] = ptrs[i].map { UnsafePointer($0) } }
        }
        withUnsafeBytes(of: f.pointee.linesize) { raw in
            let s = raw.bindMemory(to: Int32.self)
            for i in 0..<4 { srcStrides[i] = s[i] }
        }
    }

    private func setDestination(_ f: UnsafeMutablePointer<AVFrame>) {
        withUnsafeBytes(of: f.pointee.data) { raw in
            let ptrs = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
            for i in 0..<4 { dstPointers[i] = ptrs[i] }
        }
        withUnsafeBytes(of: f.pointee.linesize) { raw in
            let s = raw.bindMemory(to: Int32.self)
            for i in 0..<4 { dstStrides[i] = s[i] }
        }
    }

    func convert(_ src: UnsafePointer<AVFrame>, into dst: Frame) { setSource(src); setDestination(dst); run() }
    func convert(_ src: Frame, into dst: Frame) { setSource(src); setDestination(dst); run() }
    func convert(_ src: Frame, into dst: UnsafeMutablePointer<AVFrame>) { setSource(src); setDestination(dst); run() }
}
