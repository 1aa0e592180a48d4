import Foundation
import StatsCore

/// The api measurement's table and JSON line.
struct ApiReport {
    let options: ApiOptions
    var setup: [(step: String, seconds: Double)] = []
    var dumper: DumperOutcome?
    var checks: [AnswerCheck] = []
    var runs: [ApiRun] = []
    var apiPeakRSSKiB: Int?
    var redisPeakRSSKiB: Int?
    var mongoPeakRSSKiB: Int?
    var freshness: [FreshnessProbe.Result] = []
    /// 1-minute load average at the start and the end (the machine is shared).
    var loadAverage: [Double] = []

    var host: String { ProcessInfo.processInfo.hostName }
    var cores: Int { ProcessInfo.processInfo.activeProcessorCount }
    let date = ISO8601DateFormatter().string(from: Date())

    init(options: ApiOptions) { self.options = options }

    func run(_ name: String) -> ApiRun? { runs.first { $0.name == name } }

    /// (text, met) for the measurements that ran.
    var targets: [(String, Bool)] {
        var out: [(String, Bool)] = []
        if let r = run("recent_wrk") {
            out.append(("31-day >= 20,000 req/s at \(options.wrkConnections) connections", r.requestsPerSecond >= 20_000))
            out.append(("31-day p99 < 5 ms", r.p99ms < 5))
        }
        if let r = run("history_wrk") { out.append(("365-day p99 < 50 ms", r.p99ms < 50)) }
        for f in freshness {
            out.append(("freshness \(f.ids ? "with" : "without") ids p99 < 250 ms", percentile(f.latenciesMs, 0.99) < 250))
        }
        if let r = run("recent_wrk"), let t = run("trivial_wrk") {
            out.append(
                (
                    "31-day cached >= 0.8x trivial route (\(String(format: "%.2f", r.requestsPerSecond / t.requestsPerSecond))x)",
                    r.requestsPerSecond >= 0.8 * t.requestsPerSecond
                ))
        }
        if let r = run("recent_uncached"), let t = run("trivial_sequential") {
            out.append(
                (
                    "31-day uncached >= 0.3x trivial route (\(String(format: "%.2f", r.requestsPerSecond / t.requestsPerSecond))x)",
                    r.requestsPerSecond >= 0.3 * t.requestsPerSecond
                ))
        }
        return out
    }

