import CFFmpeg
import SharpFrames

/// Rescales and/or repacks frames with libswscale (bicubic; area averaging when shrinking by
/// 2x or more; `.fast` uses swscale's fast bilinear path, as its default users get).
///
/// Invariant: converts frames of `source` format into frames of `destination` format only;
/// no allocation per frame.
public final class FrameResizer {
    public enum Quality: Sendable { case accurate, fast }

    public let source: FrameFormat
    public let destination: FrameFormat
    private let bridge: SwsBridge

    public init(
        from source: FrameFormat, to destination: FrameFormat, colorSpace: ColorSpace, quality: Quality = .accurate
    ) throws {
        self.source = source
        self.destination = destination
        let shrink = destination.width * 2 <= source.width && destination.height * 2 <= source.height
        let flags: Int32 =
            quality == .fast
            ? SWS_FAST_BILINEAR
            : (shrink ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
        guard
            let b = SwsBridge(
                srcWidth: source.width, srcHeight: source.height, srcFormat: source.pixelFormat.avPixelFormat,
                srcSpace: colorSpace,
                dstWidth: destination.width, dstHeight: destination.height,
                dstFormat: destination.pixelFormat.avPixelFormat,
                dstSpace: colorSpace, flags: flags)
        else {
            throw MediaError(.unsupported, path: "resize", "cannot scale \(source) to \(destination)")
        }
        bridge = b
    }

    public func resize(_ input: Frame, into output: Frame) {
        precondition(input.format == source && output.format == destination, "FrameResizer: unexpected frame formats")
        bridge.convert(input, into: output)
        output.copyMetadata(from: input)
    }
}
