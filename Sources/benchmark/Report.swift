import Foundation
import StatsCore

/// The samples of one measurement, summarised as best and median.
struct MeasurementResult {
    let kind: Measurement
    var samples: [Sample] = []

    var rows: Int { samples.map(\.rows).max() ?? 0 }
    var bestSeconds: Double { samples.map(\.seconds).min() ?? 0 }
    var medianSeconds: Double {
        let s = samples.map(\.seconds).sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var bestRate: Double { rate(bestSeconds) }
    var medianRate: Double { rate(medianSeconds) }
    func rate(_ seconds: Double) -> Double { seconds > 0 ? Double(rows) / seconds : 0 }

    /// Largest peak RSS per role over all repeats, in first-seen role order.
    var peakRSS: [(role: String, kib: Int)] {
        var out: [(role: String, kib: Int)] = []
        for sample in samples {
            for (role, kib) in sample.peakRSS {
                if let i = out.firstIndex(where: { $0.role == role }) { out[i].kib = max(out[i].kib, kib) } else { out.append((role, kib)) }
            }
        }
        return out
    }
}

struct Report {
    var rows: Int
    var days: Int?
    var source: String
    var repeats: Int
    var results: [MeasurementResult]
    /// DuckDB GROUP BY seconds per file ("sorted", "random"), one per round.
    var duckdbSeconds: [String: [Double]] = [:]
    var redisPeakMemory: String?
    var redisPeakRSSKiB: Int?

    static let rssLimitMB = 64.0
    var host: String { ProcessInfo.processInfo.hostName }
    var cores: Int { ProcessInfo.processInfo.activeProcessorCount }
    let date = ISO8601DateFormatter().string(from: Date())

    func result(_ kind: Measurement) -> MeasurementResult? { results.first { $0.kind == kind } }

    /// Targets of the measurements that ran: (text, met).
    var targets: [(String, Bool)] {
        var out: [(String, Bool)] = []
        if let r = result(.e2e1) { out.append(("e2e(1 agg) >= 1,000,000 rows/s", r.bestRate >= 1_000_000)) }
        if let r = result(.aggregator) { out.append(("aggregator alone >= 2,000,000 items/s", r.bestRate >= 2_000_000)) }
        if let r = result(.e2e1), let q = duckdbRatio(r, "sorted") { out.append(("e2e sorted >= 0.3x DuckDB", q >= 0.3)) }
        if let r = result(.e2eRandom), let q = duckdbRatio(r, "random") { out.append(("e2e random order >= 0.17x DuckDB", q >= 0.17)) }
        let worst = results.flatMap(\.peakRSS).map(\.kib).max() ?? 0
        out.append(("RSS < 64 MB", mb(worst) < Self.rssLimitMB))
        return out
    }

    /// DuckDB's rows/s on a file: its best round (the reference at its fastest: the harder ratio).
    func duckdbRate(_ file: String) -> Double? {
        guard let best = duckdbSeconds[file]?.min(), best > 0 else { return nil }
        return Double(rows) / best
    }

    /// The measurement's best rate over DuckDB's best on the same file.
    func duckdbRatio(_ r: MeasurementResult, _ file: String) -> Double? {
        duckdbRate(file).map { r.bestRate / $0 }
    }

    func table() -> String {
        let what = days.map { "\(grouped(rows)) rows, \($0) days" } ?? "\(grouped(rows)) rows from \(source)"
        var lines = [
            "txstats benchmark — \(what), \(host), \(cores) cores, \(date)" + (repeats > 1 ? ", best and median of \(repeats)" : "")
        ]
        let medianHeader = repeats > 1 ? pad("median", 12) : ""
        lines.append(pad("measurement", 27, left: true) + pad("rows/s", 12) + medianHeader + pad("seconds", 10) + "   peak RSS (MB)")
        for r in results {
            var line = pad(r.kind.title, 27, left: true) + pad(grouped(Int(r.bestRate)), 12)
            if repeats > 1 { line += pad(grouped(Int(r.medianRate)), 12) }
            line += pad(String(format: "%.3f", r.bestSeconds), 10) + "   " + rssText(r.peakRSS)
            lines.append(line)
        }
        for (kind, file) in [(Measurement.e2e1, "sorted"), (.e2eRandom, "random")] {
            guard let rate = duckdbRate(file) else { continue }
            let ratio =
                result(kind).flatMap { duckdbRatio($0, file) }.map { ", \(kind.title) / DuckDB = " + String(format: "%.3f", $0) } ?? ""
            lines.append("DuckDB GROUP BY, \(file) file: \(grouped(Int(rate))) rows/s (best of \(duckdbSeconds[file]!.count))\(ratio)")
        }
        if redisPeakMemory != nil || redisPeakRSSKiB != nil {
            var parts: [String] = []
            if let m = redisPeakMemory { parts.append("used_memory_peak \(m)") }
            if let k = redisPeakRSSKiB { parts.append("peak RSS \(String(format: "%.1f", mb(k))) MB") }
            lines.append("redis-server: " + parts.joined(separator: ", "))
        }
        lines.append("targets: " + targets.map { "\($0.0) \($0.1 ? "(met)" : "(MISSED)")" }.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        struct Entry: Encodable {
            var name: String, title: String, rows: Int
            var rowsPerSBest: Int, rowsPerSMedian: Int
            var secondsBest: Double, secondsMedian: Double, secondsAll: [Double]
            var peakRssMb: [String: Double]
        }
        struct Root: Encodable {
            var rows: Int, days: Int?, source: String, host: String, cores: Int, date: String, `repeat`: Int
            var results: [Entry]
            var redisUsedMemoryPeak: String?, redisPeakRssMb: Double?
            var duckdbSeconds: [String: [Double]]
            var targets: [String: Bool]
        }
        let root = Root(
            rows: rows, days: days, source: source, host: host, cores: cores, date: date, repeat: repeats,
            results: results.map { r in
                Entry(
                    name: r.kind.rawValue, title: r.kind.title, rows: r.rows,
                    rowsPerSBest: Int(r.bestRate), rowsPerSMedian: Int(r.medianRate),
                    secondsBest: round3(r.bestSeconds), secondsMedian: round3(r.medianSeconds),
                    secondsAll: r.samples.map { round3($0.seconds) },
                    peakRssMb: Dictionary(uniqueKeysWithValues: r.peakRSS.map { ($0.role, round1(mb($0.kib))) }))
            },
            redisUsedMemoryPeak: redisPeakMemory, redisPeakRssMb: redisPeakRSSKiB.map { round1(mb($0)) },
            duckdbSeconds: duckdbSeconds.mapValues { $0.map(round3) },
            targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.0, $0.1) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase // the report's keys are snake_case
        return String(decoding: try encoder.encode(root), as: UTF8.self)
    }

    private func rssText(_ rss: [(role: String, kib: Int)]) -> String {
        let aggregators = rss.filter { $0.role.hasPrefix("aggregator ") }
        var parts = rss.filter { !$0.role.hasPrefix("aggregator ") }.map { "\($0.role) \(String(format: "%.1f", mb($0.kib)))" }
        if !aggregators.isEmpty {
            parts.append("aggregators " + aggregators.map { String(format: "%.1f", mb($0.kib)) }.joined(separator: "/"))
        }
        return parts.joined(separator: ", ")
    }
}

func mb(_ kib: Int) -> Double { Double(kib) / 1024 }
func round1(_ v: Double) -> Double { (v * 10).rounded() / 10 }
func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

/// 1234567 -> "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? s + fill : fill + s
}
