import ArgumentParser
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

enum Measurement: String, CaseIterable, ExpressibleByArgument, Codable {
    case importer, aggregator, e2e1, e2e2
    /// End to end with 1 aggregator on the same rows shuffled: a file in no time order.
    case e2eRandom = "e2e1-random"
    /// The api with a private redis-server and SecantusDB (ApiMeasurement.swift); in the full
    /// run only with `--with-api`.
    case api
    /// The ledger's cost (LedgerBenchmark.swift): JSON items with and without ids, its own
    /// redis-server; in the full run only with `--with-ledger`.
    case ledger
    /// Redis CPU per transaction on one server and on a Redis Cluster (ClusterBenchmark.swift);
    /// in the full run only with `--with-cluster`.
    case cluster

    /// The importer/aggregator measurements: the default full run.
    static var pipeline: [Measurement] { allCases.filter { $0 != .api && $0 != .ledger && $0 != .cluster } }

    var title: String {
        switch self {
        case .importer: "importer alone"
        case .aggregator: "aggregator alone"
        case .e2e1: "end to end, 1 aggregator"
        case .e2e2: "end to end, 2 aggregators"
        case .e2eRandom: "end to end, 1 agg, random order"
        case .api: "api (Redis + MongoDB)"
        case .ledger: "aggregator with and without ids (ledger)"
        case .cluster: "Redis Cluster: CPU per transaction"
        }
    }
}

/// One timed run: seconds, rows it covered, peak RSS (KiB) per process role.
struct Sample {
    var seconds: Double
    var rows: Int
    var peakRSS: [(role: String, kib: Int)]
}

/// Runs the real worker executables against one Redis and times them.
final class Bench {
    let binDir: String
    let csv: String
    let logDir: String
    let url: RedisURL
    let probe: QueueProbe
    let expectedRows: Int?
    let timeout: Duration
    private var launches = 0

    init(binDir: String, csv: String, logDir: String, url: RedisURL, expectedRows: Int?, timeout: Duration) {
        self.binDir = binDir
        self.csv = csv
        self.logDir = logDir
        self.url = url
        self.probe = QueueProbe(url: url)
        self.expectedRows = expectedRows
        self.timeout = timeout
    }

    func launch(_ tool: String, _ arguments: [String], name: String) throws -> ChildProcess {
        launches += 1
        return try ChildProcess(
            "\(binDir)/\(tool)", arguments: arguments, name: name,
            stdout: .file("\(logDir)/\(launches)-\(name).log"))
    }

    func startImporter() throws -> ChildProcess {
        try launch("importer", ["--no-sleep", "--redis-url", "\(url)", csv], name: "importer")
    }

    func startAggregator(id: String, drain: Bool) throws -> ChildProcess {
        try launch("aggregator", ["--worker-id", id, "--redis-url", "\(url)"] + (drain ? ["--drain"] : []), name: "aggregator-\(id)")
    }

    /// FLUSHALL, then one import of the whole file; leaves the queue full.
    func importerAlone() throws -> Sample {
        try probe.flushAll()
        let importer = try startImporter()
        _ = try importer.wait(timeout: timeout)
        try importer.requireSuccess()
        let counts = try probe.verifyImport(expectedRows: expectedRows)
        if counts.queued > 0, try probe.length(probe.keys.queue) == 0 {
            throw BenchmarkError("FAIL: importer reports \(counts.queued) rows queued but the queue is empty")
        }
        return Sample(seconds: importer.seconds!, rows: counts.read, peakRSS: [("importer", importer.exit!.maxRSSKiB)])
    }

    /// One draining aggregator over the queue left by `importerAlone` (filled first if empty).
    func aggregatorAlone() throws -> Sample {
        if try probe.length(probe.keys.queue) == 0 { _ = try importerAlone() }
        let aggregator = try startAggregator(id: "bench-1", drain: true)
        _ = try aggregator.wait(timeout: timeout)
        try aggregator.requireSuccess()
        let counts = try probe.verifyAggregates(expectedRows: expectedRows)
        return Sample(seconds: aggregator.seconds!, rows: counts.queued, peakRSS: [("aggregator", aggregator.exit!.maxRSSKiB)])
    }

    /// Aggregators first (waiting in their blocking pop), then the importer; timed from the
    /// importer's start until the queue and every in-flight list are empty, i.e. all committed.
    func endToEnd(aggregators count: Int) throws -> Sample {
        try probe.flushAll()
        let ids = (1...count).map { "e2e-\($0)" }
        let aggregators = try ids.map { try startAggregator(id: $0, drain: false) }
        try waitUntil("the aggregators to wait for work", within: .seconds(10), watching: aggregators) {
            try self.probe.blockedClients() >= count
        }

        let importer = try startImporter()
        try waitUntil("the importer to finish", within: timeout, watching: aggregators, pollMicroseconds: 1000) {
            importer.poll() != nil
        }
        try importer.requireSuccess()
        try waitUntil("the queue to drain", within: timeout, watching: aggregators, pollMicroseconds: 5000) {
            try self.probe.outstanding(workers: ids) == 0
        }
        let seconds = importer.started.duration(to: .now).seconds

        for a in aggregators { a.signal(SIGTERM) }
        for a in aggregators {
            _ = try a.wait(timeout: .seconds(30))
            try a.requireSuccess()
        }
        let counts = try probe.verifyAggregates(expectedRows: expectedRows)
        let rss =
            [("importer", importer.exit!.maxRSSKiB)]
            + aggregators.map { (count == 1 ? "aggregator" : "aggregator \($0.name.dropFirst("aggregator-".count))", $0.exit!.maxRSSKiB) }
        return Sample(seconds: seconds, rows: counts.read, peakRSS: rss)
    }

    /// Polls `done`; fails if a watched long-running process exits or time runs out.
    private func waitUntil(
        _ what: String, within limit: Duration, watching: [ChildProcess],
        pollMicroseconds: UInt32 = 5000, _ done: () throws -> Bool
    ) throws {
        let deadline = ContinuousClock.now + limit
        while try !done() {
            for p in watching {
                if let exit = p.poll() {
                    throw BenchmarkError("\(p.name) exited (\(exit)) while waiting for \(what). Log tail:\n\(p.logTail())")
                }
            }
            if ContinuousClock.now > deadline {
                let queued = (try? probe.length(probe.keys.queue)).map(String.init) ?? "?"
                throw BenchmarkError("timed out after \(limit) waiting for \(what) (queue holds \(queued) items)")
            }
            usleep(pollMicroseconds)
        }
    }
}
