import SharpFrames
import SharpMedia
import SharpSupport

/// The web console's live view: the next processed frame's input and output side by side,
/// scaled to at most `maxWidth` pixels and encoded as JPEG, all on the caller's thread. The
/// frame path only copies one frame pair per request (into frames allocated here); with no
/// page asking, it does nothing at all.
///
/// Invariant: one request at a time (callers are serialised); the scaler is rebuilt only when
/// the daemon's frame format changes.
public final class LivePreview: @unchecked Sendable {
    public static let maxWidth = 640
    private let daemon: LiveDaemon
    private let lock = ConditionLock()
    private var scaler: (from: FrameFormat, resizer: FrameResizer, into: Frame)?

    public init(daemon: LiveDaemon) { self.daemon = daemon }

    /// A JPEG of input | output, or why there is none.
    public func jpeg(timeoutNanos: UInt64 = 1_000_000_000) -> Result<[UInt8], ControlProtocolError> {
        lock.withLock {
            let composed: Frame
            switch daemon.sideBySide(timeoutNanos: timeoutNanos, viewer: true) {
            case .success(let f): composed = f
            case .failure(let e): return .failure(e)
            }
            do {
                let small = try scaled(composed)
                return .success(try ImageWriter.encode(small, as: .jpeg, name: "live view"))
            } catch {
                return .failure(ControlProtocolError("\(error)"))
            }
        }
    }

    private func scaled(_ f: Frame) throws -> Frame {
        guard f.width > Self.maxWidth else { return f }
        if let s = scaler, s.from == f.format {
            s.resizer.resize(f, into: s.into)
            return s.into
        }
        let w = Self.maxWidth, h = max(2, (f.height * w / f.width) & ~1)
        guard let to = FrameFormat(.i420, width: w, height: h) else {
            throw ControlProtocolError("cannot scale \(f.width)x\(f.height) to \(w)x\(h)")
        }
        let resizer = try FrameResizer(from: f.format, to: to, colorSpace: f.colorSpace, fit: .stretch)
        let into = Frame(format: to, colorSpace: f.colorSpace)
        scaler = (f.format, resizer, into)
        resizer.resize(f, into: into)
        return into
    }
}
