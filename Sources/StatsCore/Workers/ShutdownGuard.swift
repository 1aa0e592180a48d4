import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Bounds a graceful shutdown. SIGTERM/SIGINT ask the worker to finish its batch; a second
/// signal, or a shutdown longer than `TXSTATS_SHUTDOWN_TIMEOUT_SECONDS` (default 30), escalates
/// to cancellation, and since the workers' blocking loops cannot be cancelled the process then
/// exits at once. Exiting mid-batch loses nothing: uncommitted items stay in flight.
public enum ShutdownGuard {
    private static let startedAt = Mutex<ContinuousClock.Instant?>(nil)

    public static var timeoutSeconds: Double {
        ProcessEnvironment.current["TXSTATS_SHUTDOWN_TIMEOUT_SECONDS"].flatMap(Double.init) ?? 30
    }

    /// Runs a long-running executable's service: the first SIGTERM/SIGINT starts a graceful
    /// shutdown, a second one exits at once, and an overrun escalates to cancellation.
    public static func run(_ service: some Service, alongside others: [any Service] = [], logger: Logger) async throws {
        var config = ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
                + others.map { .init(service: $0) },
            logger: logger)
        config.maximumGracefulShutdownDuration = .milliseconds(Int(timeoutSeconds * 1000))
        let group = ServiceGroup(configuration: config)
        let signals = Task {
            var count = 0
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                count += 1
                if count == 1 {
                    logger.info("signal received: finishing the work in hand", metadata: ["signal": "\(signal)"])
                    began()
                    await group.triggerGracefulShutdown()
                } else {
                    logger.warning("second signal during shutdown: exiting now", metadata: ["signal": "\(signal)"])
                    _exit(signal == .sigint ? 130 : 143)
                }
            }
        }
        defer { signals.cancel() }
        try await group.run()
    }

    /// Call when the graceful shutdown begins.
    public static func began() {
        startedAt.withLock { if $0 == nil { $0 = .now } }
    }

    /// Runs a service's blocking work so that an escalated shutdown ends the process.
    public static func exitOnCancellation<T: Sendable>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            let elapsed = startedAt.withLock { $0.map { ContinuousClock.now - $0 } } ?? .zero
            let timedOut = elapsed >= .milliseconds(Int(timeoutSeconds * 1000) - 50)
            if timedOut {
                logger.error("graceful shutdown took longer than \(timeoutSeconds) s: exiting now")
                _exit(1)
            }
            logger.warning("second signal during shutdown: exiting now")
            _exit(143)
        }
    }
}
