import HTTPTypes
import HummingbirdTesting
import Testing

extension Routes {
    /// `/api/v1/admin/*`: 404 without a configured token, 401 with a missing or wrong one.
    @Suite("/api/v1/admin")
    struct Admin {
        static let token = "adm-\(Int.random(in: 100_000...999_999))"

        @Test("without TXSTATS_ADMIN_TOKEN the admin routes do not exist: 404 whatever the header")
        func switchedOff() async throws {
            try await API.test(adminToken: nil) { client in
                for headers: HTTPFields in [[:], [.authorization: "Bearer \(Self.token)"]] {
                    let q = try await client.call("/api/v1/admin/queue", headers: headers)
                    #expect(q.status == 404)
                    #expect(q.detail == "no such route: GET /api/v1/admin/queue")
                    let d = try await client.call("/api/v1/admin/dump", method: .post, headers: headers)
                    #expect(d.status == 404)
                    #expect(d.detail == "no such route: POST /api/v1/admin/dump")
                }
            }
        }

        @Test(
            "a missing or wrong bearer token is 401 with a detail",
            arguments: [
                // "bearer TOKEN" and "Bearer  TOKEN" were here; RFC 9110 makes both valid credentials
                // (a case-insensitive scheme, one or more spaces): HardeningTests checks they are accepted.
                nil, "Bearer wrong", "Bearer ", "Basic TOKEN", "TOKEN", "Bearer TOKENx", "Bearer xTOKEN",
            ] as [String?])
        func unauthorized(_ header: String?) async throws {
            let headers: HTTPFields = header.map { [.authorization: $0.replacingOccurrences(of: "TOKEN", with: Self.token)] } ?? [:]
            try await API.test(adminToken: Self.token) { client in
                for (uri, method) in [("/api/v1/admin/queue", HTTPRequest.Method.get), ("/api/v1/admin/dump", .post)] {
                    let a = try await client.call(uri, method: method, headers: headers)
                    #expect(a.status == 401, "\(method) \(uri) with \(header ?? "no header")")
                    #expect(a.detail == "missing or wrong bearer token")
                }
            }
        }

        @Test("GET queue with the token: queue length, workers with in-flight counts, the dead letter")
        func queue() async throws {
            let stores = try Stores.require()
            let redis = try stores.connection()
            defer { redis.close() }
            // What Redis holds, read directly.
            let workers = try redis.run("ZRANGE", "{TransactionQueue}:workers", "0", "-1").check().array?.compactMap(\.text) ?? []
            var counts: [String: Int64] = [:]
            for w in workers { counts[w] = try redis.run("LLEN", "{TransactionQueue}:inflight:\(w)").check().int }
            let inflight = counts
            try await API.test(adminToken: Self.token) { client in
                let r = try await client.json("/api/v1/admin/queue", headers: [.authorization: "Bearer \(Self.token)"])
                #expect(r.keys == ["queue", "length", "workers", "deadLetters"])
                #expect(r["queue"] == .string("TransactionQueue"))
                #expect(r["length"]?.int == Int64(Seed.pendingQueueItems.count))
                #expect(r["workers"]?.items.compactMap { $0["worker"]?.string } == workers)
                for w in r["workers"]?.items ?? [] {
                    #expect(w["inflight"]?.int == inflight[w["worker"]?.string ?? ""])
                    #expect((w["heartbeatAgeMs"]?.int ?? -1) >= 0)
                }
                let dead = try #require(r["deadLetters"])
                #expect(dead["size"]?.int == 1)
                let latest = try #require(dead["latest"]?.items.first, "\(dead)")
                #expect(latest.keys == ["at", "stage", "reason", "detail", "line", "raw"])
                #expect(latest["stage"] == .string("import"))
                #expect(latest["line"]?.int == Int64(Seed.badLineNumber))
                #expect(latest["raw"] == .string(Seed.badLine))
                #expect(latest["reason"] == .string("bad_amount"))
            }
        }

        @Test("POST dump with the token: 202, and a request for the dumper is queued in Redis")
        func dump() async throws {
            let stores = try Stores.require()
            let key = "{TransactionQueue}:dump:requests"
            try await API.test(adminToken: Self.token) { client in
                let redis = try stores.connection()
                defer { redis.close() }
                let before = try redis.run("LLEN", key).check().int ?? 0
                let a = try await client.call("/api/v1/admin/dump", method: .post, headers: [.authorization: "Bearer \(Self.token)"])
                #expect(a.status == 202)
                #expect(a.body == #"{"status":"requested","detail":"the dumper runs a pass now"}"#)
                #expect(try redis.run("LLEN", key).check().int == min(before + 1, 10), "one request more, at most 10 kept")
                #expect(try redis.run("LINDEX", key, "0").check().text == "api")
                // GET is not the dump route: the path exists, so 405 (was 404 before routes answered 405).
                let get = try await client.call("/api/v1/admin/dump", headers: [.authorization: "Bearer \(Self.token)"])
                #expect(get.status == 405)
                #expect(get.headers[.allow] == "POST")
            }
        }
    }

    /// `TXSTATS_READ_TOKEN`: the data routes want it, the rest do not.
    @Suite("read token")
    struct ReadToken {
        @Test(
            "with a read token, /stats and /api/v1/stats/* are 401 without it and 200 with it; health, metrics, the page and the document stay open"
        )
        func readToken() async throws {
            let token = "r3ad-\(Int.random(in: 100_000...999_999))"
            try await API.test(readToken: token) { client in
                let data = [
                    "/stats?from_date=2026-01-01&to_date=2026-01-20", "/api/v1/stats/daily?date=2026-01-15",
                    "/api/v1/stats/provider/visa", "/api/v1/stats/compare?period=7d",
                ]
                for uri in data {
                    for header in [nil, "Bearer wrong", "Bearer \(token)x"] {
                        let a = try await client.call(uri, headers: header.map { [.authorization: $0] } ?? [:])
                        #expect(a.status == 401, "\(uri) with \(header ?? "no header")")
                        #expect(a.detail == "missing or wrong bearer token")
                    }
                    #expect(try await client.call(uri, headers: [.authorization: "Bearer \(token)"]).status == 200, "\(uri)")
                }
                let stats = try await client.json(data[0], headers: [.authorization: "Bearer \(token)"])
                expectJSON(stats, Expected.stats(from: Day(2026, 1, 1), to: Day(2026, 1, 20)), data[0])
                // A bad query behind the token: the token is checked first.
                #expect(try await client.call("/stats").status == 401)
                #expect(try await client.call("/stats", headers: [.authorization: "Bearer \(token)"]).status == 400)
                for uri in ["/healthz", "/readyz", "/openapi.json", "/", "/metrics"] {
                    #expect(try await client.call(uri).status == 200, "\(uri)")
                }
                // The admin routes have their own token: none configured here, so they do not exist.
                #expect(try await client.call("/api/v1/admin/queue", headers: [.authorization: "Bearer \(token)"]).status == 404)
            }
        }
    }
}
