import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `GET /metrics` (Prometheus text) and `GET /healthz` on a port of its own, for workers that
/// have no HTTP server otherwise. A plain SwiftNIO HTTP/1 listener, so the workers do not link
/// a web framework. Runs as a service beside the worker; a port that cannot be bound fails the
/// service with an error that names the address.
public struct MetricsListener: Service {
    public let host: String
    public let port: Int
    let logger: Logger

    public init(host: String, port: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// The port could not be bound (in use, not permitted, bad address).
    public struct BindError: Error, CustomStringConvertible {
        public var address: String
        public var underlying: String
        public var description: String { "metrics listener cannot listen on \(address): \(underlying)" }
    }

    public func run() async throws {
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                        channel.pipeline.addHandler(MetricsHTTPHandler())
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw BindError(address: "\(host):\(port)", underlying: "\(error)")
        }
        logger.info("metrics listening", metadata: ["address": "\(host):\(port)"])
        // Serve until the group shuts down, then close the listener.
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }

    /// The listener a worker runs beside its loop, if `--metrics-port` / `TXSTATS_METRICS_PORT`
    /// asks for one.
    public static func services(portFlag: String?, logger: Logger) throws -> [any Service] {
        let port = try MetricsSetting.port.resolve(flag: portFlag)
        guard port > 0 else { return [] }
        return [MetricsListener(host: try MetricsSetting.host.resolve(flag: nil), port: port, logger: logger)]
    }
}
