import NIOCore
import NIOHTTP1

/// Answers one request at a time: `/metrics`, `/healthz`, 404 otherwise; 405 for anything but
/// GET and HEAD. Request bodies are discarded as they arrive.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let h = head else { return }
            head = nil
            respond(to: h, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let (status, type, body): (HTTPResponseStatus, String, [UInt8]) =
            if request.method != .GET && request.method != .HEAD {
                (.methodNotAllowed, "application/json", Array(#"{"detail":"only GET and HEAD"}"#.utf8))
            } else if path == "/metrics" {
                (.ok, "text/plain; version=0.0.4; charset=utf-8", Telemetry.exposition())
            } else if path == "/healthz" {
                (.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
            } else {
                (.notFound, "application/json", Array(#"{"detail":"no such route"}"#.utf8))
            }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}
