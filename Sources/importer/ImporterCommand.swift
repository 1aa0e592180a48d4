import WorkerRuntime
import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

@main
struct ImporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importer",
        abstract: "Streams transactions from CSV into the Redis queue, exactly once per source.",
        subcommands: [ImportCommand.self, GenerateCommand.self],
        defaultSubcommand: ImportCommand.self)
}

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
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.importer") {
            let settings = ImportSettings(
                core: try core.resolve(),
                file: file,
                honourSleep: !noSleep,
                restart: restart,
                sourceId: try sourceId.map { try ImportSetting.sourceId($0) },
                batchRows: try ImportSetting.batchRows.resolve(flag: batchRows),
                chunkRows: try ImportSetting.chunkRows.resolve(flag: chunkRows))
            let logger = Logger(label: "txstats.importer")
            let result = Mutex<ImportSummary?>(nil)
            let service = BlockingWorkerService(name: "importer", logger: logger) { stop in
                let summary = try ImportRun(settings: settings, logger: logger, stop: stop).run()
                result.withLock { $0 = summary }
            }
            try await WorkerServiceGroup.run(
                main: service, alongside: MetricsListener.services(portFlag: metricsPort, logger: logger), logger: logger)
            let summary = result.withLock { $0 }
            guard let summary else { throw ExitCode(1) }
            summary.print()
            if summary.interrupted { throw ExitCode(130) }
            if strict && summary.rejectedTotal > 0 { throw ExitCode(3) }
        }
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write a deterministic sample CSV in the original format.")

    @Option(help: "Number of rows.") var rows: Int
    @Option(help: "Days the rows span.") var days: Int = 30
    @Option(help: "First day, YYYY-MM-DD.") var start: String = "2026-01-01"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Output file (default standard output).") var out: String?
    @Flag(help: "Add a status column (success/failed/pending and synonyms).") var withStatus = false
    @Option(help: "Largest sleep_ms written.") var maxSleepMs: Int = 2

    func validate() throws {
        guard rows >= 0 else { throw ValidationError("--rows must be >= 0") }
        guard days >= 1 else { throw ValidationError("--days must be >= 1") }
        guard CivilDay.parse(start) != nil else { throw ValidationError("--start must be a date YYYY-MM-DD (got \(start))") }
    }

    func run() throws {
        let generator = SampleGenerator(rows: rows, days: days, start: CivilDay.parse(start)!, seed: seed,
                                        withStatus: withStatus, maxSleepMs: maxSleepMs)
        if let out {
            let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot write \(out): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try generator.write(to: fd)
        } else {
            try generator.write(to: STDOUT_FILENO)
        }
    }
}
