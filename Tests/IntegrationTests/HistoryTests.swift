import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Dumper, retention and `GET /stats` against a real redis-server and a real MongoDB
/// wire-protocol server (SecantusDB), all as real processes.
@Suite("History: dumper, retention and /stats across Redis and MongoDB", .serialized)
struct HistoryTests {
    func stats(_ port: Int, _ from: String, _ to: String) throws -> [String: [String: [String: Int64]]] {
        let r = try LoopbackHTTP.get(port: port, "/stats?from_date=\(from)&to_date=\(to)")
        guard r.status == 200 else { throw TestFailure("GET /stats \(from)..\(to): \(r.status) \(r.body)") }
        return try statsCents(r.body)
    }

    @Test("a range across the cut-off is exact day by day: before a dump, after it, after retention, and with late data")
    func acrossTheCutoff() throws {
        let fleet = try Fleet() // today 2026-01-20, cut-off 7 days: 2026-01-13 is the first Redis day
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 20_000, days: 20, seed: 31, start: "2026-01-01")
        try fleet.importAndAggregate(csv)
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        var expected = try expectedStats([csv])
        #expect(expected.count == 20)

        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "before any dump")

        // A pass with a long cut-off writes every day to MongoDB but retires nothing.
        try fleet.dumpOnce(["--cutoff-days", "100"])
        let redis = fleet.redis.connection()
        #expect(try redis.run("ZCARD", "{TransactionQueue}:days").int == 20)
        #expect(try fleet.mongo.client(database: fleet.database).count("DailyAggregates", filter: [:]) == 40)
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "after a dump, before retention")

        // With the real cut-off the 12 older days leave Redis; answers do not change.
        try fleet.dumpOnce()
        #expect(try redis.run("ZCARD", "{TransactionQueue}:days").int == 8)
        #expect(try redis.run("SCARD", "{TransactionQueue}:archived").int == 12)
        #expect(try redis.run("EXISTS", "agg:2026-01-05:deposits:USD:{TransactionQueue}").int == 0)
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "after retention")
        #expect(try stats(port, "2026-01-10", "2026-01-15") == expected.filter { $0.key >= "2026-01-10" && $0.key <= "2026-01-15" })
        #expect(
            try stats(port, "2026-01-03", "2026-01-03") == expected.filter { $0.key == "2026-01-03" },
            "a range wholly before the cut-off keeps its last day")

        // Late transactions for archived days: counted from Redis at once, then added to MongoDB.
        let late = try writeTemp(
            """
            timestamp,type,payment_method,amount,status
            2026-01-02T10:00:00,deposit,visa,100.05,success
            2026-01-02T11:00:00,deposit,visa,7.00,failed
            2026-01-05T23:59:59,withdrawal,crypto,0.01,success
            2026-01-19T08:00:00,deposit,wire,3.30,success
            """)
        try fleet.importAndAggregate(late)
        expected = try expectedStats([csv, late])
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "late data before the dumper moved it")
        try fleet.dumpOnce()
        #expect(try redis.run("EXISTS", "agg:2026-01-02:deposits:USD:{TransactionQueue}:hourly").int == 0, "late delta left Redis")
        #expect(try redis.run("LLEN", "{TransactionQueue}:outbox").int == 0)
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "late data added to MongoDB exactly")

        // Re-applying a delta MongoDB already has (a dumper that died before deleting its outbox
        // entry) changes nothing, for the api and for the dumper.
        let mongo = try fleet.mongo.client(database: fleet.database)
        let doc = try #require(
            try mongo.find("DailyAggregates", filter: ["Date": "2026-01-02", "Type": "deposits", "Currency": "USD"]).first)
        let seq = try #require(doc["AppliedDeltas"]?.array?.last?.int64)
        let name = "{TransactionQueue}:outbox:\(seq):2026-01-02:deposits:USD"
        try redis.run("HSET", name, "visa|success|10|n", "1", "visa|success|10|a", "10005").check()
        try redis.run("RPUSH", "{TransactionQueue}:outbox", name).check()
        try redis.run("INCR", "{TransactionQueue}:version").check() // bypass the response cache
        fleet.settle()
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "an applied delta is not counted twice")
        try fleet.dumpOnce()
        #expect(try redis.run("LLEN", "{TransactionQueue}:outbox").int == 0)
        try redis.run("INCR", "{TransactionQueue}:version").check()
        fleet.settle()
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "nor added twice to MongoDB")
    }

    @Test("MongoDB down: nothing is lost or removed, ranges that need it get 503, Redis-only ranges answer; the dumper catches up")
    func mongoOutage() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let first = try sampleCSV(rows: 5_000, days: 20, seed: 41, start: "2026-01-01")
        try fleet.importAndAggregate(first)
        try fleet.dumpOnce()
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        let redis = fleet.redis.connection()
        let daysBefore = try redis.run("ZCARD", "{TransactionQueue}:days").int

        fleet.mongo.stop()
        let dumper = try fleet.run("dumper", ["--interval", "0.2"])
        defer { dumper.signal(SIGKILL) }
        // New recent and late data while MongoDB is away.
        let second = try sampleCSV(rows: 3_000, days: 20, seed: 42, start: "2026-01-01")
        try fleet.importAndAggregate(second)
        let expected = try expectedStats([first, second])
        usleep(1_500_000)
        #expect(try redis.run("ZCARD", "{TransactionQueue}:days").int ?? 0 >= daysBefore ?? 0, "nothing removed from Redis")
        #expect(try redis.run("SCARD", "{TransactionQueue}:dirty").int ?? 0 > 0, "changes wait in Redis")

        let needsMongo = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-01&to_date=2026-01-20")
        #expect(needsMongo.status == 503)
        #expect((needsMongo.json as? [String: Any])?["detail"] as? String != nil, "\(needsMongo.body)")
        #expect(needsMongo.body.contains("MongoDB"))
        #expect(try stats(port, "2026-01-13", "2026-01-20") == expected.filter { $0.key >= "2026-01-13" }, "Redis-only range still exact")
        #expect(try LoopbackHTTP.get(port: port, "/readyz").status == 503)

        try fleet.restartMongo()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let pending =
                (try redis.run("SCARD", "{TransactionQueue}:dirty").int ?? 0)
                + (try redis.run("SCARD", "{TransactionQueue}:dumping").int ?? 0)
                + (try redis.run("LLEN", "{TransactionQueue}:outbox").int ?? 0)
            if pending == 0 { break }
            usleep(100_000)
        }
        #expect(dumper.stderr.contains("unavailable"), "the outage was logged")
        #expect(try stats(port, "2026-01-01", "2026-01-20") == expected, "caught up exactly")
        #expect(try LoopbackHTTP.get(port: port, "/readyz").status == 200)
        dumper.signal(SIGTERM)
        #expect(try dumper.wait(timeout: 30) == 0)
    }

    @Test("the HTTP contract: shape, exact numbers, 400s with detail, health, OpenAPI")
    func httpContract() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let redis = fleet.redis.connection()
        for item in [
            #"{"timestamp":"2026-01-18T10:00:00","type":"deposit","payment_method":"visa","amount":0.1}"#,
            #"{"timestamp":"2026-01-18T11:00:00","type":"deposit","payment_method":"visa","amount":"0.2"}"#,
            #"{"timestamp":"2026-01-18T12:00:00","type":"deposit","payment_method":"wire","amount":"10.00"}"#,
            #"{"timestamp":"2026-01-18T12:00:00","type":"withdrawal","payment_method":"crypto","amount":"0.05"}"#,
            #"{"timestamp":"2026-01-19T12:00:00","type":"withdrawal","payment_method":"crypto","amount":"1234567.89"}"#,
            #"{"timestamp":"2026-01-19T13:00:00","type":"withdrawal","payment_method":"crypto","amount":"9.99","status":"failed"}"#,
        ] {
            try redis.run("LPUSH", "TransactionQueue", item).check()
        }
        #expect(try fleet.run("aggregator", ["--drain", "--worker-id", "c"]).wait() == 0)
        fleet.settle()
        let (api, port) = try fleet.startAPI(["--max-range-days", "31"])
        defer { api.signal(SIGTERM) }

        let ok = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-17&to_date=2026-01-20")
        #expect(ok.status == 200)
        #expect(
            ok.body
                == #"{"data":{"2026-01-18":{"deposits":{"visa":0.3,"wire":10},"withdrawals":{"crypto":0.05}},"2026-01-19":{"withdrawals":{"crypto":1234567.89}}}}"#
        )

        let cases: [(String, String)] = [
            ("/stats?to_date=2026-01-20", "from_date is required"),
            ("/stats?from_date=2026-01-20", "to_date is required"),
            ("/stats?from_date=2026-13-01&to_date=2026-01-20", "from_date must be a date"),
            ("/stats?from_date=2026-02-30&to_date=2026-03-01", "from_date must be a date"),
            ("/stats?from_date=2026-01-01&to_date=yesterday", "to_date must be a date"),
            ("/stats?from_date=2026-01-20&to_date=2026-01-01", "is after"),
            ("/stats?from_date=2026-01-01&to_date=2026-03-01", "at most 31"),
        ]
        for (path, detail) in cases {
            let r = try LoopbackHTTP.get(port: port, path)
            #expect(r.status == 400, "\(path)")
            let d = (r.json as? [String: Any])?["detail"] as? String
            #expect(d?.contains(detail) == true, "\(path): \(r.body)")
        }

        #expect(try LoopbackHTTP.get(port: port, "/healthz").status == 200)
        #expect(try LoopbackHTTP.get(port: port, "/readyz").status == 200)
        let spec = try LoopbackHTTP.get(port: port, "/openapi.json")
        let doc = try #require(spec.json as? [String: Any])
        #expect((doc["openapi"] as? String)?.hasPrefix("3.") == true)
        let paths = try #require(doc["paths"] as? [String: Any])
        #expect(
            Set(paths.keys) == [
                "/stats", "/healthz", "/readyz", "/openapi.json", "/", "/api/v1/stats/hourly", "/api/v1/stats/daily",
                "/api/v1/stats/weekly", "/api/v1/stats/monthly", "/api/v1/stats/range", "/api/v1/stats/providers",
                "/api/v1/stats/provider/{id}", "/api/v1/stats/compare", "/metrics",
                "/api/v1/admin/dump", "/api/v1/admin/queue", "/api/v1/currencies",
            ])
        // Every documented operation answers as documented, with its required parameters.
        let examples = [
            "/stats": "?from_date=2026-01-18&to_date=2026-01-19", "/api/v1/stats/hourly": "?date=2026-01-18",
            "/api/v1/stats/daily": "?date=2026-01-18", "/api/v1/stats/weekly": "?week=2026-W03",
            "/api/v1/stats/monthly": "?month=2026-01", "/api/v1/stats/range": "?startDate=2026-01-01&endDate=2026-01-20",
        ]
        // The admin routes exist only with TXSTATS_ADMIN_TOKEN set (not here): AdminTests and
        // StatsAPITests check them.
        for (path, item) in paths where !path.hasPrefix("/api/v1/admin/") {
            let op = try #require((item as? [String: Any])?["get"] as? [String: Any], "\(path)")
            let responses = op["responses"] as? [String: Any]
            #expect(responses?["200"] != nil, "\(path)")
            let concrete = path.replacingOccurrences(of: "{id}", with: "visa") + (examples[path] ?? "")
            let r = try LoopbackHTTP.get(port: port, concrete)
            #expect(r.status == 200, "\(concrete): \(r.status) \(r.body.prefix(200))")
            let type = path == "/" ? "text/html" : path == "/metrics" ? "text/plain" : "application/json"
            #expect((responses?["200"] as? [String: Any])?["content"].map { ($0 as? [String: Any])?[type] != nil } ?? false, "\(path)")
            // Only codes the server can produce for a read route: bad query, read token, no such
            // method or route, wrong method, request or header limits, a store down.
            for code in (responses ?? [:]).keys where code != "200" {
                #expect(["400", "401", "404", "405", "413", "414", "431", "503"].contains(code), "\(path) documents \(code)")
            }
        }
        let unknown = try LoopbackHTTP.get(port: port, "/nope")
        #expect(unknown.status == 404)
        #expect((unknown.json as? [String: Any])?["detail"] as? String != nil, "\(unknown.body)")
    }
}
