import Logging

/// The life of a worker process, the same for the importer, the aggregator and the dumper:
/// logging and metrics set up, the settings resolved (`prepare`; a bad one is logged as
/// critical and the exit status is 1), the blocking loop as the group's main service beside the
/// metrics listener, and any service's error reported as the cause.
public enum WorkerMain {
    public static func run(
        _ name: String, metricsPort: String?,
        prepare: (Logger) throws -> @Sendable (StopFlag) throws -> Void
    ) async throws {
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.\(name)") {
            let logger = Logger(label: "txstats.\(name)")
            let body = try prepare(logger)
            let service = BlockingWorkerService(name: name, logger: logger, body)
            try await WorkerServiceGroup.run(
                main: service, alongside: MetricsListener.services(portFlag: metricsPort, logger: logger), logger: logger)
        }
    }
}
