import Foundation

/// Media files generated for tests with the `ffmpeg` CLI (an independent encoder/decoder).
public enum Fixtures {
    /// A `testsrc2` clip of `frames` frames at `width`x`height` (odd sizes allowed), written with
    /// the given codec and pixel format (nil: the container's default).
    public static func clip(
        _ path: String, width: Int = 160, height: Int = 120, frames: Int = 10, rate: Int = 25,
        codec: String? = nil, pixelFormat: String = "yuv420p", extra: [String] = []
    ) throws {
        var args = [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=\(width + 2)x\(height + 2):r=\(rate),format=rgb24",
            "-vf", "crop=\(width):\(height):1:1:exact=1", "-frames:v", "\(frames)", "-pix_fmt", pixelFormat,
        ]
        if let codec { args += ["-c:v", codec] }
        args += extra + [path]
        try ProcessRunner.check("ffmpeg", args)
    }

    /// Decodes the first `frames` frames of `path` with the ffmpeg CLI to raw bytes in `pixelFormat`.
    public static func decode(_ path: String, pixelFormat: String, frames: Int? = nil) throws -> Data {
        var args = ["-v", "error", "-i", path]
        if let frames { args += ["-frames:v", "\(frames)"] }
        args += ["-f", "rawvideo", "-pix_fmt", pixelFormat, "-"]
        return try ProcessRunner.check("ffmpeg", args).stdout
    }

    /// ffprobe's view of the first video stream: width, height, pixel format, codec and the
    /// number of frames actually decoded.
    public struct Probe: Equatable, CustomStringConvertible {
        public var width: Int, height: Int, frames: Int
        public var pixelFormat: String, codec: String
        public var description: String { "\(codec) \(pixelFormat) \(width)x\(height) \(frames) frames" }
        public init(width: Int, height: Int, frames: Int, pixelFormat: String, codec: String) {
            self.width = width; self.height = height; self.frames = frames
            self.pixelFormat = pixelFormat; self.codec = codec
        }
    }

    public static func probe(_ path: String) throws -> Probe {
        let r = try ProcessRunner.check(
            "ffprobe",
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=width,height,pix_fmt,codec_name,nb_read_frames",
                "-of", "default=noprint_wrappers=1", path,
            ])
        var fields: [String: String] = [:]
        for line in r.stdoutText.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        return Probe(
            width: Int(fields["width"] ?? "") ?? -1, height: Int(fields["height"] ?? "") ?? -1,
            frames: Int(fields["nb_read_frames"] ?? "") ?? -1,
            pixelFormat: fields["pix_fmt"] ?? "?", codec: fields["codec_name"] ?? "?")
    }
}
