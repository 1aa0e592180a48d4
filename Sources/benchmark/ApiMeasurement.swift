import Foundation
import Mongo
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Settings of the api measurement (`--only api`, or `--with-api` in the full run).
struct ApiOptions {
    var binDir: String
    var rows = 400_000
    var days = 730
    var today: CivilDay
    var cutoffDays = 40
    var wrkThreads = 2
    var wrkConnections = 50
    var wrkSeconds = 10
    var uncachedHistoryRequests = 30
    var uncachedRecentRequests = 200
    var freshnessRate = 100_000
    var freshnessSeconds = 5.0
    var timeout: Duration

    var firstDay: CivilDay { today.adding(days: -(days - 1)) }
    /// 31 days, all from the cut-off on: served from Redis.
    var recent: (from: CivilDay, to: CivilDay) { (today.adding(days: -30), today) }
    /// 365 days, all before the cut-off: served from MongoDB.
    var history: (from: CivilDay, to: CivilDay) { (firstDay, firstDay.adding(days: 364)) }
}

/// Latencies of one series of requests.
struct ApiRun: Codable {
    var name: String
    var title: String
    var method: String
    var requests: Int
    var requestsPerSecond: Double
    var p50ms: Double
    var p99ms: Double
    var maxMs: Double
    var socketErrors = 0
    /// Wall time of the series, and CPU seconds each process used in it.
    var wallSeconds = 0.0
    var cpuSeconds: [String: Double] = [:]
}

struct DumperOutcome: Codable {
    var documents: Int
    var seconds: Double
    var daysRetired: Int
    var daysKeptInRedis: Int
    var peakRSSKiB: Int
    var documentsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}

struct AnswerCheck: Codable {
    var name: String
    var from: String
    var to: String
    var totalCents: Int64
    var expectedCents: Int64
    var bytes: Int
    var firstRequestMs: Double
}

/// Starts a private redis-server and SecantusDB, fills them with two years of data through the
/// real importer, aggregator and dumper, then loads the real api with wrk and with uncached
/// single requests. Every process it starts is stopped on every path.
final class ApiBenchmark {
    let options: ApiOptions
    let dir: String
    private var env: [String: String] = [:]
    private var launches = 0

    init(options: ApiOptions, directory: String) {
        self.options = options
        self.dir = directory
    }

