import Glibc
import Logging
import SharpFrames

/// Chooses a reader or writer for a path by its extension: `.y4m` → `Y4MReader`/`Y4MWriter`,
/// `.png`/`.jpg` (and other still formats for input) → pictures, anything else → FFmpeg.
///
/// Invariant: stateless; every error names the path.
public enum MediaFiles {
    public enum Kind: Sendable, Equatable { case y4m, image, video }

    static let stillInputExtensions: Set<String> = [
        "png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "ppm", "pgm", "pnm", "tga", "gif",
    ]
    static let stillOutputExtensions: Set<String> = ["png", "jpg", "jpeg"]

    public static func kind(ofInput path: String) -> Kind {
        let ext = AtomicOutputFile.fileExtension(of: path)
        if ext == "y4m" { return .y4m }
        return stillInputExtensions.contains(ext) ? .image : .video
    }

    public static func kind(ofOutput path: String) -> Kind {
        let ext = AtomicOutputFile.fileExtension(of: path)
        if ext == "y4m" { return .y4m }
        return stillOutputExtensions.contains(ext) ? .image : .video
    }

    /// Opens a file (or URL) for reading, strictly (any damage is an error).
    public static func openSource(
        _ path: String, policy: FFmpegSource.ErrorPolicy = .strict, logger: Logger? = nil
    ) throws -> FrameSource {
        try openSource(path, input: InputPolicy(errorPolicy: policy), logger: logger)
    }

    /// Opens a file, FIFO or URL for reading under `input`'s rules (`InputPolicy`).
    public static func openSource(_ path: String, input: InputPolicy, logger: Logger? = nil) throws -> FrameSource {
        var isFIFO = false
        if !InputPolicy.isURL(path) {
            var st = stat()
            if stat(path, &st) != 0 {
                throw errno == ENOENT
                    ? MediaError(.notFound, path: path, "no such file")
                    : MediaError(.unreadable, path: path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw MediaError(.unreadable, path: path, "is a directory, not a file")
            }
            if (st.st_mode & S_IFMT) == S_IFREG && st.st_size == 0 {
                throw MediaError(.corrupt, path: path, "is empty (0 bytes)")
            }
            if access(path, R_OK) != 0 { throw MediaError(.permissionDenied, path: path, "permission denied") }
            isFIFO = (st.st_mode & S_IFMT) == S_IFIFO
        }
        switch kind(ofInput: path) {
        case .y4m where !isFIFO: return try Y4MReader(path: path, input: input)
        case .y4m, .image, .video: return try FFmpegSource(path: path, input: input, logger: logger)
        }
    }

    /// Opens a file for writing frames of `info`'s format.
    public static func openSink(_ path: String, info: StreamInfo, codec: VideoCodec? = nil) throws -> FrameSink {
        switch kind(ofOutput: path) {
        case .y4m: return try Y4MWriter(path: path, frameRate: info.frameRate)
        case .image: return try ImageWriter(path: path)
        case .video: return try FFmpegVideoSink(path: path, info: info, codec: codec)
        }
    }

    /// Refuses to write over the input itself: the output would replace it.
    public static func checkDistinct(input: String, output: String) throws {
        var a = stat(), b = stat()
        guard stat(input, &a) == 0, stat(output, &b) == 0 else { return }
        if a.st_dev == b.st_dev && a.st_ino == b.st_ino {
            throw MediaError(.sameFile, path: output, "is the input file; choose another output name")
        }
    }
}
