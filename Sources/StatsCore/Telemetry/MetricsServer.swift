import Hummingbird
import Logging
import ServiceLifecycle

/// `GET /metrics` (Prometheus text) and `GET /healthz` on a port of its own, for workers that
/// have no HTTP server otherwise. Runs as a second service beside the worker.
public enum MetricsServer {
    public static func service(host: String, port: Int, logger: Logger) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "txstats-metrics"),
                           logger: logger)
    }

    /// The metrics listener a worker runs beside its loop, if `--metrics-port` /
    /// `TXSTATS_METRICS_PORT` asks for one.
    public static func services(portFlag: String?, logger: Logger) throws -> [any Service] {
        let port = try portSetting.resolve(flag: portFlag, default: 0)
        guard port > 0 else { return [] }
        return [service(host: try hostSetting.resolve(flag: nil, default: "127.0.0.1"), port: port, logger: logger)]
    }

    /// `--metrics-port` / `TXSTATS_METRICS_PORT`: 0 or unset switches it off.
    public static let portSetting = Setting<Int>.integer(flag: "metrics-port", variable: "TXSTATS_METRICS_PORT", range: 0...65535)
    public static let hostSetting = Setting<String>.text(flag: "metrics-host", variable: "TXSTATS_METRICS_HOST")
}
