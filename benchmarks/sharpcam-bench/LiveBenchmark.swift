import ArgumentParser
import CBenchSupport
import CSharpKernels
import Foundation
import Logging
import SharpCommandLine
import SharpFrames
import SharpNet
import SharpPipeline
import SharpSupport

/// The live pipeline users run (capture paced at the frame rate → FrameRing → processing →
/// output), measured as a whole: per-stage latency, end-to-end latency, drops, CPU time per
/// frame and CPU % of one core (getrusage), RSS, heap allocations per frame.
struct LiveBenchmark: SharpCamCommand {
    static let toolName = "sharpcam-bench"
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Run the real live pipeline for a while and report latency, drops, CPU and memory per frame.",
        discussion: """
            Input: a file or URL played at its frame rate (looped), or the generated demo clip ('demo', the \
            default). Output: 'null' (frames are discarded after the output stage) or a v4l2loopback device. \
            The ideal time is the network's MACs per frame divided by the int8 peak this machine measures for \
            the kernel set in use (one core).
            """)

    @Option(name: .shortAndLong, help: "Input file/URL, or 'demo'.")
    var input: String = "demo"

    @Option(name: .shortAndLong, help: "Output: 'null' or a v4l2loopback device.")
    var output: String = "null"

    @Option(help: "Frame size WIDTHxHEIGHT.")
    var size: FrameSize = FrameSize(argument: "1280x720")!

    @Option(help: "Frame rate of the input pacing and the output.")
    var fps: Double = 30

    @Option(help: "Processing: nn, classic or bypass.")
    var mode: String = "nn"

    @Option(help: "Network threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds measured (after the warm-up).")
    var seconds: Double = 20

    @Option(help: "Seconds of warm-up (not measured).")
    var warmup: Double = 3

    @Option(
        help: """
            Also request the web console's live view (input | output as a JPEG, ≤ 640 px wide) this many \
            times a second, as an open page does (0: none); its allocations and CPU are counted apart from \
            the frame path's.
            """)
    var viewer: Double = 0

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Latency: Codable {
        var p50: Double
        var p99: Double
    }

    struct Report: Codable {
        var cpu: String
        var kernels: String
        var processor: String
        var size: String
        var fps: Double
        var seconds: Double
        var framesCaptured: UInt64
        var framesProcessed: UInt64
        var framesWritten: UInt64
        var repeated: UInt64
        var dropped: UInt64
        var skipped: UInt64
        var latencyMs: [String: Latency]
        var cpuMsPerFrame: Double
        var cpuPercentOfOneCore: Double
        var idealMsPerFrame: Double?
        var cpuOverIdeal: Double?
        var rssStartMB: Double
        var rssEndMB: Double
        var allocationsPerFrame: Double
        /// Allocations per frame made by the frame path's threads (capture, processing, output,
        /// the network's pool), counted per thread.
        var framePathAllocationsPerFrame: Double
        var viewerRequestsPerSecond: Double
        var viewerCpuPercentOfOneCore: Double
    }

    func execute() throws {
        var c = LiveConfiguration()
        for (key, value) in [
            ("input", input), ("output", output), ("size", size.description), ("fps", "\(fps)"), ("mode", mode),
            ("threads", "\(threads)"), ("on-demand", "no"), ("stats-interval", "3600"),
        ] {
            try c.apply(key, value, origin: "--\(key)")
        }
        if let problem = c.validationError { throw ConfigurationError(problem) }
        // The ideal time, from the peak measured before the pipeline starts (on a quiet machine).
        var ideal: Double?
        var kernels = "-"
        if c.processing.mode == .nn {
            let weights = try DefaultStudent.load(c.processing.model)
            if FusedStudentEngine.supportError(weights.spec) == nil {
                let isa = KernelISA.automatic
                kernels = "\(isa.rawValue), \(FusedStudentEngine.defaultPrecision(for: weights).rawValue)"
                let macs = NetworkGraph(weights.spec.collapsed).macsPerPixel * Double(c.width * c.height)
                let peak = sc_peak_int8_isa_macs(isa.cValue, 1, 0.5)
                if peak > 0 { ideal = macs / peak * 1000 }
            }
        }
        var logger = Logger(label: "sharpcam-bench")
        logger.logLevel = .warning
        let daemon = LiveDaemon(configuration: c, logger: logger) { c }
        let failure = FirstError()
        let runner = WorkerThread(name: "daemon") {
            do { try daemon.run() } catch { failure.record(error) }
        }
        defer {
            daemon.requestStop()
            runner.join()
        }
        let view = Viewer(daemon: daemon, rate: viewer)
        defer { view.stop() }
        sleepNanoseconds(UInt64(warmup * 1e9))
        if let error = failure.error { throw error }
        let s = daemon.statistics
        s.recorders.forEach { $0.reset() }
        let (before, viewBefore) = view.paused { Snapshot(daemon) }
        let start = monotonicNanos()
        sleepNanoseconds(UInt64(seconds * 1e9))
        let (after, viewAfter) = view.paused { Snapshot(daemon) }
        let wall = monotonicSeconds(since: start)
        if let error = failure.error { throw error }
        let frames = max(1, after.processed - before.processed)
        let cpu = after.cpuSeconds - before.cpuSeconds
        var latency: [String: Latency] = [:]
        for r in s.recorders {
            if let p = r.percentiles() { latency[r.name] = Latency(p50: p.p50, p99: p.p99) }
        }
        let cpuPerFrame = cpu / Double(frames) * 1000
        let report = Report(
            cpu: cpuDescription(), kernels: kernels, processor: daemon.processorName, size: size.description, fps: fps,
            seconds: wall, framesCaptured: after.captured - before.captured, framesProcessed: frames,
            framesWritten: after.written - before.written, repeated: after.repeated - before.repeated,
            dropped: after.dropped - before.dropped, skipped: after.skipped - before.skipped, latencyMs: latency,
            cpuMsPerFrame: cpuPerFrame, cpuPercentOfOneCore: 100 * cpu / wall, idealMsPerFrame: ideal,
            cpuOverIdeal: ideal.map { cpuPerFrame / $0 }, rssStartMB: before.rssMB, rssEndMB: after.rssMB,
            allocationsPerFrame: Double(after.allocations - before.allocations) / Double(frames),
            framePathAllocationsPerFrame: Double(after.framePathAllocations - before.framePathAllocations)
                / Double(frames),
            viewerRequestsPerSecond: Double(viewAfter.requests - viewBefore.requests) / wall,
            viewerCpuPercentOfOneCore: 100 * (viewAfter.cpuSeconds - viewBefore.cpuSeconds) / wall)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        print("CPU: \(report.cpu)\nlive: \(input) → \(output), \(report.size) @ \(fps) fps, \(report.processor)")
        print("kernels: \(kernels); measured \(fmt3(wall, 1)) s after \(fmt3(warmup, 1)) s of warm-up\n")
        var t = TextTable(header: ["stage", "p50 ms", "p99 ms"])
        for r in s.recorders {
            if let l = latency[r.name] { t.rows.append([r.name, fmt3(l.p50, 2), fmt3(l.p99, 2)]) }
        }
        print(t.rendered)
        print(
            """

            frames: captured \(report.framesCaptured), processed \(report.framesProcessed), written \
            \(report.framesWritten) (repeated \(report.repeated)), dropped \(report.dropped), skipped \(report.skipped)
            CPU: \(fmt3(report.cpuMsPerFrame, 2)) ms per frame, \(fmt3(report.cpuPercentOfOneCore, 1)) % of one core\
            \(ideal.map { "; ideal \(fmt3($0, 2)) ms per frame, CPU/ideal \(fmt3(cpuPerFrame / $0, 2))" } ?? "")
            RSS: \(fmt3(report.rssStartMB, 1)) MB → \(fmt3(report.rssEndMB, 1)) MB; \
            allocations per frame: \(fmt3(report.allocationsPerFrame, 2)) in all, \
            \(fmt3(report.framePathAllocationsPerFrame, 2)) by the frame path (capture, processing, output, pool)
            """)
        if viewer > 0 {
            print(
                """
                live view: \(fmt3(report.viewerRequestsPerSecond, 1)) JPEGs/s, \
                \(fmt3(report.viewerCpuPercentOfOneCore, 1)) % of one core on its thread, \
                \(fmt3(Double(viewAfter.allocations - viewBefore.allocations) / Double(frames), 1)) allocations per \
                frame on it
                """)
        }
    }

    /// Counters, CPU time, RSS and allocations at one moment.
    ///
    /// `allocations(ofThreads:)`: the allocations so far of the running threads with these
    /// names (`/proc/self/task/TID/comm`; threads that have exited are skipped).
    struct Snapshot {
        var captured, processed, written, repeated, skipped, allocations, dropped, framePathAllocations: UInt64
        var cpuSeconds: Double
        var rssMB: Double

        init(_ daemon: LiveDaemon) {
            let s = daemon.statistics
            captured = s.captured.count
            processed = s.processed.count
            written = s.written.count
            repeated = s.repeated.count
            skipped = s.skipped.count
            dropped = daemon.droppedFrames
            allocations = sc_allocation_count()
            framePathAllocations = Self.allocations(ofThreads: ["capture", "processing", "output", "sc-pool"])
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            cpuSeconds =
                Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
                + Double(usage.ru_stime.tv_usec) / 1e6
            let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
            let pages = statm.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            rssMB = pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
        }

        static func allocations(ofThreads names: Set<String>) -> UInt64 {
            var total: UInt64 = 0
            for i in 0..<sc_allocation_threads() {
                let tid = sc_allocation_thread_id(i)
                guard tid > 0, let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
                    names.contains(comm.trimmingCharacters(in: .whitespacesAndNewlines))
                else { continue }
                total += sc_allocation_thread_count(i)
            }
            return total
        }
    }
}

