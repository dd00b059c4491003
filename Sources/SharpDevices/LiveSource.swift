import SharpFrames
import SharpMedia

/// The outcome of asking a live source for its next frame.
public enum LiveRead: Sendable, Equatable {
    /// A new frame was written into the caller's frame.
    case frame
    /// Nothing arrived within the timeout (the source is still there).
    case timeout
    /// A frame arrived damaged and was dropped (decode error, driver error flag).
    case skipped(String)
    /// The source has no more frames (end of a file without --loop).
    case ended
}

/// A source that delivers frames in real time: a camera, or a file paced at its frame rate.
///
/// Invariant: every delivered frame has `info.format`; a thrown error means the source is
/// gone (unplugged camera, unreadable file) and must be reopened.
public protocol LiveSource: AnyObject {
    var info: StreamInfo { get }
    var name: String { get }
    func next(into frame: Frame, timeoutMillis: Int32) throws -> LiveRead
    /// Damaged frames dropped inside the source so far (not reported as `.skipped`).
    var damagedFrames: Int { get }
}

extension LiveSource {
    public var damagedFrames: Int { 0 }
}
