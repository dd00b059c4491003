import SharpDevices
import SharpFrames
import SharpImaging
import SharpMedia
import SharpNet

/// Everything the live daemon needs: where frames come from and go, their geometry and rate,
/// processing, and the on-demand and stall policies. Built from the configuration file with
/// command-line flags taking precedence.
///
/// Invariant: `validationError` is nil for a configuration the daemon runs.
public struct LiveConfiguration: Sendable, Equatable {
    /// Camera (device path, /dev/v4l/by-id link or card name), file or URL, or "demo";
    /// nil: the first camera, or the generated clip when there is none.
    public var input: String?
    /// Where frames go: the v4l2loopback device, "pipewire" (a PipeWire camera node), "null"
    /// to discard them (measurements, tests), or several separated by commas
    /// (`/dev/video10, pipewire`), all fed the same frame.
    public var output: String = "/dev/video10"
    public static let nullOutput = "null"
    public static let pipeWireOutput = "pipewire"
    /// The PipeWire node's `node.name` and `node.description` (what apps list).
    public var pipeWireName = "sharpcam"
    public var pipeWireDescription = "SharpCam"

    /// `output` as a list of outputs.
    public var outputs: [String] { Self.outputList(output) }

    static func outputList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// Whether `text` names live outputs only (devices under /dev/, pipewire, null): what makes
    /// `sharpcamd --output` mean live mode rather than a file.
    public static func isLiveOutput(_ text: String) -> Bool { outputList(text).allSatisfy(isLiveOutputEntry) }

    static func isLiveOutputEntry(_ o: String) -> Bool {
        o.hasPrefix("/dev/") || o == nullOutput || o == pipeWireOutput
    }

    /// What is wrong with an output list, or nil.
    static func outputProblem(_ text: String) -> String? {
        let list = outputList(text)
        if list.isEmpty { return "no output given (a loopback device such as /dev/video10, pipewire, or null)" }
        for o in list where !isLiveOutputEntry(o) {
            return "output '\(o)' is not a device under /dev/, pipewire or null"
        }
        if Set(list).count != list.count { return "an output is listed twice" }
        if list.contains(nullOutput) && list.count > 1 { return "null cannot be combined with other outputs" }
        return nil
    }
    public var width = 1280
    public var height = 720
    public var frameRate = Rational(30, 1)
    public var outputFormat: PixelFormat = .yuyv
    /// How a camera or file picture of another aspect ratio fills the output.
    public var fit: FrameFit = .crop
    /// The camera pixel format to ask for (a FOURCC such as "UYVY"); nil: SharpCam chooses.
    public var cameraFormat: String?
    /// The camera mode to ask for (nil: the output size, or the nearest mode of its aspect ratio).
    public var cameraSize: Size?

    /// A width and height in pixels.
    public struct Size: Equatable, Sendable {
        public var width: Int, height: Int
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    /// The camera mode asked for: `cameraSize`, else the output size.
    public var requestedCameraSize: Size { cameraSize ?? Size(width: width, height: height) }
    public var processing = ProcessingSettings()
    /// Release the camera and idle while no app has the loopback open.
    public var onDemand = true
    /// Loop file inputs at their end.
    public var loop = true
    /// Seconds without a new frame before the output shows the "no camera" placeholder.
    public var stallTimeout = 2.0
    /// Output rate while idle (no consumers, on demand).
    public var idleFrameRate = 1.0
    /// Seconds between statistics log lines.
    public var statsInterval = 30.0
    /// The control socket (`sharpcamd ctl`): nil for the default (`ControlSocket.defaultPath`),
    /// "off" for none.
    public var control: String?
    public static let controlOff = "off"
    /// The local web console (`web = [ADDR:]PORT`); nil (the default, or `off`): none.
    public var web: WebConsoleAddress?

    public init() {}

    /// The largest output the loopback and the engine are set up for.
    public static let maxWidth = 7680, maxHeight = 4320

    /// What is wrong with this configuration, however it was built (files and flags are
    /// checked as they are read; this catches values set in code), or nil.
    public var validationError: String? {
        if let problem = Self.sizeProblem(width, height) { return problem }
        if let problem = Self.outputProblem(output) { return problem }
        if outputFormat != .yuyv && outputFormat != .i420 { return "output format must be yuyv or i420" }
        let checks: [(NumericSetting, Double)] = [
            (.fps, frameRate.doubleValue), (.stallTimeout, stallTimeout), (.idleFPS, idleFrameRate),
            (.statsInterval, statsInterval),
        ]
        if let problem = checks.lazy.compactMap({ $0.problem(with: $1) }).first { return problem }
        return processing.validationError
    }

    /// "WIDTHxHEIGHT" (either case of x), nil when it is not two integers.
    static func parseSize(_ text: String) -> Size? {
        let p = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard p.count == 2, let w = p[0], let h = p[1] else { return nil }
        return Size(width: w, height: h)
    }

