import Logging
import StatsCore
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A progress bar on a terminal, periodic log lines otherwise.
struct Progress {
    let total: Int?
    let isTerminal = isatty(STDERR_FILENO) == 1
    let started = ContinuousClock.now
    var lastShown = ContinuousClock.now
    var logger: Logger

    init(total: Int?, logger: Logger) {
        self.total = total
        self.logger = logger
    }

    mutating func update(bytes: Int, rows: Int, force: Bool = false) {
        let now = ContinuousClock.now
        let every: Duration = isTerminal ? .milliseconds(200) : .seconds(5)
        guard force || now - lastShown >= every else { return }
        lastShown = now
        let elapsed = Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds)
        let rate = elapsed > 0 ? Double(rows) / elapsed : 0
        var fraction: Double?
        if let total, total > 0 { fraction = min(1, Double(bytes) / Double(total)) }
        let eta = fraction.flatMap { f in f > 0 ? elapsed * (1 - f) / f : nil }
        if isTerminal {
            var line = "\r"
            if let fraction {
                let width = 30
                let filled = Int(fraction * Double(width))
                line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                line += "\(format1(fraction * 100))% "
            }
            line += "\(rows) rows, \(Int(rate)) rows/s"
            if let eta { line += ", ETA \(Int(eta.rounded()))s" }
            Console.err(line + "   ")
        } else {
            var meta: Logger.Metadata = ["rows": "\(rows)", "rows_per_s": "\(Int(rate))"]
            if let fraction { meta["percent"] = "\(format1(fraction * 100))" }
            if let eta { meta["eta_s"] = "\(Int(eta.rounded()))" }
            logger.info("import progress", metadata: meta)
        }
    }

    func finish() {
        if isTerminal { Console.err("\n") }
    }
}

func format1(_ v: Double) -> String {
    let t = Int((v * 10).rounded())
    return "\(t / 10).\(t % 10)"
}