    func run() throws -> ApiReport {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let redis = try RedisServer(directory: dir)
        defer { redis.stop() }
        let mongo = try MongoServer(
            storage: "\(dir)/mongo-data",
            executable: Executables.locate("secantusd-py", overrideVariable: "TXSTATS_BENCH_MONGOD", hint: "pip install SecantusDB"))
        defer { mongo.stop() }
        let database = "txstats_bench"
        env = [
            "REDIS_URL": redis.urlString, "MONGODB_URI": mongo.uri, "MONGODB_DATABASE": database,
            "TXSTATS_QUEUE": "TransactionQueue", "TXSTATS_TIMEZONE": "UTC", "TXSTATS_CURRENCY": "USD",
            "TXSTATS_TODAY": "\(options.today)", "TXSTATS_CUTOFF_DAYS": String(options.cutoffDays), "LOG_LEVEL": "info",
        ]
        let probe = QueueProbe(url: try RedisURL(parsing: redis.urlString))
        var report = ApiReport(options: options)
        if let l = loadAverage1() { report.loadAverage.append(l) }

        // 1. Two years of data, imported and aggregated.
        let csv = "\(dir)/api-sample.csv"
        progress("api: generating \(grouped(options.rows)) rows over \(options.days) days from \(options.firstDay)")
        report.setup.append(
            (
                "generate",
                try runToEnd(
                    "importer",
                    [
                        "generate", "--rows", String(options.rows), "--days", String(options.days),
                        "--start", "\(options.firstDay)", "--with-status", "--out", csv,
                    ],
                    name: "generate"
                ).seconds!
            ))
        report.setup.append(("import", try runToEnd("importer", ["--no-sleep", csv], name: "importer").seconds!))
        report.setup.append(
            ("aggregate", try runToEnd("aggregator", ["--drain", "--worker-id", "api-bench"], name: "aggregator").seconds!))
        _ = try probe.verifyAggregates(expectedRows: options.rows)
        let check = try StatsCheck(csv: csv)

        // 2. One dumper pass: every day/type to MongoDB, days before the cut-off out of Redis.
        let dirty = try int(probe.redis.run("SCARD", probe.keys.dirty))
        progress("api: dumper --once, \(grouped(dirty)) day documents")
        let dumper = try runToEnd("dumper", ["--once"], name: "dumper")
        // A client of its own, released before the server stops.
        let documents = try {
            try MongoClient(uri: mongo.uri, database: database, appName: "txstats-bench").count(HistorySettings.collection, filter: [:])
        }()
        let dirtyLeft = try int(probe.redis.run("SCARD", probe.keys.dirty))
        let kept = try int(probe.redis.run("ZCARD", probe.keys.days))
        let retired = try int(probe.redis.run("SCARD", probe.keys.archived))
        guard documents == dirty, documents == options.days * 2, dirtyLeft == 0, kept == options.cutoffDays + 1,
            kept + retired == options.days
        else {
            throw BenchmarkError(
                "FAIL: after the dumper: \(documents) documents (expected \(options.days * 2)), \(dirtyLeft) day/types still dirty, \(kept) days kept in Redis (expected \(options.cutoffDays + 1)), \(retired) retired. Log tail:\n\(dumper.logTail())"
            )
        }
        report.dumper = DumperOutcome(
            documents: documents, seconds: dumper.seconds!, daysRetired: retired, daysKeptInRedis: kept,
            peakRSSKiB: dumper.exit!.maxRSSKiB)
        progress("api: dumper wrote \(documents) documents in \(String(format: "%.3f", dumper.seconds!)) s, retired \(retired) days")

        // 3. The api, warmed up and checked once per URL, then loaded.
        let (api, port) = try startApi()
        defer { api.terminate() }
        let recentPath = "/stats?from_date=\(options.recent.from)&to_date=\(options.recent.to)"
        let historyPath = "/stats?from_date=\(options.history.from)&to_date=\(options.history.to)"
        var bodies: [String: String] = [:]
        for (name, path, range) in [("31-day", recentPath, options.recent), ("365-day", historyPath, options.history)] {
            let started = ContinuousClock.now
            let answer = try LoopbackHTTP.get(port: port, path)
            let ms = (ContinuousClock.now - started).seconds * 1000
            guard answer.status == 200 else {
                throw BenchmarkError("FAIL: GET \(path) answered \(answer.status): \(answer.body.prefix(300))")
            }
            let totals = try check.verify(body: answer.body, from: "\(range.from)", to: "\(range.to)", what: name)
            report.checks.append(
                AnswerCheck(
                    name: name, from: "\(range.from)", to: "\(range.to)", totalCents: totals.total,
                    expectedCents: totals.expected, bytes: answer.body.utf8.count, firstRequestMs: ms))
            bodies[path] = answer.body
        }

        let servers = [("api", api), ("redis-server", redis.process), ("secantusd", mongo.process)]
        let wrk = try Wrk(threads: options.wrkThreads, connections: options.wrkConnections, seconds: options.wrkSeconds)
        // Issue 4's views: this month (all within the cut-off: Redis) and a 30-day comparison
        // (60 days: the older ones from MongoDB when the cut-off is under 60 days).
        let month = String(options.today.description.prefix(7))
        let monthlyPath = "/api/v1/stats/monthly?month=\(month)"
        let comparePath = "/api/v1/stats/compare?period=30d"
        for path in [monthlyPath, comparePath] {
            let answer = try LoopbackHTTP.get(port: port, path)
            guard answer.status == 200 else {
                throw BenchmarkError("FAIL: GET \(path) answered \(answer.status): \(answer.body.prefix(300))")
            }
        }
        for (name, title, path) in [
            ("recent_wrk", "31-day range, Redis", recentPath), ("history_wrk", "365-day range, MongoDB", historyPath),
            ("monthly_wrk", "monthly \(month), Redis", monthlyPath), ("compare_wrk", "compare 30d, Redis+MongoDB", comparePath),
        ] {
            progress("api: \(wrk.commandLine) \(path)")
            let run = try load(
                wrk, name: name, title: "\(title), wrk -c\(options.wrkConnections), cached", port: port, path: path, processes: servers)
            try requireRunning(api)
            report.runs.append(run)
        }

        // The reference: a trivial Hummingbird route answering the 31-day answer's bytes, loaded
        // by the same wrk in the same run, then asked one request at a time like the uncached rows.
        let bodyFile = "\(dir)/recent-body.json"
        try bodies[recentPath]!.write(toFile: bodyFile, atomically: true, encoding: .utf8)
        let routePort = try Loopback.freePort()
        let route = try launch("txstats-bench-route", [String(routePort), bodyFile], name: "trivial-route")
        defer { _ = route.terminate() }
        try LoopbackHTTP.waitUntilOK(port: routePort, path: recentPath, process: route)
        guard try LoopbackHTTP.get(port: routePort, recentPath).body == bodies[recentPath]! else {
            throw BenchmarkError("FAIL: the trivial route does not answer the api's bytes")
        }
        progress("api: \(wrk.commandLine) trivial Hummingbird route, same bytes")
        report.runs.append(
            try load(
                wrk, name: "trivial_wrk", title: "trivial Hummingbird route, same bytes, wrk -c\(options.wrkConnections)",
                port: routePort, path: recentPath, processes: [("trivial-route", route)]))
        report.runs.append(
            try oneAtATime(
                name: "trivial_sequential", title: "trivial Hummingbird route, same bytes", method: "50 ms apart",
                path: recentPath, count: options.uncachedRecentRequests, port: routePort, expectedBody: bodies[recentPath]!))

        for (name, title, path, count) in [
            ("history_uncached", "365-day range, MongoDB, uncached", historyPath, options.uncachedHistoryRequests),
            ("recent_uncached", "31-day range, Redis, uncached", recentPath, options.uncachedRecentRequests),
        ] {
            progress("api: \(count) uncached requests, one at a time: \(path)")
            let before = cpu(servers)
            let started = ContinuousClock.now
            // The api polls the version every 20 ms: each request waits past that, so it must miss.
            var run = try oneAtATime(
                name: name, title: title, method: "INCR {TransactionQueue}:version and 50 ms before each", path: path,
                count: count, port: port, expectedBody: bodies[path]!
            ) { try probe.redis.run("INCR", probe.keys.version).check() }
            run.wallSeconds = (ContinuousClock.now - started).seconds
            run.cpuSeconds = cpu(servers, since: before)
            report.runs.append(run)
        }

        // Freshness: a JSON producer at the offered rate, one aggregator, /stats polled.
        do {
            let aggregator = try launch("aggregator", ["--worker-id", "fresh"], name: "aggregator-fresh")
            defer { _ = aggregator.terminate() }
            try LoopbackHTTP.waitUntilOK(port: port, process: api)
            for ids in [true, false] {
                progress(
                    "api: freshness, \(grouped(options.freshnessRate)) JSON transactions/s \(ids ? "with" : "without") ids for \(options.freshnessSeconds) s"
                )
                let probeRun = FreshnessProbe(
                    redisURL: try RedisURL(parsing: redis.urlString), apiPort: port, day: options.today, rate: options.freshnessRate,
                    seconds: options.freshnessSeconds, ids: ids)
                report.freshness.append(try probeRun.run())
            }
            try requireRunning(aggregator)
        }

        if let l = loadAverage1() { report.loadAverage.append(l) }
        report.apiPeakRSSKiB = api.terminate().maxRSSKiB
        report.mongoPeakRSSKiB = mongo.stop().maxRSSKiB
        report.redisPeakRSSKiB = redis.stop().maxRSSKiB
        return report
    }

