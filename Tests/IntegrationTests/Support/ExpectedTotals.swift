import Foundation

/// One aggregate cell, named in plain strings so that the expected side shares no code with
/// the system under test.
struct Cell: Hashable, CustomStringConvertible {
    var day: String
    var type: String // deposits | withdrawals
    var method: String
    var status: String // success | failed | pending
    var hour: Int
    var description: String { "\(day) \(type) \(method) \(status) h\(hour)" }
}

struct Tally: Equatable, CustomStringConvertible {
    var count = 0
    var amount: Int64 = 0
    var description: String { "n=\(count) a=\(amount)" }
}

/// Computes exact totals from a clean CSV independently of StatsCore: plain string splitting,
/// Foundation's calendar for the time zone, integer cents.
enum ExpectedTotals {
    static func compute(csv path: String, timeZone: String = "UTC", skipLines: Set<Int> = []) throws -> [Cell: Tally] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        func col(_ n: String) -> Int? { header.firstIndex(of: n) }
        let ts = col("timestamp")!
        let type = col("type")!
        let method = col("payment_method")!
        let amount = col("amount")!
        let status = col("status")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone)!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        var result: [Cell: Tally] = [:]
        for (i, line) in lines.enumerated() where !line.isEmpty && !skipLines.contains(i + 2) {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard var date = formatter.date(from: f[ts]) else { throw TestFailure("expected-side parser: bad timestamp \(f[ts])") }
            // A wall time that occurs twice (the hour a DST clock falls back) means its earlier
            // instant, as documented; Foundation's formatter may pick the later one.
            if formatter.string(from: date.addingTimeInterval(-3600)) == f[ts] { date = date.addingTimeInterval(-3600) }
            let start = calendar.startOfDay(for: date)
            let c = calendar.dateComponents([.year, .month, .day], from: start)
            let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let hour = Int(date.timeIntervalSince(start)) / 3600
            let st: String
            switch status.map({ f[$0].lowercased() }) ?? "" {
            case "", "success", "completed": st = "success"
            case "failed", "rejected": st = "failed"
            case "pending": st = "pending"
            case let other: throw TestFailure("expected-side parser: status \(other)")
            }
            let parts = f[amount].split(separator: ".")
            let cents = Int64(parts[0])! * 100 + (parts.count > 1 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0)
            let cell = Cell(day: day, type: f[type] == "deposit" ? "deposits" : "withdrawals", method: f[method], status: st, hour: hour)
            result[cell, default: Tally()].count += 1
            result[cell, default: Tally()].amount += cents
        }
        return result
    }

    /// A readable list of the first differences, or nil when equal.
    static func diff(_ actual: [Cell: Tally], _ expected: [Cell: Tally], limit: Int = 10) -> String? {
        var problems: [String] = []
        for key in Set(actual.keys).union(expected.keys).sorted(by: { $0.description < $1.description }) {
            let a = actual[key] ?? Tally()
            let e = expected[key] ?? Tally()
            if a != e { problems.append("\(key): got \(a), expected \(e)") }
        }
        guard !problems.isEmpty else { return nil }
        return "\(problems.count) cells differ:\n" + problems.prefix(limit).joined(separator: "\n")
    }
}
