import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Admin and read tokens", .serialized)
struct AdminTests {
    @Test(
        "admin routes: 404 without a configured token, 401 with a wrong or missing one, 200/202 with it; a dump request runs a pass at once"
    )
    func adminRoutes() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let (plain, plainPort) = try fleet.startAPI()
        #expect(try LoopbackHTTP.get(port: plainPort, "/api/v1/admin/queue").status == 404)
        #expect(try LoopbackHTTP.request(port: plainPort, "POST", "/api/v1/admin/dump").status == 404)
        plain.signal(SIGTERM)
        #expect(try plain.wait(timeout: 30) == 0, "the api stops cleanly on SIGTERM")

        let token = "t0k-\(UUID().uuidString)"
        let (api, port) = try fleet.startAPI(extraEnv: ["TXSTATS_ADMIN_TOKEN": token])
        defer { api.signal(SIGTERM) }
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/admin/queue").status == 401)
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/admin/queue", timeout: .seconds(5)).body.contains("detail"))
        #expect(
            try LoopbackHTTP.request(port: port, "GET", "/api/v1/admin/queue", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(
            try LoopbackHTTP.request(port: port, "GET", "/api/v1/admin/queue", headers: ["Authorization": "Bearer \(token)x"]).status == 401
        )

        // Something to report: queued items and a dead letter.
        let redis = fleet.redis.connection()
        try redis.run("LPUSH", "TransactionQueue", "garbage").check()
        #expect(try fleet.run("aggregator", ["--drain", "--worker-id", "adm"]).wait() == 0)
        try redis.run(
            "LPUSH", "TransactionQueue", #"{"timestamp":"2026-01-19T10:00:00","type":"deposit","payment_method":"visa","amount":"1.00"}"#
        ).check()
        fleet.settle()
        let q = try LoopbackHTTP.request(port: port, "GET", "/api/v1/admin/queue", headers: ["Authorization": "Bearer \(token)"])
        #expect(q.status == 200, "\(q.body)")
        let report = try #require(q.json as? [String: Any])
        #expect(report["length"] as? Int == 1)
        let dead = try #require(report["deadLetters"] as? [String: Any])
        #expect(dead["size"] as? Int == 1)
        #expect(((dead["latest"] as? [[String: Any]])?.first?["raw"] as? String) == "garbage")

        // A dumper with a long interval runs a pass as soon as one is requested.
        #expect(try fleet.run("aggregator", ["--drain", "--worker-id", "adm"]).wait() == 0)
        let dumper = try fleet.run("dumper", ["--interval", "3600"])
        defer { dumper.signal(SIGTERM) }
        let mongo = try fleet.mongo.client(database: fleet.database)
        var waited = 0
        while (try? mongo.count("DailyAggregates", filter: [:])) ?? 0 == 0 && waited < 100 {
            usleep(100_000)
            waited += 1
        } // first pass at start
        try redis.run(
            "LPUSH", "TransactionQueue", #"{"timestamp":"2026-01-18T10:00:00","type":"withdrawal","payment_method":"wire","amount":"2.00"}"#
        ).check()
        #expect(try fleet.run("aggregator", ["--drain", "--worker-id", "adm"]).wait() == 0)
        let before = try mongo.count("DailyAggregates", filter: [:])
        let started = Date()
        let r = try LoopbackHTTP.request(port: port, "POST", "/api/v1/admin/dump", headers: ["Authorization": "Bearer \(token)"])
        #expect(r.status == 202, "\(r.body)")
        while try mongo.count("DailyAggregates", filter: [:]) == before && Date().timeIntervalSince(started) < 20 { usleep(50_000) }
        #expect(try mongo.count("DailyAggregates", filter: [:]) == before + 1, "the requested pass wrote the new day")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("with a read token, read endpoints want it; health and the OpenAPI document do not")
    func readToken() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let (api, port) = try fleet.startAPI(extraEnv: ["TXSTATS_READ_TOKEN": "r3ad"])
        defer { api.signal(SIGTERM) }
        #expect(try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-01&to_date=2026-01-02").status == 401)
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/stats/daily?date=2026-01-01").status == 401)
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/currencies").status == 401)
        #expect(
            try LoopbackHTTP.request(
                port: port, "GET", "/stats?from_date=2026-01-01&to_date=2026-01-02", headers: ["Authorization": "Bearer r3ad"]
            ).status == 200)
        #expect(try LoopbackHTTP.get(port: port, "/openapi.json").status == 200)
        #expect(try LoopbackHTTP.get(port: port, "/readyz").status == 200)
        let long = try LoopbackHTTP.request(
            port: port, "GET", "/stats?from_date=" + String(repeating: "x", count: 5000), headers: ["Authorization": "Bearer r3ad"])
        #expect(long.status == 400 && long.body.contains("query string"))
    }
}