    static func sizeProblem(_ width: Int, _ height: Int) -> String? {
        if width < 2 || height < 2 || width > maxWidth || height > maxHeight {
            return "size \(width)x\(height) is out of range (2x2...\(maxWidth)x\(maxHeight))"
        }
        if width % 2 != 0 { return "the output width must be even, got \(width)" }
        return nil
    }

    public var outputFrameFormat: FrameFormat { FrameFormat(outputFormat, width: width, height: height)! }

    /// Applies `key = value` settings (file or command line); unknown keys and bad values throw
    /// a message naming the key (and `origin`, e.g. "file:line").
    public mutating func apply(_ key: String, _ value: String, origin: String) throws {
        let v = SettingValue(key: key, value: value, origin: origin)
        switch key {
        case "input": input = value.isEmpty ? nil : value
        case "output":
            if let problem = Self.outputProblem(value) { throw v.bad(problem) }
            output = value
        case "pipewire-name":
            guard !value.isEmpty, value.count <= 100,
                value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            else { throw v.bad("expected a node name of letters, digits, '-', '_' or '.' (at most 100)") }
            pipeWireName = value
        case "pipewire-description":
            guard !value.isEmpty, value.count <= 100 else { throw v.bad("expected a name of 1...100 characters") }
            pipeWireDescription = value
        case "size":
            guard let s = Self.parseSize(value) else { throw v.bad("expected WIDTHxHEIGHT") }
            if let problem = Self.sizeProblem(s.width, s.height) { throw v.bad(problem) }
            width = s.width
            height = s.height
        case "fps":
            let fps = try v.number(NumericSetting.fps)
            frameRate = fps == fps.rounded() ? Rational(Int(fps), 1) : Rational(Int((fps * 1000).rounded()), 1000)
        case "format":
            guard let f = PixelFormat(rawValue: value.lowercased()), f == .yuyv || f == .i420 else {
                throw v.bad("expected yuyv or i420")
            }
            outputFormat = f
        case "camera-size":
            if value.isEmpty || value.lowercased() == "auto" {
                cameraSize = nil
            } else {
                guard let s = Self.parseSize(value), s.width >= 2, s.height >= 2, s.width <= 16384, s.height <= 16384
                else { throw v.bad("expected WIDTHxHEIGHT (a mode the camera offers) or auto") }
                cameraSize = s
            }
        case "fit":
            guard let f = FrameFit(rawValue: value.lowercased()) else { throw v.bad("expected crop, pad or stretch") }
            fit = f
        case "camera-format":
            if value.isEmpty || value.lowercased() == "auto" {
                cameraFormat = nil
            } else {
                guard CapturePlan.fourcc(value) != nil else {
                    throw v.bad("expected a four-character code such as YUYV, MJPG, NV12 or UYVY (or auto)")
                }
                cameraFormat = value
            }
        case "on-demand": onDemand = try v.bool()
        case "loop": loop = try v.bool()
        case "stall-timeout": stallTimeout = try v.number(NumericSetting.stallTimeout)
        case "idle-fps": idleFrameRate = try v.number(NumericSetting.idleFPS)
        case "stats-interval": statsInterval = try v.number(NumericSetting.statsInterval)
        case "control":
            if !value.isEmpty && value != Self.controlOff && (!value.hasPrefix("/") || value.utf8.count > 107) {
                throw v.bad("expected an absolute socket path of at most 107 bytes, or off")
            }
            control = value.isEmpty ? nil : value
        case "web":
            if value.isEmpty || value == "off" {
                web = nil
            } else {
                do { web = try WebConsoleAddress.parse(value) } catch { throw v.bad(error.problem) }
            }
        default:
            guard try processing.apply(key, value, origin: origin) else {
                throw ConfigurationError("unknown setting '\(key)'", origin: origin)
            }
        }
    }

    /// Parses a configuration file: `key = value` lines, `#` comments, blank lines.
    public static func parse(_ text: String, path: String) throws -> [(key: String, value: String, origin: String)] {
        var out: [(String, String, String)] = []
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if let bad = raw.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" }) {
                throw ConfigurationError(
                    "contains the control character U+\(String(bad.value, radix: 16, uppercase: true))",
                    origin: "\(path):\(i + 1)")
            }
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: " \t\r")
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError("expected key = value", origin: "\(path):\(i + 1)")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: " \t"),
                value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: " \t")
            let unquoted =
                value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")
                ? String(value.dropFirst().dropLast()) : value
            out.append((key, unquoted, "\(path):\(i + 1)"))
        }
        return out.map { (key: $0.0, value: $0.1, origin: $0.2) }
    }
}

/// A setting that cannot be used, naming where it came from.
///
/// Invariant: `description` is one line: "origin: problem" (origin: `file:line` or a flag such
/// as `--fps`), or the problem alone for the configuration as a whole.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where the setting came from (nil: the configuration as a whole).
    public let origin: String?
    public let problem: String

    public init(_ problem: String, origin: String? = nil) {
        self.origin = origin
        self.problem = problem
    }

    public var description: String { origin.map { "\($0): \(problem)" } ?? problem }
}
