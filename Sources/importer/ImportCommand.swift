import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore
import Synchronization
import WorkerRuntime

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a CSV file (or - for standard input).")

    @OptionGroup var core: CoreOptions

    @Option(name: MetricsSetting.port.argumentName, help: MetricsSetting.port.help)
    var metricsPort: String?

    @Argument(help: "CSV file with a header: timestamp,type,payment_method,amount[,status][,id][,sleep_ms]; - for standard input.")
    var file: String

    @Flag(help: "Ignore sleep_ms and import at full speed (by default each row waits its sleep_ms, replaying the recorded pace).")
    var noSleep = false

    @Flag(help: "Exit non-zero (3) if any row was rejected.")
    var strict = false

    @Flag(help: "Import the source again from its first row, on purpose, even though it was imported before.")
    var restart = false

    @Option(help: "Name of this source for resuming (default: a fingerprint of its header and first row).")
    var sourceId: String?

    @Option(name: ImportSetting.batchRows.argumentName, help: ImportSetting.batchRows.help)
    var batchRows: String?

    @Option(name: ImportSetting.chunkRows.argumentName, help: ImportSetting.chunkRows.help)
    var chunkRows: String?

    func run() async throws {
        let result = Mutex<ImportSummary?>(nil)
        try await WorkerMain.run("importer", metricsPort: metricsPort) { logger in
            let settings = ImportSettings(
                core: try core.resolve(),
                file: file,
                honourSleep: !noSleep,
                restart: restart,
                sourceId: try sourceId.map { try ImportSetting.sourceId($0) },
                batchRows: try ImportSetting.batchRows.resolve(flag: batchRows),
                chunkRows: try ImportSetting.chunkRows.resolve(flag: chunkRows))
            return { stop in
                let summary = try ImportRun(settings: settings, logger: logger, stop: stop).run()
                result.withLock { $0 = summary }
            }
        }
        guard let summary = result.withLock({ $0 }) else { throw ExitCode(1) }
        summary.print()
        if summary.interrupted { throw ExitCode(130) }
        if strict && summary.rejectedTotal > 0 { throw ExitCode(3) }
    }
}
