import ArgumentParser
import Logging
import StatsAPI
import WorkerRuntime

@main
struct ApiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Serves exact statistics over HTTP: recent days from Redis, older days from MongoDB.")

    @OptionGroup var core: CoreOptions
    @OptionGroup var history: HistoryOptions

    @Option(name: APISetting.host.argumentName, help: APISetting.host.help)
    var host: String?

    @Option(name: APISetting.port.argumentName, help: APISetting.port.help)
    var port: String?

    @Option(name: APISetting.maxRangeDays.argumentName, help: APISetting.maxRangeDays.help)
    var maxRangeDays: String?

    @Option(name: APISetting.idleTimeout.argumentName, help: APISetting.idleTimeout.help)
    var idleTimeout: String?

    @Option(name: APISetting.maxConnections.argumentName, help: APISetting.maxConnections.help)
    var maxConnections: String?

    @Option(name: APISetting.cacheBytes.argumentName, help: APISetting.cacheBytes.help)
    var cacheBytes: String?

    func run() async throws {
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.api") {
            let settings = APISettings(
                core: try core.resolve(),
                history: try history.resolve(),
                host: try APISetting.host.resolve(flag: host),
                port: try APISetting.port.resolve(flag: port),
                maxRangeDays: try APISetting.maxRangeDays.resolve(flag: maxRangeDays),
                adminToken: try APISetting.adminToken.resolve(flag: nil),
                readToken: try APISetting.readToken.resolve(flag: nil),
                idleTimeoutSeconds: try APISetting.idleTimeout.resolve(flag: idleTimeout),
                maxConnections: try APISetting.maxConnections.resolve(flag: maxConnections),
                cacheBytes: try APISetting.cacheBytes.resolve(flag: cacheBytes))
            let logger = Logger(label: "txstats.api")
            let app = try buildApplication(settings: settings, logger: logger)
            logger.info(
                "api starting",
                metadata: [
                    "address": "\(settings.host):\(settings.port)", "redis": "\(settings.core.redis)",
                    "database": "\(settings.history.database)", "cutoff_days": "\(settings.history.cutoffDays)",
                    "idle_timeout_seconds": "\(settings.idleTimeoutSeconds)", "cache_bytes": "\(settings.cacheBytes)",
                ])
            try await WorkerServiceGroup.run(main: app, logger: logger)
        }
    }
}
