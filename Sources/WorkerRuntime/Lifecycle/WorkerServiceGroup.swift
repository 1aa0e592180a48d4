import Logging
import ServiceLifecycle
import UnixSignals

/// Runs an executable's services in one `ServiceGroup` with ServiceLifecycle's own signal
/// handling: SIGTERM and SIGINT start a graceful shutdown (the worker finishes the work in hand),
/// `TXSTATS_SHUTDOWN_TIMEOUT_SECONDS` bounds it (`maximumGracefulShutdownDuration`, after which
/// the group is cancelled). The main service ending ends the group; any service that fails
/// cancels the others and its error is rethrown, so the caller logs the real cause and exits 1.
///
/// ServiceLifecycle reacts to the first graceful signal only and refuses one signal in both of
/// its lists, so ``SecondSignalService`` adds what operators expect of Ctrl-C twice: a second
/// SIGTERM/SIGINT during the shutdown exits at once (143/130). Nothing is lost by that: what was
/// not committed is still in flight and is finished on restart.
public enum WorkerServiceGroup {
    public static func run(main: some Service, alongside others: [any Service] = [], logger: Logger) async throws {
        let timeout = try LifecycleSetting.shutdownTimeout.resolve(flag: nil)
        // The group shuts services down in reverse order: the main service first (it finishes
        // its work while metrics are still served), the second-signal listener last.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: SecondSignalService(logger: logger))]
            + others.map { .init(service: $0) }
            + [.init(service: main, successTerminationBehavior: .gracefullyShutdownGroup)]
        var config = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        config.maximumGracefulShutdownDuration = .milliseconds(Int(timeout * 1000))
        try await ServiceGroup(configuration: config).run()
    }
}
