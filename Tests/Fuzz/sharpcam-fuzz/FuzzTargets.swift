import Foundation
import SharpFrames
import SharpMedia
import SharpNet
import SharpPipeline
import SharpSupport

/// What the fuzzer feeds SharpCam's parsers of untrusted input: configuration text, weights
/// files, YUV4MPEG2 streams, pictures (through FFmpeg and the pixel limit), and the control
/// socket's protocol (requests as the daemon reads them; frames and status as `ctl` reads them). Each target must
/// return normally for any input: errors are fine, traps, hangs and runaway memory are bugs.
enum FuzzTarget: String, CaseIterable {
    case config, weights, y4m, picture, control

    /// A scratch file per process for the targets that read files.
    static let scratch: String = {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return "\(dir)/sharpcam-fuzz-\(getpid())"
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .config:
            let text = String(decoding: bytes, as: UTF8.self)
            var c = LiveConfiguration()
            guard let entries = try? LiveConfiguration.parse(text, path: "fuzz.conf") else { return }
            for e in entries { try? c.apply(e.key, e.value, origin: e.origin) }
            if c.validationError == nil, c.processing.mode != .nn {
                _ = try? c.processing.makeProcessor()
                _ = c.outputFrameFormat
            }
        case .control:
            // The daemon's side: every line of the input is a request.
            for line in bytes.split(separator: 10, omittingEmptySubsequences: false) {
                _ = try? ControlRequest.parse(Array(line))
            }
            // The client's side: an answer's body as a snapshot frame or a status.
            _ = try? ControlFrame.decode(bytes)
            _ = try? ControlStatus.decode(bytes)
        case .weights:
            guard let w = try? WeightsFile.decode(bytes, path: "fuzz.scw") else { return }
            _ = NetworkGraph(w.spec).parameterCount
            for p in FusedStudentEngine.Precision.allCases {
                try? FusedStudentEngine.validate(weights: w, precision: p)
            }
        case .y4m, .picture:
            let path = FuzzTarget.scratch + (self == .y4m ? ".y4m" : ".img")
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
            defer { unlink(path) }
            for policy in [FFmpegSource.ErrorPolicy.strict, .lenient] {
                let input = InputPolicy(errorPolicy: policy, maxPixels: 4_000_000)
                guard let source = try? MediaFiles.openSource(path, input: input) else { continue }
                let frame = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
                for _ in 0..<4 { guard (try? source.read(into: frame)) == true else { break } }
            }
        }
    }
}
