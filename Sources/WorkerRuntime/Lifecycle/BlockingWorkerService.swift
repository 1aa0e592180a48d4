import Dispatch
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A worker whose loop blocks (hiredis, libmongoc, file reads) as a `Service`: the loop runs on
/// a thread of its own, never on the cooperative pool. A graceful shutdown sets the stop flag it
/// polls, so it finishes the work in hand. Cancellation has two causes, told apart here:
/// - another service of the group failed: the loop is asked to stop the same way, and the
///   group rethrows that service's error;
/// - the graceful shutdown overran `TXSTATS_SHUTDOWN_TIMEOUT_SECONDS`: a blocking loop cannot be
///   cancelled, so the process exits 1 with a log line saying so.
/// Exiting mid-batch loses nothing: uncommitted items stay in flight.
public struct BlockingWorkerService: Service {
    let name: String
    let logger: Logger
    let body: @Sendable (StopFlag) throws -> Void

    public init(name: String, logger: Logger, _ body: @escaping @Sendable (StopFlag) throws -> Void) {
        self.name = name
        self.logger = logger
        self.body = body
    }

    public func run() async throws {
        let stop = StopFlag()
        let shuttingDown = Atomic<Bool>(false)
        let name = self.name
        let body = self.body
        let logger = self.logger
        let timeout = (try? LifecycleSetting.shutdownTimeout.resolve(flag: nil)) ?? 30
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await DedicatedThread.run(name: name) { try body(stop) }
            } onGracefulShutdown: {
                shuttingDown.store(true, ordering: .relaxed)
                stop.request()
            }
        } onCancel: {
            if shuttingDown.load(ordering: .relaxed) {
                logger.error("graceful shutdown took longer than \(timeout) s: exiting now")
                _exit(1)
            }
            // A sibling failed: stop like a graceful shutdown, within the same bound.
            stop.request()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                logger.error("\(name) did not stop within \(timeout) s after another service failed: exiting now")
                _exit(1)
            }
        }
    }
}