    func table() -> String {
        var lines = [
            "txstats api benchmark — \(grouped(options.rows)) rows over \(options.days) days (\(options.firstDay) … \(options.today)), "
                + "today \(options.today), cut-off \(options.cutoffDays) days, \(host), \(cores) cores, \(date)"
        ]
        lines.append(
            "setup: " + setup.map { "\($0.step) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", ")
                + " (all \(grouped(options.rows)) rows verified in Redis)")
        if let d = dumper {
            lines.append(
                "dumper --once: \(grouped(d.documents)) day documents (\(options.days) days × 2 types) in \(String(format: "%.3f", d.seconds)) s"
                    + " = \(grouped(Int(d.documentsPerSecond))) documents/s, wall time of the whole process; the same pass retired"
                    + " \(d.daysRetired) days before the cut-off from Redis (\(d.daysKeptInRedis) kept); peak RSS \(String(format: "%.1f", mb(d.peakRSSKiB))) MB"
            )
        }
        lines.append(
            pad("measurement", 56, left: true) + pad("requests", 10) + pad("req/s", 10) + pad("p50 ms", 9) + pad("p99 ms", 9)
                + pad("max ms", 9))
        for r in runs {
            var line = pad(r.title, 56, left: true) + pad(grouped(r.requests), 10) + pad(grouped(Int(r.requestsPerSecond.rounded())), 10)
            line += pad(ms(r.p50ms), 9) + pad(ms(r.p99ms), 9) + pad(ms(r.maxMs), 9)
            if r.socketErrors > 0 { line += "   socket errors \(r.socketErrors)" }
            lines.append(line)
        }
        for r in runs where !r.cpuSeconds.isEmpty && r.wallSeconds > 0 {
            let parts = r.cpuSeconds.sorted { $0.value > $1.value }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }
            let cores = r.cpuSeconds.values.reduce(0, +) / r.wallSeconds
            lines.append(
                "  CPU s in \(r.name) (\(String(format: "%.1f", r.wallSeconds)) s wall): " + parts.joined(separator: ", ")
                    + " = \(String(format: "%.2f", cores)) cores busy")
        }
        if !runs.isEmpty {
            lines.append(
                "wrk rows: \(runs.first { $0.name.hasSuffix("_wrk") }?.method ?? "wrk") for \(options.wrkSeconds) s after one warm-up request;"
                    + " the api answers from its per-data-version cache. Uncached rows: INCR {TransactionQueue}:version before each request."
            )
        }
        for c in checks {
            lines.append(
                "answer \(c.name) \(c.from)..\(c.to): total \(money(c.totalCents)) = CSV \(money(c.expectedCents)) (every day/type/method exact),"
                    + " \(grouped(c.bytes)) bytes, first (cold) request \(ms(c.firstRequestMs)) ms")
        }
        for f in freshness {
            let l = f.latenciesMs
            lines.append(
                "freshness, LPUSH to visible in /stats: \(grouped(Int(f.offeredPerSecond))) JSON transactions/s offered (\(f.ids ? "with" : "without") ids), \(l.count) chunks:"
                    + " p50 \(ms(percentile(l, 0.5))) ms, p99 \(ms(percentile(l, 0.99))) ms, max \(ms(l.last ?? 0)) ms (\(f.polls) polls of /stats)"
            )
        }
        var rss: [String] = []
        if let k = apiPeakRSSKiB { rss.append("api \(String(format: "%.1f", mb(k)))") }
        if let k = redisPeakRSSKiB { rss.append("redis-server \(String(format: "%.1f", mb(k)))") }
        if let k = mongoPeakRSSKiB { rss.append("secantusd \(String(format: "%.1f", mb(k)))") }
        if !rss.isEmpty { lines.append("peak RSS (MB): " + rss.joined(separator: ", ")) }
        if !loadAverage.isEmpty {
            lines.append(
                "1-min load average (other work on this shared machine shows here): "
                    + loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " at the start, ") + " at the end")
        }
        lines.append("targets: " + targets.map { "\($0.0) \($0.1 ? "(met)" : "(MISSED)")" }.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        struct Run: Encodable {
            var name: String, title: String, method: String, requests: Int
            var requestsPerS: Double, p50Ms: Double, p99Ms: Double, maxMs: Double, socketErrors: Int
            var wallSeconds: Double, cpuSeconds: [String: Double]
        }
        struct Dumper: Encodable {
            var documents: Int, seconds: Double, documentsPerS: Double, daysRetired: Int, daysKeptInRedis: Int, peakRssMb: Double
        }
        struct Check: Encodable {
            var name: String, from: String, to: String, total: String, expectedFromCsv: String, bytes: Int, firstRequestMs: Double
        }
        struct Root: Encodable {
            var measurement = "api"
            var rows: Int, days: Int, today: String, cutoffDays: Int, host: String, cores: Int, date: String
            var setupSeconds: [String: Double]
            var dumper: Dumper?
            var results: [Run]
            var checks: [Check]
            var peakRssMb: [String: Double]
            var loadAverage: [Double]
            var targets: [String: Bool]
        }
        var rss: [String: Double] = [:]
        if let k = apiPeakRSSKiB { rss["api"] = round1(mb(k)) }
        if let k = redisPeakRSSKiB { rss["redis-server"] = round1(mb(k)) }
        if let k = mongoPeakRSSKiB { rss["secantusd"] = round1(mb(k)) }
        let root = Root(
            rows: options.rows, days: options.days, today: "\(options.today)", cutoffDays: options.cutoffDays, host: host, cores: cores,
            date: date,
            setupSeconds: Dictionary(uniqueKeysWithValues: setup.map { ($0.step, round3($0.seconds)) }),
            dumper: dumper.map {
                Dumper(
                    documents: $0.documents, seconds: round3($0.seconds), documentsPerS: round1($0.documentsPerSecond),
                    daysRetired: $0.daysRetired, daysKeptInRedis: $0.daysKeptInRedis, peakRssMb: round1(mb($0.peakRSSKiB)))
            },
            results: runs.map {
                Run(
                    name: $0.name, title: $0.title, method: $0.method, requests: $0.requests,
                    requestsPerS: round1($0.requestsPerSecond), p50Ms: round3($0.p50ms), p99Ms: round3($0.p99ms),
                    maxMs: round3($0.maxMs), socketErrors: $0.socketErrors,
                    wallSeconds: round3($0.wallSeconds), cpuSeconds: $0.cpuSeconds.mapValues(round3))
            },
            checks: checks.map {
                Check(
                    name: $0.name, from: $0.from, to: $0.to, total: money($0.totalCents, grouping: false),
                    expectedFromCsv: money($0.expectedCents, grouping: false), bytes: $0.bytes,
                    firstRequestMs: round3($0.firstRequestMs))
            },
            peakRssMb: rss,
            loadAverage: loadAverage,
            targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.0, $0.1) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase // the report's keys are snake_case
        return String(decoding: try encoder.encode(root), as: UTF8.self)
    }

    private func ms(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : "%.1f", v) }
}

/// Cents as exact decimal text: 123456789 -> "1,234,567.89" (or "1234567.89").
func money(_ cents: Int64, grouping: Bool = true) -> String {
    let whole = Int(cents.magnitude / 100)
    let fraction = Int(cents.magnitude % 100)
    return (cents < 0 ? "-" : "") + (grouping ? grouped(whole) : String(whole)) + "." + (fraction < 10 ? "0" : "") + String(fraction)
}

/// The 1-minute load average from /proc/loadavg.
func loadAverage1() -> Double? {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
}