    /// One `wrk` run on `path`, with the CPU the given processes (and wrk) used meanwhile. Every
    /// answer under load must be 2xx/3xx.
    private func load(
        _ wrk: Wrk, name: String, title: String, port: Int, path: String, processes: [(String, ChildProcess)]
    ) throws -> ApiRun {
        let before = cpu(processes)
        let started = ContinuousClock.now
        let r = try wrk.run(url: "http://127.0.0.1:\(port)\(path)", logPath: "\(dir)/wrk-\(name).log")
        let wall = (ContinuousClock.now - started).seconds
        guard r.non2xx == 0 else { throw BenchmarkError("FAIL: \(r.non2xx) answers to \(path) were not 2xx/3xx under load") }
        var used = cpu(processes, since: before)
        used["wrk"] = r.cpuSeconds
        return ApiRun(
            name: name, title: title, method: wrk.commandLine, requests: r.requests, requestsPerSecond: r.requestsPerSecond,
            p50ms: r.p50ms, p99ms: r.p99ms, maxMs: r.maxMs, socketErrors: r.socketErrors, wallSeconds: wall, cpuSeconds: used)
    }

    /// `count` requests one after another, each after `prepare` and 50 ms (both untimed). Every
    /// answer must equal `expectedBody`, the one checked against the CSV.
    private func oneAtATime(
        name: String, title: String, method: String, path: String, count: Int, port: Int, expectedBody: String,
        prepare: () throws -> Void = {}
    ) throws -> ApiRun {
        var ms: [Double] = []
        for _ in 0..<count {
            try prepare()
            usleep(50_000)
            let started = ContinuousClock.now
            let answer = try LoopbackHTTP.get(port: port, path)
            ms.append((ContinuousClock.now - started).seconds * 1000)
            guard answer.status == 200, answer.body == expectedBody else {
                throw BenchmarkError(
                    "FAIL: \(title): GET \(path) answered \(answer.status) with another body than the checked one: \(answer.body.prefix(300))"
                )
            }
        }
        let sorted = ms.sorted()
        return ApiRun(
            name: name, title: "\(title), 1 at a time", method: "\(count) sequential GETs, \(method)",
            requests: count, requestsPerSecond: Double(count) / (ms.reduce(0, +) / 1000),
            p50ms: percentile(sorted, 0.50), p99ms: percentile(sorted, 0.99), maxMs: sorted.last ?? 0)
    }

