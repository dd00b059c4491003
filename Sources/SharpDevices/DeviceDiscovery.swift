import CV4L2
import Glibc
import SharpMedia

/// Finds video devices: cameras and loopback outputs, with their formats; resolves a camera
/// named by path, /dev/v4l/by-id link or card name.
///
/// Invariant: stateless; devices that cannot be opened are listed with the reason.
public enum DeviceDiscovery {
    public struct Entry: Sendable {
        public let path: String
        public let card: String
        public let driver: String
        public let isCapture: Bool
        public let isLoopback: Bool
        public let formats: [String]
        public let problem: String?
    }

    /// /dev/video* in numeric order.
    public static func nodes() -> [String] {
        guard let dir = opendir("/dev") else { return [] }
        defer { closedir(dir) }
        var out: [(Int, String)] = []
        while let e = readdir(dir) {
            let n = V4L2Device.string(e.pointee.d_name)
            if n.hasPrefix("video"), let k = Int(n.dropFirst(5)) { out.append((k, "/dev/\(n)")) }
        }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public static func list() -> [Entry] {
        nodes().map { path in
            do {
                let d = try V4L2Device(path: path)
                let type = d.isCapture ? V4L2_BUF_TYPE_VIDEO_CAPTURE : V4L2_BUF_TYPE_VIDEO_OUTPUT
                return Entry(
                    path: path, card: d.card, driver: d.driver, isCapture: d.isCapture, isLoopback: d.isLoopback,
                    formats: d.formats(type).map(\.description), problem: nil)
            } catch let e as MediaError {
                return Entry(
                    path: path, card: "", driver: "", isCapture: false, isLoopback: false, formats: [],
                    problem: e.problem)
            } catch {
                return Entry(
                    path: path, card: "", driver: "", isCapture: false, isLoopback: false, formats: [],
                    problem: "\(error)")
            }
        }
    }

    /// The device path for a camera given as a path (device node or /dev/v4l/by-id link) or
    /// a card name (exact, then case-insensitive substring, among capture devices that are
    /// not loopbacks); nil when nothing matches now (it may appear later).
    public static func resolveCamera(_ spec: String) -> String? {
        if spec.hasPrefix("/") { return access(spec, F_OK) == 0 ? spec : nil }
        return match(spec, in: list())?.path
    }

    /// The camera a name means: the card name exactly, else the first whose card name starts
    /// with it (case-insensitive). Names may contain dots ("USB2.0 HD UVC WebCam").
    static func match(_ name: String, in entries: [Entry]) -> Entry? {
        let cameras = entries.filter { $0.isCapture && !$0.isLoopback && $0.problem == nil }
        if let exact = cameras.first(where: { $0.card == name }) { return exact }
        return cameras.first { $0.card.lowercased().hasPrefix(name.lowercased()) }
    }

    /// The card names of the cameras connected now ("" when none).
    public static func cameraNames() -> [String] {
        list().filter { $0.isCapture && !$0.isLoopback && $0.problem == nil }.map { "\"\($0.card)\" (\($0.path))" }
    }

    /// The first camera (capture device that is not a loopback), if any.
    public static func firstCamera() -> String? {
        list().first { $0.isCapture && !$0.isLoopback && $0.problem == nil }?.path
    }
}
