import CFFmpeg
import SharpFrames

/// Rescales and/or repacks frames with libswscale (bicubic; area averaging when shrinking by
/// 2x or more; `.fast` uses swscale's fast bilinear path, as its default users get). A source
/// of another aspect ratio is fitted by `fit`: cropped to fill (centred), padded with black
/// bars, or stretched.
///
/// Invariant: converts frames of `source` format into frames of `destination` format only;
/// no allocation per frame.
public final class FrameResizer {
    public enum Quality: Sendable { case accurate, fast }

    public let source: FrameFormat
    public let destination: FrameFormat
    public let fit: FrameFit
    /// The part of the source used and where it lands in the destination.
    public let placement: FrameFit.Placement
    private let bridge: SwsBridge
    private let padded: Bool

    public init(
        from source: FrameFormat, to destination: FrameFormat, colorSpace: ColorSpace, quality: Quality = .accurate,
        fit: FrameFit = .crop
    ) throws {
        self.source = source
        self.destination = destination
        self.fit = fit
        let p = fit.placement(
            sourceWidth: source.width, sourceHeight: source.height, width: destination.width,
            height: destination.height)
        placement = p
        padded = p.destination != FrameFit.Rect(x: 0, y: 0, width: destination.width, height: destination.height)
        let shrink = p.destination.width * 2 <= p.source.width && p.destination.height * 2 <= p.source.height
        let flags: Int32 =
            quality == .fast
            ? SWS_FAST_BILINEAR
            : (shrink ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
        guard
            let b = SwsBridge(
                srcWidth: p.source.width, srcHeight: p.source.height, srcFormat: source.pixelFormat.avPixelFormat,
                srcSpace: colorSpace,
                dstWidth: p.destination.width, dstHeight: p.destination.height,
                dstFormat: destination.pixelFormat.avPixelFormat,
                dstSpace: colorSpace, flags: flags)
        else {
            throw MediaError(.unsupported, path: "resize", "cannot scale \(source) to \(destination)")
        }
        b.sourceOrigin = (p.source.x, p.source.y)
        b.destinationOrigin = (p.destination.x, p.destination.y)
        bridge = b
    }

    public func resize(_ input: Frame, into output: Frame) {
        precondition(input.format == source && output.format == destination, "FrameResizer: unexpected frame formats")
        if padded {
            output.colorSpace = input.colorSpace
            output.fillBlack()
        }
        bridge.convert(input, into: output)
        output.copyMetadata(from: input)
    }
}