    /// CPU seconds used so far by each process, or since `before`.
    private func cpu(_ processes: [(String, ChildProcess)], since before: [String: Double] = [:]) -> [String: Double] {
        var out: [String: Double] = [:]
        for (name, p) in processes {
            if let s = p.cpuSeconds { out[name] = s - (before[name] ?? 0) }
        }
        return out
    }

    private func startApi() throws -> (ChildProcess, Int) {
        let port = try Loopback.freePort()
        let api = try launch("api", ["--port", String(port)], name: "api")
        try LoopbackHTTP.waitUntilOK(port: port, process: api)
        return (api, port)
    }

    private func requireRunning(_ p: ChildProcess) throws {
        if let exit = p.poll() { throw BenchmarkError("\(p.name) exited (\(exit)). Log tail:\n\(p.logTail())") }
    }

    private func launch(_ tool: String, _ arguments: [String], name: String) throws -> ChildProcess {
        launches += 1
        return try ChildProcess(
            "\(options.binDir)/\(tool)", arguments: arguments, environment: env, name: name,
            stdout: .file("\(dir)/\(launches)-\(name).log"))
    }

    private func runToEnd(_ tool: String, _ arguments: [String], name: String) throws -> ChildProcess {
        let child = try launch(tool, arguments, name: name)
        _ = try child.wait(timeout: options.timeout)
        try child.requireSuccess()
        return child
    }

    private func int(_ reply: RedisReply) throws -> Int {
        guard let n = try reply.check().int else { throw BenchmarkError("expected an integer from Redis, got \(reply)") }
        return Int(n)
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}

/// Nearest-rank percentile of sorted values (with 30 values, p99 is the largest).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}
