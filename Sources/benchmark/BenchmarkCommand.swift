import ArgumentParser
import Foundation
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark's failures: TestSupport's error, so that a failing child, server or request
/// from there is reported the same way (a `FAIL` line on stdout when it is a check's verdict).
typealias BenchmarkError = TestSupportError

@main
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txstats-bench",
        abstract:
            "Measures the real importer and aggregator end to end against a private redis-server, and (--only api, --with-api) the dumper and the api.",
        discussion: """
            Every run starts with FLUSHALL: with --redis-url, point it at a server whose data may be wiped. \
            The api measurement always starts its own redis-server and SecantusDB (secantusd-py) and loads the api with wrk.
            """)

    @Option(help: "Rows of the generated CSV.") var rows = 1_000_000
    @Option(help: "Days the generated rows span.") var days = 30
    @Option(help: "Use this CSV instead of generating one.") var csv: String?
    @Option(help: "Directory holding the importer and aggregator executables (default: TXSTATS_BIN_DIR, else next to this one).")
    var binDir: String?
    @Option(help: "Use this Redis server (it is FLUSHALLed) instead of starting a private redis-server.") var redisURL: String?
    @Option(help: "Run each measurement this many times; report the best and the median.") var `repeat` = 1
    @Option(help: "Run only this measurement: importer, aggregator, e2e1, e2e2, e2e1-random, api or ledger.") var only: Measurement?
    @Option(help: "Seconds any one run may take before it is reported as hung.") var timeout = 600
    @Flag(
        help:
            "Also run the api measurement after the others (it runs once, with its own redis-server and SecantusDB; needs wrk and secantusd-py)."
    )
    var withApi = false
    @Flag(help: "Also run the ledger measurement (JSON items with and without ids) after the others.") var withLedger = false
    @Flag(help: "Also run the Redis Cluster measurement (one server vs a 3-master cluster, Redis CPU per transaction).")
    var withCluster = false
    @Option(help: "cluster measurement: rows of its sample CSV.") var clusterRows = 300_000
    @Option(help: "ledger measurement: JSON items per input.") var ledgerItems = 200_000
    @Option(help: "api measurement: rows generated over its 730 days.") var apiRows = 400_000
    @Option(help: "api measurement: the fixed 'today' (TXSTATS_TODAY) the data ends on, YYYY-MM-DD.") var today = "2026-11-25"
    @Option(help: "api measurement: seconds of each wrk run.") var wrkSeconds = 10

    func validate() throws {
        guard rows >= 1 else { throw ValidationError("--rows must be >= 1") }
        guard days >= 1 else { throw ValidationError("--days must be >= 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be >= 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be >= 1") }
        if let redisURL, (try? RedisURL(parsing: redisURL)) == nil {
            throw ValidationError("--redis-url must look like redis://host:port/db")
        }
        guard apiRows >= 1 else { throw ValidationError("--api-rows must be >= 1") }
        guard CivilDay.parse(today) != nil else { throw ValidationError("--today must be a date YYYY-MM-DD") }
        guard wrkSeconds >= 1 else { throw ValidationError("--wrk-seconds must be >= 1") }
        guard ledgerItems >= 100 else { throw ValidationError("--ledger-items must be >= 100") }
    }

    func run() throws {
        do {
            try benchmark()
        } catch let error as BenchmarkError {
            let text = error.description
            if text.hasPrefix("FAIL") { print(text) }
            FileHandle.standardError.write(Data("txstats-bench: \(text)\n".utf8))
            throw ExitCode.failure
        }
    }

    func benchmark() throws {
        guard let bin = binDir ?? BuiltProducts.directory else {
            throw BenchmarkError("cannot find the importer and aggregator beside this executable; pass --bin-dir")
        }
        let kinds =
            only.map { [$0] } ?? Measurement.pipeline + (withApi ? [.api] : []) + (withLedger ? [.ledger] : [])
            + (withCluster ? [.cluster] : [])
        let tools = ["importer", "aggregator"] + (kinds.contains(.api) ? ["dumper", "api", "txstats-bench-route"] : [])
        for tool in tools where access("\(bin)/\(tool)", X_OK) != 0 {
            throw BenchmarkError("no executable \(bin)/\(tool); build the package or pass --bin-dir")
        }
        let tmp = try TemporaryDirectory.create(prefix: "txstats-bench")
        defer { try? FileManager.default.removeItem(atPath: tmp) }

        let pipelineKinds = kinds.filter { $0 != .api && $0 != .ledger && $0 != .cluster }
        if !pipelineKinds.isEmpty { try pipeline(pipelineKinds, bin: bin, tmp: tmp) }
        if kinds.contains(.api) {
            let options = ApiOptions(
                binDir: bin, rows: apiRows, today: CivilDay.parse(today)!, wrkSeconds: wrkSeconds, timeout: .seconds(timeout))
            let report = try ApiBenchmark(options: options, directory: "\(tmp)/api").run()
            print(report.table())
            print(try report.json())
        }
        if kinds.contains(.cluster) {
            let dir = "\(tmp)/cluster"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let file = "\(dir)/sample.csv"
            let gen = try ChildProcess(
                "\(bin)/importer", arguments: ["generate", "--rows", String(clusterRows), "--days", "30", "--with-status", "--out", file],
                name: "importer generate", stdout: .file("\(dir)/generate.log"))
            _ = try gen.wait(timeout: .seconds(timeout))
            try gen.requireSuccess()
            let bench = ClusterBenchmark(binDir: bin, directory: dir, csv: file, rows: clusterRows, timeout: .seconds(timeout))
            print(try bench.run())
        }
        if kinds.contains(.ledger) {
            try FileManager.default.createDirectory(atPath: "\(tmp)/ledger", withIntermediateDirectories: true)
            let ledger = LedgerBenchmark(
                binDir: bin, directory: "\(tmp)/ledger", items: ledgerItems, repeats: `repeat`, timeout: .seconds(timeout))
            print(try ledger.run())
        }
    }

    /// The importer and aggregator measurements, with `--repeat`.
    func pipeline(_ kinds: [Measurement], bin: String, tmp: String) throws {
        // A private server, stopped on every path; its own peak memory goes in the report.
        let server = try redisURL == nil ? RedisServer(directory: tmp) : nil
        defer { server?.stop() }
        let url = try RedisURL(parsing: server?.urlString ?? redisURL!)

        let file: String
        if let csv {
            file = csv
        } else {
            file = "\(tmp)/sample.csv"
            progress("generating \(grouped(rows)) rows over \(days) days")
            let gen = try ChildProcess(
                "\(bin)/importer",
                arguments: ["generate", "--rows", String(rows), "--days", String(days), "--with-status", "--out", file],
                name: "importer generate", stdout: .file("\(tmp)/generate.log"))
            _ = try gen.wait(timeout: .seconds(timeout))
            try gen.requireSuccess()
        }

        let bench = Bench(
            binDir: bin, csv: file, logDir: tmp, url: url, expectedRows: csv == nil ? rows : nil,
            timeout: .seconds(timeout))
        // The same rows in random order: a time-sorted file is the friendly case, not the usual one.
        var shuffled: Bench?
        if kinds.contains(.e2eRandom) {
            let randomFile = "\(tmp)/sample-random.csv"
            try Self.shuffleRows(of: file, into: randomFile)
            shuffled = Bench(
                binDir: bin, csv: randomFile, logDir: tmp, url: url, expectedRows: csv == nil ? rows : nil,
                timeout: .seconds(timeout))
        }
        let duckdb = DuckDBReference(directory: tmp)
        var references: [String: [Double]] = [:]
        var results = kinds.map { MeasurementResult(kind: $0) }
        // Repeats interleave the measurements, so slow drift on a shared machine spreads evenly.
        for round in 1...`repeat` {
            for i in results.indices {
                let kind = results[i].kind
                let sample: Sample
                switch kind {
                case .importer: sample = try bench.importerAlone()
                case .aggregator: sample = try bench.aggregatorAlone()
                case .e2e1: sample = try bench.endToEnd(aggregators: 1)
                case .e2e2: sample = try bench.endToEnd(aggregators: 2)
                case .e2eRandom: sample = try shuffled!.endToEnd(aggregators: 1)
                case .api, .ledger, .cluster: continue // run once, by benchmark()
                }
                results[i].samples.append(sample)
                progress(
                    "\(kind.title) [\(round)/\(`repeat`)]: \(String(format: "%.3f", sample.seconds)) s, \(grouped(Int(Double(sample.rows) / sample.seconds))) rows/s, all \(grouped(sample.rows)) rows verified"
                )
            }
            // The reference, in the same round, on the same files.
            for (name, bench) in [("sorted", kinds.contains(.e2e1) ? bench : nil), ("random", shuffled)] {
                guard let bench, let s = duckdb.groupBySeconds(csv: bench.csv, timeout: .seconds(timeout)) else { continue }
                references[name, default: []].append(s)
                progress("DuckDB GROUP BY, \(name) file [\(round)/\(`repeat`)]: \(String(format: "%.3f", s)) s")
            }
        }

        let peakMemory = bench.probe.infoField("memory", "used_memory_peak_human")
        let report = Report(
            rows: results.map(\.rows).max() ?? rows, days: csv == nil ? days : nil, source: file,
            repeats: `repeat`, results: results, duckdbSeconds: references, redisPeakMemory: peakMemory,
            redisPeakRSSKiB: server?.stop().maxRSSKiB)
        print(report.table())
        print(try report.json())
    }

    /// Writes `file`'s header, then its rows in random order, reproducibly (coreutils `shuf`,
    /// its random bytes drawn from the file itself). Done in a child process: a file held in
    /// this process's memory would show in the peak RSS of every child forked after it.
    static func shuffleRows(of file: String, into out: String) throws {
        let p = try ChildProcess(
            "/bin/sh", arguments: ["-c", #"head -n 1 "$0" > "$1" && tail -n +2 "$0" | shuf --random-source="$0" >> "$1""#, file, out],
            name: "shuf", stdout: .capture, stderr: .capture)
        _ = try p.wait(timeout: .seconds(300))
        try p.requireSuccess()
    }

    func progress(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}
