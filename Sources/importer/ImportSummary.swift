import StatsCore
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// What an import did, printed at the end.
struct ImportSummary: Sendable {
    var file: String
    var source = ""
    var read = 0
    var queued = 0
    var skipped = 0
    /// Rows repeating an earlier row with the same id exactly (see ``ResendCounter``).
    var resent = 0
    var rejected: [String: Int] = [:]
    var seconds = 0.0
    var interrupted = false
    var resumedAfterLine: Int?

    var rejectedTotal: Int { rejected.values.reduce(0, +) }

    func print() {
        var lines = ["import of \(file) (source \(source)) \(interrupted ? "INTERRUPTED, resumable" : "finished")"]
        if let l = resumedAfterLine { lines.append("  resumed after line \(l); \(skipped) rows already queued before were skipped") }
        lines.append("  rows read:     \(read)")
        lines.append("  rows queued:   \(queued)")
        if resent > 0 {
            lines.append(
                "  duplicates:    \(resent) (exact resends of an earlier row's id and content; queued, counted once by the ledger)")
        }
        lines.append(
            "  rows rejected: \(rejectedTotal)\(rejected.isEmpty ? "" : " (" + rejected.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")")"
        )
        let rate = seconds > 0 ? Int(Double(read) / seconds) : 0
        lines.append("  time:          \(String(format2(seconds))) s, \(rate) rows/s")
        Console.out(lines.joined(separator: "\n") + "\n")
    }
}

/// Seconds with two decimals, without Foundation's formatter.
func format2(_ v: Double) -> String {
    let cents = Int((v * 100).rounded())
    return "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
}
