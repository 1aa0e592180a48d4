import ArgumentParser
import StatsCore
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write a deterministic sample CSV in the original format.")

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
        let generator = SampleGenerator(
            rows: rows, days: days, start: CivilDay.parse(start)!, seed: seed,
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
