import CFFmpeg
import SharpSupport

/// Counts the errors FFmpeg only logs: some decoders conceal damage and return the frame
/// anyway (an FFV1 slice whose CRC does not match, a GIF whose LZW data is broken), some
/// demuxers stop early with a log line (a Matroska file that ends prematurely). `FFmpegSource`
/// watches its decoder and demuxer contexts and treats such errors as damage.
///
/// Invariant: only watched contexts are counted (a fixed, small table); the callback never
/// allocates for other contexts and always passes the message on to FFmpeg's own printer, which
/// applies the configured level (quiet by default).
enum FFmpegLog {
    private static let lock = ConditionLock()
    nonisolated(unsafe) private static var counts: [UnsafeMutableRawPointer: Int] = [:]

    /// Installs the callback (once; `FFmpeg.configureLogging` calls it).
    static let install: Void = {
        counts.reserveCapacity(64)
        av_log_set_callback { avcl, level, format, arguments in
            if level <= AV_LOG_ERROR, let avcl { FFmpegLog.count(avcl) }
            if let arguments { av_log_default_callback(avcl, level, format, arguments) }
        }
    }()

    private static func count(_ context: UnsafeMutableRawPointer) {
        lock.withLock {
            if let n = counts[context] { counts[context] = n + 1 }
        }
    }

    /// Starts counting the errors logged for `context`.
    static func watch(_ context: UnsafeMutableRawPointer?) {
        guard let context else { return }
        _ = install
        lock.withLock { counts[context] = 0 }
    }

    static func unwatch(_ context: UnsafeMutableRawPointer?) {
        guard let context else { return }
        lock.withLock { _ = counts.removeValue(forKey: context) }
    }

    /// Errors logged so far for a watched context.
    static func errors(_ context: UnsafeMutableRawPointer?) -> Int {
        guard let context else { return 0 }
        return lock.withLock { counts[context] ?? 0 }
    }
}
