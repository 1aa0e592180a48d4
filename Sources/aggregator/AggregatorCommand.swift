import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore
import WorkerRuntime

@main
struct AggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Moves transactions from the Redis queue into exact per-day/hour aggregates, exactly once.")

    @OptionGroup var core: CoreOptions

    @Option(name: MetricsSetting.port.argumentName, help: MetricsSetting.port.help)
    var metricsPort: String?

    @Option(name: AggregatorSetting.workerId.argumentName, help: AggregatorSetting.workerId.help)
    var workerId: String?

    @Option(name: AggregatorSetting.batchRows.argumentName, help: AggregatorSetting.batchRows.help)
    var batchRows: String?

    @Option(name: AggregatorSetting.batchItems.argumentName, help: AggregatorSetting.batchItems.help)
    var batchItems: String?

    @Option(name: AggregatorSetting.batchMilliseconds.argumentName, help: AggregatorSetting.batchMilliseconds.help)
    var batchMs: String?

    @Option(name: AggregatorSetting.heartbeatTimeout.argumentName, help: AggregatorSetting.heartbeatTimeout.help)
    var heartbeatTimeout: String?

    @Option(name: AggregatorSetting.partitions.argumentName, help: AggregatorSetting.partitions.help)
    var partitions: String?

    @Flag(help: "Exit 0 once the queue and every in-flight list are empty (batch runs, tests, benchmarks).")
    var drain = false

    func run() async throws {
        try await WorkerMain.run("aggregator", metricsPort: metricsPort) { logger in
            var settings = try AggregatorSettings(
                core: core.resolve(),
                workerId: AggregatorSetting.workerId.resolve(flag: workerId),
                batchRows: AggregatorSetting.batchRows.resolve(flag: batchRows),
                batchItems: AggregatorSetting.batchItems.resolve(flag: batchItems),
                batchMilliseconds: AggregatorSetting.batchMilliseconds.resolve(flag: batchMs),
                heartbeatTimeout: AggregatorSetting.heartbeatTimeout.resolve(flag: heartbeatTimeout),
                drain: drain)
            if let text = try AggregatorSetting.partitions.resolve(flag: partitions) {
                guard let pinned = PartitionAssignment.parse(text, count: settings.core.partitions) else {
                    throw ConfigError(
                        setting: AggregatorSetting.partitions.name,
                        problem: "is \"\(text)\"; expected partition numbers below TXSTATS_PARTITIONS (\(settings.core.partitions))")
                }
                settings.pinned = pinned
            }
            let fixed = settings
            return { stop in try AggregatorFleet(settings: fixed, logger: logger, stop: stop).run() }
        }
    }
}
