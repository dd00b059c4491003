import CPipeWire
import Logging
import SharpFrames
import SharpMedia
import SharpSupport

/// A camera read through PipeWire (`input = pipewire` or `pipewire:NAME`): how cameras only
/// libcamera can drive (Intel IPU6/IPU7) are reached. Negotiates YUY2, NV12, I420 or MJPEG
/// (decoded with libavcodec) near the requested size and rate.
///
/// Invariant: every delivered frame has `info.format` (the format of the first frame, waited
/// for at open); a camera node that disappears, a format change or PipeWire going away throws
/// `.noDevice`, so the capture stage shows the "no camera" card and reopens with backoff.
public final class PipeWireCapture: LiveSource {
    public let info: StreamInfo
    public let name: String
    private let stream: OpaquePointer
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let negotiated: sc_pw_format
    private var pending = true
    private var last = sc_pw_frame_info()
    private let decoder: MJPEGDecoder?
    private var message = [CChar](repeating: 0, count: 512)

    /// Frames up to 4K UHD are accepted.
    public static let maxBytes = 3840 * 2160 * 2 + 4096

    /// `target`: node id, serial, name or description (nil: the first camera node that is not
    /// `exclude`, SharpCam's own output).
    public init(
        target: String?, exclude: String?, width: Int, height: Int, rate: Rational, logger: Logger? = nil
    )
        throws
    {
        let spec = "pipewire" + (target.map { ":\($0)" } ?? "")
        var message = [CChar](repeating: 0, count: 512)
        guard
            let s = sc_pw_input_new(
                target, exclude, UInt32(width), UInt32(height), UInt32(rate.num), UInt32(rate.den), &message,
                message.count)
        else {
            throw MediaError(.noDevice, path: spec, String(cString: message))
        }
        stream = s
        capacity = Self.maxBytes
        buffer = .allocate(capacity: capacity)
        let node = String(cString: sc_pw_input_node_name(s))
        name = "pipewire:\(node)"
        // The format is known with the first frame.
        var first = sc_pw_frame_info()
        let r = sc_pw_input_read(s, 3000, buffer, capacity, &first, &message, message.count)
        guard r == 1 else {
            sc_pw_input_free(s)
            buffer.deallocate()
            let why = r == 0 ? "no frame within 3 s" : String(cString: message)
            throw MediaError(.noDevice, path: spec, "camera node \(node): \(why)")
        }
        last = first
        negotiated = first.format
        let pixelFormat: PixelFormat
        switch first.format {
        case SC_PW_NV12: pixelFormat = .nv12
        case SC_PW_I420: pixelFormat = .i420
        default: pixelFormat = .yuyv  // YUY2, and MJPEG decoded to it
        }
        guard let format = FrameFormat(pixelFormat, width: Int(first.width), height: Int(first.height)) else {
            sc_pw_input_free(s)
            buffer.deallocate()
            throw MediaError(.invalidGeometry, path: spec, "the camera node sends \(first.width)x\(first.height)")
        }
        let codec = ["", "YUY2", "I420", "NV12", "MJPG"][Int(first.format.rawValue)]
        decoder = first.format == SC_PW_MJPG ? try MJPEGDecoder(path: spec) : nil
        info = StreamInfo(
            format: format, colorSpace: first.format == SC_PW_MJPG ? .bt601Full : .bt601Limited, frameRate: rate,
            frameCount: nil, codecName: codec)
        logger?.info("\(name): capturing \(codec) \(format.width)x\(format.height) through PipeWire")
    }

    deinit {
        sc_pw_input_free(stream)
        buffer.deallocate()
    }

    public func next(into frame: Frame, timeoutMillis: Int32) throws -> LiveRead {
        precondition(frame.format == info.format, "PipeWireCapture: frame \(frame.format) != \(info.format)")
        if !pending {
            let r = sc_pw_input_read(stream, timeoutMillis, buffer, capacity, &last, &message, message.count)
            if r == 0 { return .timeout }
            if r < 0 { throw MediaError(.noDevice, path: name, String(cString: message)) }
        }
        pending = false
        guard last.format == negotiated, Int(last.width) == info.format.width, Int(last.height) == info.format.height
        else {
            throw MediaError(.noDevice, path: name, "the camera node changed its format; reopening")
        }
        if let decoder {
            if let problem = decoder.decode(UnsafeMutableRawPointer(buffer), bytes: Int(last.size), into: frame) {
                return .skipped("frame \(last.sequence): \(problem)")
            }
        } else {
            // Planes one after the other, rows `stride` bytes apart (chroma rows: half the
            // stride for I420, the stride for NV12).
            let stride = Int(last.stride)
            var offset = 0
            for (i, plane) in frame.planes.enumerated() {
                let planeStride = i == 0 || frame.pixelFormat == .nv12 ? stride : stride / 2
                guard planeStride >= plane.rowBytes,
                    offset + planeStride * (plane.rows - 1) + plane.rowBytes
                        <= Int(last.size)
                else {
                    return .skipped("frame \(last.sequence) is short (\(last.size) bytes)")
                }
                for y in 0..<plane.rows {
                    plane.row(y).update(from: buffer + offset + y * planeStride, count: plane.rowBytes)
                }
                offset += planeStride * plane.rows
            }
        }
        frame.colorSpace = info.colorSpace
        frame.timestamp = Int64(monotonicNanos())
        frame.sequence = last.sequence
        return .frame
    }
}

/// The PipeWire camera nodes (Video/Source), for `--list-devices` and `doctor`.
public enum PipeWireNodes {
    public struct Node: Sendable, Equatable {
        public let id: UInt32
        public let serial: UInt64
        public let name: String
        public let description: String
        public let role: String
    }

    /// The nodes, or a message saying why PipeWire could not be asked.
    public static func list() -> Result<[Node], MediaError> {
        var raw = [sc_pw_node](repeating: sc_pw_node(), count: 64)
        var message = [CChar](repeating: 0, count: 512)
        let n = sc_pw_list_video_sources(&raw, Int32(raw.count), &message, message.count)
        guard n >= 0 else { return .failure(MediaError(.noDevice, path: "pipewire", String(cString: message))) }
        return .success(
            raw.prefix(Int(n)).map { r in
                var r = r
                func text<T>(_ t: inout T) -> String {
                    withUnsafeBytes(of: &t) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                }
                return Node(
                    id: r.id, serial: r.serial, name: text(&r.name), description: text(&r.description),
                    role: text(&r.role))
            })
    }
}

extension PipeWireNodes {
    /// The `--list-devices` section for PipeWire.
    public static func report() -> String {
        switch list() {
        case .failure(let e): return "PipeWire: not reachable (\(e.description))\n"
        case .success(let nodes) where nodes.isEmpty: return "PipeWire camera nodes: none\n"
        case .success(let nodes):
            var text = "PipeWire camera nodes (--input pipewire:NAME):\n"
            for n in nodes {
                let role = n.role.isEmpty ? "" : ", \(n.role)"
                text += "  \(n.name)  \"\(n.description)\" (id \(n.id), serial \(n.serial)\(role))\n"
            }
            return text
        }
    }
}
