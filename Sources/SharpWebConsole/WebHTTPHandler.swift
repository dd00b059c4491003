import NIOCore
import NIOHTTP1
import NIOPosix
import SharpSupport

/// One connection: collects a request (head, body up to the router's limit, end), answers it
/// from the thread pool, writes the response. A body over the limit is answered 413 at once
/// and the connection closed; more than `WebConsole.maxConnections` connections are closed on
/// arrival; a connection silent for 30 s is closed.
final class WebHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: RouterBox
    private let pool: NIOThreadPool
    private let connections: ConnectionCount
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var discarding = false
    private var counted = false

    init(router: RouterBox, pool: NIOThreadPool, connections: ConnectionCount) {
        self.router = router
        self.pool = pool
        self.connections = connections
    }

    func channelActive(context: ChannelHandlerContext) {
        counted = true
        if connections.open() > WebConsole.maxConnections {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted { connections.close() }
        counted = false
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            discarding = false
            if let length = h.headers.first(name: "content-length").flatMap(Int.init),
                length > WebConsoleRouter.maxBodyBytes
            {
                tooLarge(context, h.version)
            }
        case .body(var buffer):
            guard !discarding else { return }
            if body.count + buffer.readableBytes > WebConsoleRouter.maxBodyBytes {
                tooLarge(context, head?.version ?? .http1_1)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !discarding, let h = head else { return }
            head = nil
            let request = WebRequest(
                method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let keepAlive = h.isKeepAlive, version = h.version
            let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let box = router
            pool.runIfActive(eventLoop: context.eventLoop) { box.value.respond(to: request) }
                .whenComplete { result in
                    let response = (try? result.get()) ?? .error(503, "the console is stopping")
                    Self.write(response, version: version, keepAlive: keepAlive, context: loopContext.value)
                }
        }
    }

    private func tooLarge(_ context: ChannelHandlerContext, _ version: HTTPVersion) {
        discarding = true
        body = []
        let limit = WebConsoleRouter.maxBodyBytes >> 20
        Self.write(
            .error(413, "request body larger than \(limit) MiB"), version: version, keepAlive: false, context: context)
    }

    static func write(_ r: WebResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Content-Length", value: "\(r.body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "X-Frame-Options", value: "DENY")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        headers.add(
            name: "Content-Security-Policy",
            value:
                "default-src 'none'; img-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                + "connect-src 'self'; frame-ancestors 'none'; form-action 'none'")
        for (name, value) in r.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: r.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(
            NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(bytes: r.body)))),
            promise: nil)
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
