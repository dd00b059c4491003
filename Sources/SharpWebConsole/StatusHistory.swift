import Foundation
import SharpPipeline
import SharpSupport

/// The daemon's rate, latency, drops and CPU once a second over the last `capacity` seconds,
/// for the console's chart (sampled by the console's own timer, never by the frame path).
///
/// Invariant: at most `capacity` samples, oldest first.
final class StatusHistory: @unchecked Sendable {
    struct Sample: Codable {
        var t: Double
        var fps: Double
        var cpu: Double
        var dropped: UInt64
        var processingP50: Double?, processingP99: Double?
        var endToEndP50: Double?, endToEndP99: Double?
    }

    static let capacity = 300
    private let lock = ConditionLock()
    private var samples: [Sample] = []

    func record(_ s: ControlStatus) {
        let p = s.latency["processing"], e = s.latency["end_to_end"]
        let sample = Sample(
            t: s.uptimeSeconds, fps: s.fps, cpu: s.cpuPercent, dropped: s.dropped, processingP50: p?.p50Ms,
            processingP99: p?.p99Ms, endToEndP50: e?.p50Ms, endToEndP99: e?.p99Ms)
        lock.withLock {
            samples.append(sample)
            if samples.count > Self.capacity { samples.removeFirst(samples.count - Self.capacity) }
        }
    }

    var count: Int { lock.withLock { samples.count } }

    func json() -> [UInt8] {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        return Array((try? e.encode(lock.withLock { samples })) ?? Data("[]".utf8))
    }
}
