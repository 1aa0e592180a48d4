import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore

@main
struct AggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Moves transactions from the Redis queue into exact per-day/hour aggregates, exactly once.")

    @OptionGroup var core: CoreOptions

    @Option(help: "Serve Prometheus metrics at /metrics on this port; 0 is off (env TXSTATS_METRICS_PORT, default 0)." )
    var metricsPort: String?

    @Option(help: "Unique id of this worker; its in-flight list is named after it (env TXSTATS_WORKER_ID, default HOSTNAME-PID).")
    var workerId: String?

    @Option(help: "Queue items taken per batch (env TXSTATS_BATCH_ITEMS, default 64).")
    var batchItems: String?

    @Option(help: "Seconds without a heartbeat after which a worker counts as dead and its in-flight items are taken over (env TXSTATS_HEARTBEAT_TIMEOUT_SECONDS, default 15).")
    var heartbeatTimeout: String?

    @Flag(help: "Exit 0 once the queue and every in-flight list are empty (batch runs, tests, benchmarks).")
    var drain = false

    func run() async throws {
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.aggregator") {
            let settings = try AggregatorSettings(
                core: core.resolve(),
                workerId: Setting<String>.text(flag: "worker-id", variable: "TXSTATS_WORKER_ID")
                    .resolve(flag: workerId, default: AggregatorSettings.defaultWorkerId()),
                batchItems: Setting<Int>.integer(flag: "batch-items", variable: "TXSTATS_BATCH_ITEMS", range: 1...4096)
                    .resolve(flag: batchItems, default: 64),
                heartbeatTimeout: Setting<Double>.seconds(flag: "heartbeat-timeout", variable: "TXSTATS_HEARTBEAT_TIMEOUT_SECONDS", range: 1...3600)
                    .resolve(flag: heartbeatTimeout, default: 15),
                drain: drain)
            let logger = Logger(label: "txstats.aggregator")
            let service = BlockingWorkerService(name: "aggregator", logger: logger) { stop in
                try AggregatorWorker(settings: settings, logger: logger, stop: stop).run()
            }
            try await ShutdownGuard.run(service, alongside: MetricsServer.services(portFlag: metricsPort, logger: logger), logger: logger)
        }
    }
}