/// What an open web console page asks of the daemon: the live view `rate` times a second
/// (`LivePreview`, the console's own code, minus HTTP), on its own thread, whose allocations
/// and CPU time it counts.
final class Viewer: @unchecked Sendable {
    struct Counters {
        var requests: UInt64 = 0, allocations: UInt64 = 0
        var cpuSeconds = 0.0
    }

    private let lock = ConditionLock()
    private var current = Counters()
    private let stopFlag = CancellationFlag()
    private var thread: WorkerThread?

    init(daemon: LiveDaemon, rate: Double) {
        guard rate > 0 else { return }
        let preview = LivePreview(daemon: daemon)
        thread = WorkerThread(name: "viewer") { [self] in
            let period = UInt64(1e9 / rate)
            var next = monotonicNanos()
            while !stopFlag.isCancelled {
                // A request and its accounting under the lock: `paused` sees none half done.
                lock.withLock {
                    if case .success = preview.jpeg(timeoutNanos: 500_000_000) { current.requests += 1 }
                    var ts = timespec()
                    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
                    current.allocations = sc_thread_allocation_count()
                    current.cpuSeconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
                }
                next += period
                let now = monotonicNanos()
                if next > now { sleepNanoseconds(next - now) } else { next = now }
            }
        }
    }

    /// `body`'s result and the counters, taken while no live-view request is in flight.
    func paused<T>(_ body: () -> T) -> (T, Counters) { lock.withLock { (body(), current) } }

    func stop() {
        stopFlag.cancel()
        thread?.join()
        thread = nil
    }
}
