import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SharpPipeline
import SharpSupport

/// `sharpcamd --web [ADDR:]PORT`: the local web console as a service of the live daemon's
/// group. HTTP/1.1 from swift-nio (NIOHTTP1) on one event-loop thread; requests that wait
/// (a live frame, a picture) run on a small thread pool, never on the frame path.
///
/// Invariant: listening from `init` until `stop()`; `url` (with this run's token) is published
/// to the daemon for `sharpcamd ctl web` while it runs.
public final class WebConsole: Service, @unchecked Sendable {
    public let name = "web console"
    /// The address it listens on (the real port when 0 was asked for).
    public let address: WebConsoleAddress
    /// The page with this run's token.
    public let url: String
    public let router: WebConsoleRouter
    /// Open connections at most; further ones are closed at once.
    public static let maxConnections = 32
    private let group: MultiThreadedEventLoopGroup
    private let pool: NIOThreadPool
    private let channel: Channel
    private let daemon: LiveDaemon
    private let logger: Logger
    private var sampler: RepeatedTask?
    let connections = ConnectionCount()

    public init(
        daemon: LiveDaemon, address asked: WebConsoleAddress, saveFile: @escaping @Sendable () -> String,
        logger: Logger
    ) throws {
        self.daemon = daemon
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let token = WebConsoleRouter.makeToken()
        let pool = self.pool, connections = self.connections
        let bound: Channel
        do {
            // The router needs the real port (Host check) but the port is known only after
            // bind: connections wait for it in `RouterBox`.
            let box = RouterBox()
            bound = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let ops = channel.pipeline.syncOperations
                        try ops.configureHTTPServerPipeline(withErrorHandling: true)
                        try ops.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
                        try ops.addHandler(WebHTTPHandler(router: box, pool: pool, connections: connections))
                    }
                }
                .bind(host: asked.host, port: asked.port).wait()
            let port = bound.localAddress?.port ?? asked.port
            address = WebConsoleAddress(host: asked.host, port: port)
            router = WebConsoleRouter(daemon: daemon, address: address, token: token, saveFile: saveFile)
            box.set(router)
        } catch {
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
            throw ConfigurationError("web console: cannot listen on \(asked): \(error)")
        }
        channel = bound
        url = "http://\(address)/?token=\(token)"
    }

    public func run() throws {
        daemon.webConsoleURL = url
        let router = self.router
        sampler = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            router.sample()
        }
        logger.notice("web console on http://\(address)/ (the address with its token: sharpcamd ctl web)")
        if !address.isLoopback {
            logger.warning("web console listens on \(address.host): other machines on that network can reach it")
        }
        try? channel.closeFuture.wait()
        daemon.webConsoleURL = nil
        sampler?.cancel()
        try? pool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
    }

    public func stop() { channel.close(mode: .all, promise: nil) }
}

/// The router, once the port is known (set right after bind, before `run()`).
final class RouterBox: @unchecked Sendable {
    private let lock = ConditionLock()
    private var router: WebConsoleRouter?

    func set(_ r: WebConsoleRouter) {
        lock.withLock {
            router = r
            lock.broadcast()
        }
    }

    var value: WebConsoleRouter {
        lock.withLock {
            while router == nil { _ = lock.wait(untilMonotonicNanos: nil) }
            return router!
        }
    }
}

/// Open connections (thread-safe).
final class ConnectionCount: @unchecked Sendable {
    private let lock = ConditionLock()
    private var n = 0

    func open() -> Int {
        lock.withLock {
            n += 1; return n
        }
    }
    func close() { lock.withLock { n -= 1 } }
}
