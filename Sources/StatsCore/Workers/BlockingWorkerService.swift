import Logging
import ServiceLifecycle

/// A worker whose loop blocks (hiredis, libmongoc, file reads) as a `Service`: the loop runs on
/// a thread of its own; a graceful shutdown sets the stop flag it polls, so it finishes the work
/// in hand; an escalated shutdown (second signal, timeout) ends the process.
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
        let name = self.name, body = self.body
        try await withGracefulShutdownHandler {
            try await ShutdownGuard.exitOnCancellation(logger: logger) {
                try await DedicatedThread.run(name: name) { try body(stop) }
            }
        } onGracefulShutdown: {
            ShutdownGuard.began()
            stop.request()
        }
    }
}
