import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore

@main
struct DumperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dumper",
        abstract: "Copies changed daily aggregates from Redis into MongoDB and retires old days from Redis.")

    @OptionGroup var core: CoreOptions

    @Option(help: "Serve Prometheus metrics at /metrics on this port; 0 is off (env TXSTATS_METRICS_PORT, default 0)." )
    var metricsPort: String?
    @OptionGroup var history: HistoryOptions

    @Option(help: "Seconds between passes (env TXSTATS_DUMP_INTERVAL_SECONDS, default 10).")
    var interval: String?

    @Flag(help: "Run one pass, then exit (cron, tests, the demo).")
    var once = false

    func run() async throws {
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.dumper") {
            let settings = DumperSettings(
                core: try core.resolve(),
                history: try history.resolve(),
                interval: try Setting<Double>.seconds(flag: "interval", variable: "TXSTATS_DUMP_INTERVAL_SECONDS", range: 0.05...86_400)
                    .resolve(flag: interval, default: 10),
                once: once)
            let logger = Logger(label: "txstats.dumper")
            let service = BlockingWorkerService(name: "dumper", logger: logger) { stop in
                try DumperWorker(settings: settings, logger: logger, stop: stop).run()
            }
            try await ShutdownGuard.run(service, alongside: MetricsServer.services(portFlag: metricsPort, logger: logger), logger: logger)
        }
    }
}

struct DumperSettings: Sendable {
    var core: CoreSettings
    var history: HistorySettings
    var interval: Double
    var once: Bool
}
