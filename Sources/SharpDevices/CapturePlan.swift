import SharpMedia

/// Which pixel format and frame size to ask a camera for, and how its frames become ours.
///
/// Invariant: `fourcc` is one of the formats the camera offered; `decoding` follows from it
/// (YUYV is copied, MJPEG decoded, everything else converted by libv4lconvert).
public struct CapturePlan: Equatable, Sendable, CustomStringConvertible {
    public enum Decoding: String, Sendable { case copy, mjpeg, convert }

    public var fourcc: UInt32
    public var width: Int
    public var height: Int
    public var decoding: Decoding

    public static let yuyv = CapturePlan.fourcc("YUYV")!
    public static let mjpeg = CapturePlan.fourcc("MJPG")!
    /// Above this many pixels MJPEG is preferred to YUYV (USB 2 cannot carry 720p30 raw YUYV).
    public static let mjpegAbovePixels = 640 * 480
    /// Formats libv4lconvert turns into I420, best first when a camera offers neither YUYV nor MJPEG.
    static let convertible = ["NV12", "YU12", "YV12", "NV21", "UYVY", "YVYU", "VYUY", "NV16", "RGB3", "BGR3"]

    public var description: String {
        "\(V4L2Device.fourccString(fourcc)) \(width)x\(height) (\(decoding.rawValue))"
    }

    public static func fourcc(_ text: String) -> UInt32? {
        let b = Array(text.utf8)
        guard b.count == 4, b.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    /// Chooses a format: `preferred` when given (it must be offered), else YUYV, or MJPEG above
    /// `mjpegAbovePixels` (or when it is the only one of the two), else a format libv4lconvert
    /// converts (raw YUV and RGB first, then whatever is offered: Bayer, vendor formats). Then a
    /// size: the requested one if offered, else the smallest larger one of the same aspect ratio,
    /// else the largest of that aspect ratio, else the requested size (the driver picks the
    /// nearest). Throws a message listing the offered formats.
    public static func choose(
        offered: [(fourcc: UInt32, sizes: [(width: Int, height: Int)])], preferred: UInt32?, width: Int, height: Int
    ) throws(PlanError) -> CapturePlan {
        guard !offered.isEmpty else { throw PlanError("the camera offers no capture format") }
        let codes = offered.map(\.fourcc)
        let chosen: UInt32
        if let preferred {
            guard codes.contains(preferred) else {
                throw PlanError(
                    "the camera does not offer \(V4L2Device.fourccString(preferred)); it offers "
                        + codes.map(V4L2Device.fourccString).joined(separator: ", "))
            }
            chosen = preferred
        } else if codes.contains(yuyv) || codes.contains(mjpeg) {
            let wantMJPEG = codes.contains(mjpeg) && (!codes.contains(yuyv) || width * height > mjpegAbovePixels)
            chosen = wantMJPEG ? mjpeg : yuyv
        } else {
            chosen = convertible.lazy.compactMap(fourcc).first(where: codes.contains) ?? codes[0]
        }
        let sizes = offered.first { $0.fourcc == chosen }!.sizes
        let (w, h) = size(among: sizes, width: width, height: height)
        let decoding: Decoding = chosen == yuyv ? .copy : chosen == mjpeg ? .mjpeg : .convert
        return CapturePlan(fourcc: chosen, width: w, height: h, decoding: decoding)
    }

    static func size(among sizes: [(width: Int, height: Int)], width: Int, height: Int) -> (Int, Int) {
        if sizes.contains(where: { $0.width == width && $0.height == height }) { return (width, height) }
        let sameAspect = sizes.filter { $0.width * height == $0.height * width }
        if let larger = sameAspect.filter({ $0.width >= width }).min(by: { $0.width < $1.width }) {
            return (larger.width, larger.height)
        }
        if let largest = sameAspect.max(by: { $0.width < $1.width }) { return (largest.width, largest.height) }
        return (width, height)
    }

    public struct PlanError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }
}
