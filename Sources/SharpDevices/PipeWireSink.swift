import CPipeWire
import Logging
import SharpFrames
import SharpMedia
import SharpSupport
import Synchronization

/// A PipeWire camera node SharpCam feeds (`output = pipewire`): `media.class = Video/Source`,
/// `media.role = Camera`, offering YUY2, I420 and NV12 at the configured size and rate; the
/// consumer picks one and each frame is written once, straight into PipeWire's buffer (converted
/// on the way when the consumer chose another layout than the pipeline's).
///
/// Invariant: the geometry never changes; `write` never blocks on a consumer and never
/// allocates (a frame with no free buffer is dropped and counted); when PipeWire goes away
/// (restart) frames are dropped and a reconnection is tried at most once a second, so the
/// daemon keeps running and comes back when PipeWire does.
public final class PipeWireSink: LiveSink, @unchecked Sendable {
    public let name: String
    public let format: FrameFormat
    public let frameRate: Rational
    public let nodeName: String
    public let nodeDescription: String
    public private(set) var dropped = 0
    private let stream: OpaquePointer
    private let logger: Logger?
    private var reconnectAfter: UInt64 = 0
    private let isConnected = Atomic<Bool>(true)
    private var connected: Bool {
        get { isConnected.load(ordering: .relaxed) }
        set { isConnected.store(newValue, ordering: .relaxed) }
    }

    public static let defaultNodeName = "sharpcam"
    public static let defaultDescription = "SharpCam"

    /// Publishes the node. Throws when PipeWire cannot be reached (naming the socket tried).
    public init(
        format: FrameFormat, frameRate: Rational, nodeName: String = PipeWireSink.defaultNodeName,
        description: String = PipeWireSink.defaultDescription, logger: Logger? = nil
    ) throws {
        guard format.pixelFormat == .yuyv || format.pixelFormat == .i420 else {
            throw MediaError(.unsupported, path: "pipewire", "the PipeWire output takes YUYV or I420 frames")
        }
        self.format = format
        self.frameRate = frameRate
        self.nodeName = nodeName
        nodeDescription = description
        self.logger = logger
        name = "pipewire:\(nodeName)"
        var message = [CChar](repeating: 0, count: 512)
        guard
            let s = sc_pw_output_new(
                nodeName, description, UInt32(format.width), UInt32(format.height), UInt32(frameRate.num),
                UInt32(frameRate.den), format.pixelFormat == .i420 ? SC_PW_I420 : SC_PW_YUY2, &message, message.count)
        else {
            throw MediaError(.noDevice, path: "pipewire", String(cString: message))
        }
        stream = s
    }

    deinit { sc_pw_output_free(stream) }

    /// The node's id in the PipeWire graph.
    public var nodeID: UInt32 { sc_pw_output_node_id(stream) }

    /// Apps linked to the node now.
    public var consumers: Int? { connected ? Int(sc_pw_output_links(stream)) : 0 }

    /// The layout the consumer negotiated ("YUY2", "I420", "NV12"), nil before one did.
    public var negotiatedFormat: String? {
        switch sc_pw_output_format(stream) {
        case SC_PW_YUY2: return "YUY2"
        case SC_PW_I420: return "I420"
        case SC_PW_NV12: return "NV12"
        default: return nil
        }
    }

    public func write(_ frame: Frame) throws {
        precondition(frame.format == format, "PipeWireSink: frame \(frame.format) != \(format)")
        let result: Int32
        if frame.pixelFormat == .yuyv {
            let p = frame.planes[0]
            result = sc_pw_output_write_yuyv(stream, p.base, p.bytesPerRow, frame.timestamp)
        } else {
            let (y, u, v) = (frame.planes[0], frame.planes[1], frame.planes[2])
            result = sc_pw_output_write_i420(
                stream, y.base, y.bytesPerRow, u.base, u.bytesPerRow, v.base, v.bytesPerRow, frame.timestamp)
        }
        switch result {
        case 1:
            if !connected {
                connected = true
                logger?.notice("\(name): PipeWire is back; the node is published again")
            }
        case 0:
            if sc_pw_output_state(stream) == SC_PW_STREAMING { dropped += 1 }
        default:
            dropped += 1
            reconnect()
        }
    }

    /// After PipeWire went away: a new connection and node, tried at most once a second.
    private func reconnect() {
        let now = monotonicNanos()
        if connected {
            connected = false
            logger?.warning("\(name): PipeWire went away (restarted?); reconnecting every second")
        }
        guard now >= reconnectAfter else { return }
        reconnectAfter = now + 1_000_000_000
        var message = [CChar](repeating: 0, count: 512)
        if sc_pw_output_reconnect(stream, &message, message.count) == 0 {
            connected = true
            logger?.notice("\(name): reconnected to PipeWire; node \(nodeID) published again")
        } else {
            logger?.debug("\(name): \(String(cString: message))")
        }
    }
}
