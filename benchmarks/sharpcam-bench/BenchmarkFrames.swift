import SharpFrames
import SharpMedia
import SharpPipeline

/// Real content to time kernels on: frames of the generated clip (or of a video/photo the user
/// names), converted to the requested layout and size. Never zeros.
///
/// Invariant: `frames` all have `format` and differ from each other.
struct BenchmarkFrames {
    let format: FrameFormat
    let frames: [Frame]

    init(format: FrameFormat, input: String?, count: Int = 8) throws {
        self.format = format
        let source: FrameSource =
            try input.map { try MediaFiles.openSource($0) }
            ?? SyntheticClipSource(width: format.width, height: format.height, frames: count * 4)
        let decoded = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        let sized = Frame(format: format.with(source.info.format.pixelFormat), colorSpace: source.info.colorSpace)
        let resizer =
            sized.format == decoded.format
            ? nil : try FrameResizer(from: decoded.format, to: sized.format, colorSpace: source.info.colorSpace)
        var out: [Frame] = []
        var index = 0
        while out.count < count, try source.read(into: decoded) {
            index += 1
            if index % 4 != 1 && !source.info.isStillImage { continue }  // spread over the clip
            resizer?.resize(decoded, into: sized)
            let f = Frame(format: format, colorSpace: source.info.colorSpace)
            (resizer == nil ? decoded : sized).convert(into: f)
            out.append(f)
            if source.info.isStillImage { break }
        }
        while out.count < count, let first = out.first {  // still pictures: repeat
            let f = Frame(format: format, colorSpace: first.colorSpace)
            f.copy(from: first)
            out.append(f)
        }
        frames = out
    }
}
