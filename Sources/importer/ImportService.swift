import Logging
import ServiceLifecycle
import StatsCore
import Synchronization

/// The import as a `Service`: the blocking read-and-push loop runs on its own thread; SIGINT or
/// SIGTERM commits the batch in hand and stops, so a re-run resumes exactly there.
final class ImportService: Service, Sendable {
    let settings: ImportSettings
    let logger: Logger
    let result = Mutex<ImportSummary?>(nil)

    init(settings: ImportSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    func run() async throws {
        let stop = StopFlag()
        let summary = try await withGracefulShutdownHandler {
            let settings = self.settings, logger = self.logger
            return try await ShutdownGuard.exitOnCancellation(logger: logger) {
                try await DedicatedThread.run(name: "importer") {
                try ImportRun(settings: settings, logger: logger, stop: stop).run()
            }
            }
        } onGracefulShutdown: {
            ShutdownGuard.began()
            stop.request()
        }
        result.withLock { $0 = summary }
    }
}
