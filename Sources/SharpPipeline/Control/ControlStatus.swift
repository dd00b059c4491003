import Foundation

/// What `sharpcamd ctl status` shows: the daemon's state, as JSON on the control socket.
///
/// Invariant: encodes to and decodes from the same JSON (snake_case keys); `text` is the
/// human-readable form, one fact per line.
public struct ControlStatus: Codable, Equatable, Sendable {
    public struct Latency: Codable, Equatable, Sendable {
        public var p50Ms: Double
        public var p99Ms: Double
    }
    public var version: String
    public var pid: Int32
    public var uptimeSeconds: Double
    /// The configured input ("first camera" when none is configured).
    public var input: String
    /// The source open now (camera or file), nil while released or missing.
    public var source: String?
    /// "held", "released (no consumers)" or "missing: …".
    public var camera: String
    public var output: String
    /// Programs that have the output open (nil: not counted, e.g. the null output).
    public var consumers: Int?
    public var size: String
    public var frameRate: Double
    public var outputFormat: String
    public var fit: String
    public var mode: String
    public var model: String
    public var precision: String
    public var strength: Float
    public var processor: String
    /// Frames handed to the output per second over the last seconds.
    public var fps: Double
    /// Per stage: ring wait, processing, output, end to end.
    public var latency: [String: Latency]
    public var captured: UInt64
    public var processed: UInt64
    public var written: UInt64
    public var skipped: UInt64
    public var dropped: UInt64
    public var placeholders: UInt64
    /// Share of one core used by the whole process over the last seconds.
    public var cpuPercent: Double
    public var rssMiB: Double
    public var controlSocket: String

    public func json() -> [UInt8] {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return Array((try? e.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) throws -> ControlStatus {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try d.decode(ControlStatus.self, from: Data(bytes))
    }

    public var text: String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var lines = [
            "sharpcamd \(version) (pid \(pid)), up \(Int(uptimeSeconds)) s",
            "input:      \(input)\(source.map { $0 == input ? "" : " → \($0)" } ?? "")",
            "camera:     \(camera)",
            "output:     \(output)\(consumers.map { ", \($0) consumer\($0 == 1 ? "" : "s")" } ?? "")",
            "picture:    \(size) \(outputFormat) at \(f(frameRate)) fps, fit \(fit)",
            "processing: \(processor)",
            "rate:       \(f(fps)) fps out; captured \(captured), processed \(processed), written \(written)",
            "dropped:    \(dropped) (skipped damaged \(skipped), no-camera card \(placeholders))",
            "cpu:        \(f(cpuPercent)) % of one core, memory \(f(rssMiB)) MiB",
        ]
        for stage in ["ring_wait", "processing", "output", "end_to_end"] {
            if let l = latency[stage] {
                let name = (stage.replacingOccurrences(of: "_", with: " ") + ":").padding(
                    toLength: 12, withPad: " ", startingAt: 0)
                lines.append("\(name)p50 \(f(l.p50Ms)) ms, p99 \(f(l.p99Ms)) ms")
            }
        }
        lines.append("control:    \(controlSocket)")
        return lines.joined(separator: "\n")
    }
}
