import SharpFrames

/// Reads YUV4MPEG2 (.y4m) streams in pure Swift.
///
/// Accepts 8-bit `C420jpeg`, `C420mpeg2`, `C420paldv`, `C420` (→ I420), `C422` (→ YUYV) and
/// `Cmono` (→ I420 with neutral chroma); `XCOLORRANGE=FULL|LIMITED` sets the range, the matrix
/// follows the usual default for the height. Other chroma layouts and bit depths are
/// rejected with a message saying how to convert them.
///
/// Invariant: a frame is only delivered when all its bytes were read; a short last frame is
/// a `.truncated` error naming the frame (strict), or ends the stream and counts as missing
/// (lenient). Frames larger than the input policy's pixel limit are refused from the header.
public final class Y4MReader: FrameSource {
    public let info: StreamInfo
    public let path: String
    private let file: BufferedFile
    private let chroma: Chroma
    private let staging: UnsafeMutablePointer<UInt8>
    private let frameBytes: Int
    private var index: UInt64 = 0
    private let frameDuration: Int64
    private let lenient: Bool
    public private(set) var missingFrames = 0

    enum Chroma { case c420, c422, mono }

    public convenience init(path: String) throws {
        try self.init(path: path, input: InputPolicy(errorPolicy: .strict))
    }

    public init(path: String, input: InputPolicy) throws {
        self.path = path
        lenient = input.errorPolicy == .lenient
        file = try BufferedFile(path: path, mode: .read)
        let magic = try file.peek(10)
        if magic.isEmpty { throw MediaError(.corrupt, path: path, "empty file, not a YUV4MPEG2 stream") }
        if magic != Array("YUV4MPEG2 ".utf8) && magic != Array("YUV4MPEG2\n".utf8) {
            throw MediaError(.corrupt, path: path, "not a YUV4MPEG2 stream (no 'YUV4MPEG2' signature)")
        }
        guard let header = try file.readLine(maxLength: 4096) else {
            throw MediaError(.corrupt, path: path, "empty file, not a YUV4MPEG2 stream")
        }
        var tokens = header.split(separator: " ")
        guard tokens.first == "YUV4MPEG2" else {
            throw MediaError(.corrupt, path: path, "not a YUV4MPEG2 stream (no 'YUV4MPEG2' signature)")
        }
        tokens.removeFirst()
        var width = 0, height = 0
        var rate: Rational?
        var colour = "420jpeg"
        var range: ColorRange = .limited
        for t in tokens {
            let key = t.first!, value = String(t.dropFirst())
            switch key {
            case "W": width = Int(value) ?? -1
            case "H": height = Int(value) ?? -1
            case "F":
                let parts = value.split(separator: ":").compactMap { Int($0) }
                if parts.count == 2, parts[0] > 0, parts[1] > 0 {
                    // One frame an hour to 1000 a second: beyond that the header is damaged (and
                    // the frame duration in nanoseconds would not fit in 64 bits).
                    let fps = Double(parts[0]) / Double(parts[1])
                    guard fps >= 1.0 / 3600, fps <= 1000 else {
                        throw MediaError(
                            .corrupt, path: path,
                            "frame rate F\(value) is out of range (1/3600...1000 frames per second)")
                    }
                    rate = Rational(parts[0], parts[1])
                }
            case "C": colour = value
            case "X":
                if value.uppercased() == "COLORRANGE=FULL" { range = .full }
            default: break
            }
        }
        if let problem = input.pixelProblem(width: width, height: height) {
            throw MediaError(.invalidGeometry, path: path, problem)
        }
        guard width > 0, height > 0, let format = FrameFormat(.i420, width: width, height: height) else {
            throw MediaError(
                .invalidGeometry, path: path, "invalid frame size \(width)x\(height) in the YUV4MPEG2 header")
        }
        switch colour {
        case "420jpeg", "420mpeg2", "420paldv", "420": chroma = .c420
        case "422": chroma = .c422
        case "mono": chroma = .mono
        default:
            throw MediaError(
                .unsupported, path: path,
                """
                unsupported YUV4MPEG2 colour space C\(colour) (SharpCam reads 8-bit 4:2:0, 4:2:2 and mono; \
                convert with: ffmpeg -i IN -pix_fmt yuv420p OUT.y4m)
                """
            )
        }
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        switch chroma {
        case .c420: frameBytes = width * height + 2 * cw * ch
        case .c422: frameBytes = width * height + 2 * cw * height
        case .mono: frameBytes = width * height
        }
        let outFormat = chroma == .c422 ? format.with(.yuyv) : format
        var count: Int?
        if let size = file.regularFileSize {
            let n = (size - file.bytesConsumed) / (frameBytes + 6)
            count = n > 0 ? n : nil
        }
        frameDuration = rate.map { Int64(1_000_000_000 * Double($0.den) / Double($0.num)) } ?? 0
        info = StreamInfo(
            format: outFormat,
            colorSpace: ColorSpace(matrix: ColorSpace.videoDefault(height: height).matrix, range: range),
            frameRate: rate, frameCount: count, codecName: "yuv4mpeg2 C\(colour)")
        staging = .allocate(capacity: frameBytes)
    }

    deinit { staging.deallocate() }

    public func read(into frame: Frame) throws -> Bool {
        precondition(frame.format == info.format, "Y4MReader: frame format \(frame.format) != \(info.format)")
        guard let marker = try file.readLine(maxLength: 1024) else { return false }
        guard marker.hasPrefix("FRAME") else {
            throw MediaError(.corrupt, path: path, "frame \(index): expected 'FRAME', found '\(marker.prefix(16))'")
        }
        let got = try file.read(into: staging, count: frameBytes)
        guard got == frameBytes else {
            if lenient {
                missingFrames += 1
                return false
            }
            throw MediaError(.truncated, path: path, "truncated: frame \(index) has \(got) of \(frameBytes) bytes")
        }
        let w = info.format.width, h = info.format.height, cw = (w + 1) / 2, ch = (h + 1) / 2
        switch chroma {
        case .c420, .mono:
            var p = UnsafePointer(staging)
            for y in 0..<h { frame.planes[0].row(y).update(from: p, count: w); p += w }
            if chroma == .mono {
                frame.planes[1].fill(128); frame.planes[2].fill(128)
            } else {
                for c in 1...2 { for y in 0..<ch { frame.planes[c].row(y).update(from: p, count: cw); p += cw } }
            }
        case .c422:
            let yBase = UnsafePointer(staging), uBase = yBase + w * h, vBase = uBase + cw * h
            for y in 0..<h {
                let d = frame.planes[0].row(y), yr = yBase + y * w, ur = uBase + y * cw, vr = vBase + y * cw
                for i in 0..<cw {
                    d[4 * i] = yr[2 * i]
                    d[4 * i + 1] = ur[i]
                    d[4 * i + 2] = 2 * i + 1 < w ? yr[2 * i + 1] : yr[2 * i]
                    d[4 * i + 3] = vr[i]
                }
            }
        }
        frame.colorSpace = info.colorSpace
        frame.sequence = index
        frame.timestamp = Int64(index) * frameDuration
        index += 1
        return true
    }
}
