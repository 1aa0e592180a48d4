import HummingbirdTesting
import TestSupport
import Testing

@testable import StatsAPI

extension Routes {
    @Suite("/stats, /healthz, /readyz")
    struct Basics {
        @Test("GET /stats: each day's successful amounts per type and method, exact, across the MongoDB and Redis days")
        func stats() async throws {
            try await API.test { client in
                // 2026-01-05…12 come from MongoDB (dumped), 13…20 from Redis; December from MongoDB.
                for (from, to) in [
                    (Day(2026, 1, 1), Day(2026, 1, 20)), (Day(2025, 12, 1), Day(2025, 12, 31)), (Day(2026, 1, 18), Day(2026, 1, 18)),
                    (Day(2025, 11, 1), Day(2025, 11, 30)),
                ] {
                    let uri = "/stats?from_date=\(from)&to_date=\(to)"
                    expectJSON(try await client.json(uri), Expected.stats(from: from, to: to), uri)
                }
                // A range without data is an empty `data`, not an error.
                #expect(try await client.json("/stats?from_date=2025-11-01&to_date=2025-11-30") == .object([("data", .object([]))]))
            }
        }

        @Test("GET /healthz and /readyz answer with their status documents")
        func health() async throws {
            try await API.test { client in
                let h = try await client.call("/healthz")
                #expect(h.status == 200)
                #expect(h.body == #"{"status":"ok"}"#)
                let r = try await client.call("/readyz")
                #expect(r.status == 200)
                #expect(r.contentType == "application/json")
                #expect(r.body == #"{"status":"ready","redis":"ok","mongodb":"ok"}"#)
            }
        }
    }
}

/// The same application over stores that do not answer: liveness stays, readiness and data go 503.
@Suite("StatsAPI with its stores unreachable")
struct StoresDown {
    @Test("/healthz 200; /readyz, /stats and a view 503 with a detail naming the store")
    func unreachable() async throws {
        // Ports nothing listens on.
        let settings = try API.settings(
            redisURL: "redis://127.0.0.1:\(try Loopback.freePort())/0",
            mongoURI: "mongodb://127.0.0.1:\(try Loopback.freePort())/?serverSelectionTimeoutMS=300",
            database: "none")
        let app = try buildApplication(settings: settings, logger: API.logger)
        try await app.test(.router) { client in
            #expect(try await client.call("/healthz").status == 200)
            for uri in ["/readyz", "/stats?from_date=2026-01-01&to_date=2026-01-02", "/api/v1/stats/daily?date=2026-01-15"] {
                let a = try await client.call(uri)
                #expect(a.status == 503, "\(uri): \(a.body)")
                #expect(a.detail?.contains("Redis unavailable") == true, "\(uri): \(a.body)")
            }
            // Validation comes first: a bad query is still a 400.
            #expect(try await client.call("/stats?from_date=x&to_date=2026-01-02").status == 400)
        }
    }
}
