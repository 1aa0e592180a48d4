import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import StatsCore

/// The HTTP/1 decoder's limits: a request line or one header field (name and value) up to
/// 16 KiB, all of them together up to 32 KiB, at most 100 fields. Larger is a 431.
enum HTTPLimits {
    static let maxFieldBytes = 16 * 1024
    static let maxHeaderBytes = 32 * 1024
    static let maxFieldCount = 100
    /// How long a connection that is being closed after an error answer is given to read it
    /// (its input is read and dropped meanwhile, so the answer is not lost to a reset).
    static let lingerSeconds: Int64 = 2
}

/// Per connection, between the HTTP codec and Hummingbird's request handling:
///
/// - A request the decoder cannot parse is answered here, with JSON like every other error:
///   431 when its head is over ``HTTPLimits`` (Hummingbird alone would answer 400 with an empty
///   body), 400 otherwise. The answer waits for any response still being written.
/// - After an answer that says `Connection: close` (these, and a 413 from
///   ``NoBodyMiddleware``), the connection is closed: output first, then the input after
///   ``HTTPLimits/lingerSeconds`` during which whatever arrives is dropped unread by anyone.
final class HTTPGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let logger: Logger
    /// Requests whose head was read and whose answer is not fully written.
    private var inFlight = 0
    private var closeAfterResponse = false
    private var pendingError: (status: HTTPResponse.Status, detail: String)?
    private var closing = false
    private var linger: Scheduled<Void>?

    init(logger: Logger) { self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            inFlight -= 1
            context.write(data, promise: promise)
            if inFlight == 0, let error = pendingError {
                pendingError = nil
                respond(context: context, status: error.status, detail: error.detail)
            } else if closeAfterResponse, inFlight == 0 {
                close(context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let answer: (HTTPResponse.Status, String)
        switch error {
        case HTTPParserError.headerOverflow:
            answer = (
                .requestHeaderFieldsTooLarge,
                "the request line or a header field is over \(HTTPLimits.maxFieldBytes) bytes, the headers are over \(HTTPLimits.maxHeaderBytes) bytes, or there are more than \(HTTPLimits.maxFieldCount) fields"
            )
        case is HTTPParserError, is HTTP1TypeConversionError:
            answer = (.badRequest, "malformed HTTP request: \(error)")
        default:
            context.fireErrorCaught(error)
            return
        }
        logger.debug("refusing a request the HTTP decoder cannot parse", metadata: ["status": "\(answer.0.code)", "error": "\(error)"])
        guard !closing else { return }
        if inFlight > 0 {
            pendingError = answer
        } else {
            respond(context: context, status: answer.0, detail: answer.1)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        linger?.cancel()
        linger = nil
        context.fireChannelInactive()
    }

    /// Writes a JSON error answer that closes the connection.
    private func respond(context: ChannelHandlerContext, status: HTTPResponse.Status, detail: String) {
        let body = context.channel.allocator.buffer(string: ApiError.body(detail))
        let head = HTTPResponse(
            status: status,
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes),
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        close(context: context)
    }

    /// Flushes, closes the output, and closes the rest after the linger time.
    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.flush()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        halfClosed.futureResult.whenFailure { _ in loopBound.value.close(promise: nil) }
        context.close(mode: .output, promise: halfClosed)
        let loopBoundTimer = loopBound
        linger = context.eventLoop.scheduleTask(in: .seconds(HTTPLimits.lingerSeconds)) {
            loopBoundTimer.value.close(promise: nil)
        }
    }
}
