import SharpFrames

/// Writes YUV4MPEG2 (.y4m): I420/NV12 frames as `C420jpeg`, YUYV as `C422`, RGB converted to
/// I420 in the frame's colour space; the range is stated with `XCOLORRANGE`.
///
/// Invariant: the file appears under its final name only after `finish()` (see
/// `AtomicOutputFile`); the header is written with the first frame and every frame after it
/// must have the same format.
public final class Y4MWriter: FrameSink {
    public let path: String
    private let output: AtomicOutputFile
    private let file: BufferedFile
    private let frameRate: Rational
    private var format: FrameFormat?
    private var converted: Frame?
    private var planar422: UnsafeMutablePointer<UInt8>?  // Y, U, V planes of one 4:2:2 frame

    public init(path: String, frameRate: Rational?) throws {
        self.path = path
        output = try AtomicOutputFile(finalPath: path)
        file = try BufferedFile(path: output.writePath, mode: .write, displayPath: path)
        self.frameRate = frameRate ?? Rational(30, 1)
    }

    deinit { planar422?.deallocate() }

    public func write(_ frame: Frame) throws {
        do { try writeFrame(frame) } catch { abort(); throw error }
    }

    private func writeFrame(_ frame: Frame) throws {
        if format == nil {
            format = frame.format
            let chroma = frame.pixelFormat == .yuyv ? "C422 XYSCSS=422" : "C420jpeg XYSCSS=420JPEG"
            let range = frame.colorSpace.range == .full ? "FULL" : "LIMITED"
            try file.write(
                """
                YUV4MPEG2 W\(frame.width) H\(frame.height) F\(frameRate.num):\(frameRate.den) Ip A1:1 \(chroma) \
                XCOLORRANGE=\(range)\n
                """
            )
            if frame.pixelFormat == .nv12 || frame.pixelFormat == .rgb24 {
                converted = Frame(format: frame.format.with(.i420), colorSpace: frame.colorSpace)
            }
            if frame.pixelFormat == .yuyv {
                planar422 = .allocate(capacity: (frame.width + 2 * ((frame.width + 1) / 2)) * frame.height)
            }
        }
        guard frame.format == format else {
            throw MediaError(
                .invalidGeometry, path: path, "frame \(frame.sequence) is \(frame.format), the stream is \(format!)")
        }
        try file.write("FRAME\n")
        var f = frame
        if let converted {
            frame.convert(into: converted)
            f = converted
        }
        if f.pixelFormat == .yuyv {
            let w = f.width, h = f.height, cw = (w + 1) / 2
            let yp = planar422!, up = yp + w * h, vp = up + cw * h
            for y in 0..<h {
                let s = f.planes[0].row(y), yr = yp + y * w, ur = up + y * cw, vr = vp + y * cw
                for x in 0..<w { yr[x] = s[2 * x] }
                for i in 0..<cw { ur[i] = s[4 * i + 1]; vr[i] = s[4 * i + 3] }
            }
            try file.write(yp, count: w * h + 2 * cw * h)
        } else {
            for p in f.planes { for y in 0..<p.rows { try file.write(p.row(y), count: p.rowBytes) } }
        }
    }

    public func finish() throws {
        do {
            if format == nil {
                throw MediaError(.writeFailed, path: path, "no frames to write")
            }
            try file.closeFile()
            try output.commit()
        } catch {
            abort()
            throw error
        }
    }

    public func abort() {
        try? file.closeFile()
        output.discard()
    }
}
