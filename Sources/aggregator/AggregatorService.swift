import Logging
import ServiceLifecycle
import StatsCore

/// The aggregator as a `Service`: its blocking Redis loop runs on a thread of its own; a
/// graceful shutdown lets the current batch commit, then the loop returns.
struct AggregatorService: Service {
    let settings: AggregatorSettings
    let logger: Logger

    func run() async throws {
        let stop = StopFlag()
        try await withGracefulShutdownHandler {
            let settings = self.settings, logger = self.logger
            try await ShutdownGuard.exitOnCancellation(logger: logger) {
                try await DedicatedThread.run(name: "aggregator") {
                try AggregatorWorker(settings: settings, logger: logger, stop: stop).run()
            }
            }
        } onGracefulShutdown: {
            ShutdownGuard.began()
            stop.request()
        }
    }
}
