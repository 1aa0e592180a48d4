import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore
import WorkerRuntime

@main
struct DumperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dumper",
        abstract: "Copies changed daily aggregates from Redis into MongoDB and retires old days from Redis.")

    @OptionGroup var core: CoreOptions

    @Option(name: MetricsSetting.port.argumentName, help: MetricsSetting.port.help)
    var metricsPort: String?
    @OptionGroup var history: HistoryOptions

    @Option(name: DumperSetting.interval.argumentName, help: DumperSetting.interval.help)
    var interval: String?

    @Option(name: DumperSetting.dumperId.argumentName, help: DumperSetting.dumperId.help)
    var dumperId: String?

    @Flag(help: "Run one pass, then exit (cron, tests, the demo).")
    var once = false

    func run() async throws {
        try await WorkerMain.run("dumper", metricsPort: metricsPort) { logger in
            let settings = DumperSettings(
                core: try core.resolve(),
                history: try history.resolve(),
                interval: try DumperSetting.interval.resolve(flag: interval),
                dumperId: try DumperSetting.dumperId.resolve(flag: dumperId),
                once: once)
            return { stop in try DumperWorker(settings: settings, logger: logger, stop: stop).run() }
        }
    }
}
