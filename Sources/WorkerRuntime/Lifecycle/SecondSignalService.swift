import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// Exits the process at once on a second SIGTERM/SIGINT while a graceful shutdown is under way.
/// The first signal is ServiceLifecycle's (it starts the graceful shutdown); this service sees
/// the same signals and acts only on the next one.
struct SecondSignalService: Service {
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await cancelWhenGracefulShutdown {
            var seen = 0
            for await signal in signals {
                seen += 1
                if seen == 1 {
                    logger.info("signal received: finishing the work in hand", metadata: ["signal": "\(signal)"])
                    continue
                }
                logger.warning("second signal during shutdown: exiting now", metadata: ["signal": "\(signal)"])
                _exit(signal == .sigint ? 130 : 143)
            }
        }
    }
}
