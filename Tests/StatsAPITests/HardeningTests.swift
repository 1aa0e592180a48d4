import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WorkerRuntime

@testable import StatsAPI

/// The findings of the api review, each checked where it can fail: integers from requests (4),
/// the read token by route (5), the response cache (7), token comparison (8), HTTP semantics
/// and the OpenAPI document's agreement with the server (9). Connection limits and timeouts (6)
/// need a real server: IntegrationTests/ApiHardeningTests.
extension Routes {
    @Suite("hardening")
    struct Hardening {
        // MARK: 4. Integers from a request

        /// Each is refused with 400 and a JSON detail; the first one used to overflow `n * 2`
        /// and kill the process.
        static let refused: [(uri: String, detail: String)] = [
            (
                "/api/v1/stats/compare?period=4611686018427387904d",
                #"period must be a number of days like 1d, 7d or 30d (at most 46d); got "4611686018427387904d""#
            ),
            ("/api/v1/stats/compare?period=9223372036854775807d", "period must be"),
            ("/api/v1/stats/compare?period=99999999999999999999999d", "period must be"),
            ("/api/v1/stats/compare?period=-1d", "period must be"),
            ("/api/v1/stats/compare?period=%2B7d", "period must be"),
            ("/api/v1/stats/compare?period=07d", "period must be"),
            ("/api/v1/stats/compare?period=0d", "period must be"),
            ("/api/v1/stats/compare?period=7D", "period must be"),
            ("/api/v1/stats/compare?period=", "period must be"),
            ("/api/v1/stats/compare?period=x&startDate=2026-01-01&endDate=2026-01-02", "period must be"),
            ("/api/v1/stats/providers?days=9223372036854775808", "days must be a whole number from 1 to 92"),
            ("/api/v1/stats/providers?days=-1", "days must be"),
            ("/api/v1/stats/providers?days=%2B7", "days must be"),
            ("/api/v1/stats/providers?days=7.0", "days must be"),
            ("/api/v1/stats/providers?days=", "days must be"),
            ("/api/v1/stats/provider/visa?days=1e3", "days must be"),
            ("/api/v1/stats/weekly?week=%2B026-W01", "week must be"),
            ("/api/v1/stats/weekly?week=2026-W%2B1", "week must be"),
            ("/api/v1/stats/weekly?week=2026--W01", "week must be"),
            ("/api/v1/stats/weekly?week=", "week must be"),
            ("/api/v1/stats/weekly?week=2026-W03&startDate=nope", "startDate must be a date"),
            ("/api/v1/stats/monthly?month=%2B026-01", "month must be"),
            ("/api/v1/stats/monthly?month=2026-%2B1", "month must be"),
            ("/api/v1/stats/monthly?month=", "month must be"),
            ("/stats?from_date=-001-12-31&to_date=0001-01-01", #"from_date must be a date YYYY-MM-DD; got "-001-12-31""#),
            ("/stats?from_date=2026-01-01&to_date=10000-01-01", #"to_date must be a date YYYY-MM-DD; got "10000-01-01""#),
            ("/stats?from_date=&to_date=2026-01-01", #"from_date must be a date YYYY-MM-DD; got """#),
            ("/api/v1/stats/compare?startDate=", "startDate must be a date"),
            ("/api/v1/stats/compare?endDate=2026-01-10", "startDate is required"),
            ("/api/v1/stats/daily?date=2026-01-05&type=", "type must be"),
            ("/api/v1/stats/daily?date=2026-01-05&type=Deposit", "type must be"),
            ("/api/v1/stats/daily?date=2026-01-05&type=deposits", "type must be"),
            ("/api/v1/stats/daily?date=2026-01-05&status=", "status must be"),
            ("/api/v1/stats/daily?date=2026-01-05&status=ok", "status must be"),
            ("/api/v1/stats/daily?date=2026-01-05&status=Completed", "status must be"),
            ("/api/v1/stats/daily?date=2026-01-05&method=", "method must not be empty"),
        ]

        @Test(
            "a number, date, week, month or filter that is out of range, malformed or empty is a 400 with a detail, never a crash",
            arguments: refused.indices)
        func refusedValues(_ i: Int) async throws {
            let (uri, detail) = Self.refused[i]
            try await API.test { client in
                let a = try await client.call(uri)
                #expect(a.status == 400, "\(uri): \(a.status) \(a.body.prefix(200))")
                #expect(a.contentType == "application/json")
                #expect(a.detail?.contains(detail) == true, "\(uri): \(a.body.prefix(300))")
            }
        }

        @Test("the extremes that are valid are answered: year 0 and 9999, a previous period before year 0, the longest days")
        func extremes() async throws {
            try await API.test { client in
                let c = try await client.json("/api/v1/stats/compare?startDate=0000-01-01&endDate=0000-02-15")
                #expect(c["days"]?.int == 46)
                #expect(
                    c["previous"]?["startDate"]?.string?.hasPrefix("-0001-11-") == true,
                    "46 days before 0000-01-01: \(c["previous"] ?? .null)")
                _ = try await client.json("/api/v1/stats/range?startDate=9999-10-01&endDate=9999-12-31")
                _ = try await client.json("/api/v1/stats/monthly?month=9999-12")
                _ = try await client.json("/api/v1/stats/weekly?week=0000-W01")
                _ = try await client.json("/api/v1/stats/weekly?week=2026-W53")
                #expect(
                    try await client.json("/api/v1/stats/providers?days=92")["startDate"] == .string(Seed.today.adding(-91).description))
                #expect(try await client.json("/api/v1/stats/compare?period=46d")["days"]?.int == 46)
                // An unknown parameter is ignored; a method that can never be stored matches nothing.
                let plain = try await client.call("/api/v1/stats/daily?date=2026-01-15")
                #expect(try await client.call("/api/v1/stats/daily?date=2026-01-15&x=1&utm=2").body == plain.body)
                let none = try await client.json("/api/v1/stats/daily?date=2026-01-15&method=a%7Cb")
                #expect(none["transactions"]?["total"]?["count"]?.int == 0)
                #expect(try await client.call("/api/v1/stats/provider/a%7Cb").status == 404)
            }
        }

        // MARK: 5. The read token, by route

        /// Spellings the router resolves to a read route.
        static let readPaths = [
            "/stats/?from_date=2026-01-01&to_date=2026-01-20", "//stats?from_date=2026-01-01&to_date=2026-01-20",
            "/stats//?from_date=2026-01-01&to_date=2026-01-20", "//api/v1/stats/daily?date=2026-01-15",
            "/api/v1//stats/daily?date=2026-01-15", "/api/v1/stats/daily/?date=2026-01-15", "/api//v1/stats//provider//visa",
            "/api/v1/stats/compare/?period=7d",
        ]

        @Test(
            "with a read token, every spelling of a read route's path wants it (GET and HEAD); the same paths answer 200 without a token configured"
        )
        func readTokenByRoute() async throws {
            let token = "r3ad-\(Int.random(in: 100_000...999_999))"
            try await API.test(readToken: token) { client in
                for uri in Self.readPaths {
                    let denied = try await client.call(uri)
                    #expect(denied.status == 401, "\(uri): \(denied.status) \(denied.body.prefix(100))")
                    #expect(denied.detail == "missing or wrong bearer token", "\(uri)")
                    #expect(denied.headers[.wwwAuthenticate] == #"Bearer realm="txstats""#)
                    let head = try await client.call(uri, method: .head)
                    #expect(head.status == 401 && head.body.isEmpty, "HEAD \(uri): \(head.status)")
                    #expect(try await client.call(uri, headers: [.authorization: "Bearer \(token)"]).status == 200, "\(uri)")
                }
            }
            try await API.test { client in
                for uri in Self.readPaths {
                    let a = try await client.call(uri)
                    #expect(a.status == 200, "\(uri) is a read route")
                }
            }
        }

        // MARK: 8. Token comparison

        @Test("SHA-256 gives the FIPS 180-4 test vectors")
        func sha256() {
            func hex(_ s: String) -> String { BearerToken.digest(s).map { String(format: "%02x", $0) }.joined() }
            #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                    == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
            #expect(hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        }

        @Test("a token is compared as a digest: a NUL-padded, longer or shorter token is refused, the same one accepted")
        func digestComparison() {
            let t = BearerToken("abc")
            #expect(t.accepts(authorization: "Bearer abc"))
            // The old comparison truncated the length difference to 8 bits and compared missing
            // bytes as 0: "abc" followed by 256 NULs equalled "abc".
            #expect(!t.accepts(authorization: "Bearer abc" + String(repeating: "\u{0}", count: 256)))
            #expect(!t.accepts(authorization: "Bearer abc\u{0}"))
            #expect(!t.accepts(authorization: "Bearer ab"))
            #expect(!t.accepts(authorization: "Bearer abcd"))
            #expect(!t.accepts(authorization: nil))
            #expect(!BearerToken.equal(BearerToken.digest("abc"), Array(BearerToken.digest("abc").prefix(31))))
        }

        @Test(
            "the Bearer scheme is case-insensitive and spaces around the token are allowed (RFC 9110 §11.4); anything else is 401",
            arguments: [
                ("bearer T", true), ("BEARER T", true), ("BeArEr T", true), ("Bearer  T", true), ("Bearer\tT", true),
                ("Bearer T ", true), ("Bearer T T", false), ("BearerT", false), ("Bearer T,x", false), ("Basic T", false),
                ("Bearer", false), ("Bearer Tx", false),
            ])
        func schemeAndWhitespace(_ header: String, _ accepted: Bool) async throws {
            let token = "tok-\(Int.random(in: 100_000...999_999))"
            let value = header.replacingOccurrences(of: "T", with: token).replacingOccurrences(
                of: "BearerT".replacingOccurrences(of: "T", with: token), with: "Bearer" + token)
            try await API.test(adminToken: token, readToken: token) { client in
                let read = try await client.call("/api/v1/stats/daily?date=2026-01-15", headers: [.authorization: value])
                #expect(read.status == (accepted ? 200 : 401), "\(header)")
                let admin = try await client.call("/api/v1/admin/queue", headers: [.authorization: value])
                #expect(admin.status == (accepted ? 200 : 401), "\(header)")
            }
        }

        // MARK: 7. Response cache

        /// The app and its cache, with the given cache size.
        static func withApp<V: Sendable>(cacheBytes: Int, _ body: @Sendable (StatsApp, any TestClientProtocol) async throws -> V)
            async throws -> V
        {
            var settings = try API.settings()
            settings.cacheBytes = cacheBytes
            Telemetry.bootstrap()
            let (stats, threads) = try makeStatsApp(settings: settings, assets: try Assets.load())
            let app = Application(router: stats.router(), services: [ThreadPoolService(pool: threads), stats.versions], logger: API.logger)
            return try await app.test(.router) { client in try await body(stats, client) }
        }

        @Test("the cache key is the route and the normalised known parameters: unknown parameters and other spellings share one entry")
        func cacheKey() async throws {
            try await Self.withApp(cacheBytes: 64 << 20) { stats, client in
                let base = "/api/v1/stats/weekly?startDate=2025-12-10&endDate=2026-01-20"
                let first = try await client.call(base)
                for n in 0..<50 { #expect(try await client.call("\(base)&x=\(n)").body == first.body) }
                #expect(stats.cache.usage.entries == 1, "50 requests with &x=N: \(stats.cache.usage.entries) entries")
                _ = try await client.call("/api/v1/stats/daily?date=2026-01-15&method=visa")
                _ = try await client.call("/api/v1/stats/daily?date=2026-01-15&method=VISA")
                _ = try await client.call("/api/v1/stats/daily?method=visa&date=2026-01-15&y=z")
                #expect(stats.cache.usage.entries == 2)
                _ = try await client.call("/api/v1/stats/compare")
                _ = try await client.call("/api/v1/stats/compare?period=30d")
                #expect(stats.cache.usage.entries == 3)
            }
        }

        @Test("the cache stays within its bytes, evicting the least recently used, and answers stay exact")
        func cacheBytes() async throws {
            let capacity = 96 * 1024
            let uris = (0..<40).map { i in
                "/api/v1/stats/weekly?startDate=\(Day(2025, 12, 10).adding(i % 20))&endDate=2026-01-20&type=\(i < 20 ? "deposit" : "withdrawal")"
            }
            let fresh: [String] = try await Self.withApp(cacheBytes: 0) { stats, client in
                var bodies: [String] = []
                for uri in uris { bodies.append(try await client.call(uri).body) }
                #expect(stats.cache.usage.entries == 0, "a capacity of 0 keeps nothing")
                return bodies
            }
            try await Self.withApp(cacheBytes: capacity) { stats, client in
                for _ in 0..<2 {
                    for (i, uri) in uris.enumerated() {
                        let a = try await client.call(uri)
                        #expect(a.body == fresh[i], "\(uri)")
                        #expect(stats.cache.usage.bytes <= capacity, "\(stats.cache.usage)")
                    }
                }
                #expect(stats.cache.usage.entries >= 2, "it does cache: \(stats.cache.usage)")
            }
        }

        @Test("ResponseCache: least recently used out first, a stale version dropped, an answer over a quarter of the capacity not kept")
        func lru() {
            let body = ByteBuffer(repeating: 0x61, count: 1000)
            let one = ResponseCache.cost(key: "a", version: "1", body: body)
            let cache = ResponseCache(capacityBytes: one * 4)
            for k in ["a", "b", "c", "d"] { cache.put(k, version: "1", body: body) }
            #expect(cache.usage.entries == 4)
            #expect(cache.get("a", version: "1") != nil) // a is now the most recent
            cache.put("e", version: "1", body: body)
            #expect(cache.get("b", version: "1") == nil, "b was the least recently used")
            #expect(cache.get("a", version: "1") != nil)
            #expect(cache.usage.bytes <= one * 4)
            #expect(cache.get("c", version: "2") == nil)
            #expect(cache.usage.entries == 3, "the stale entry is gone")
            cache.put("big", version: "1", body: ByteBuffer(repeating: 0, count: one * 2))
            #expect(cache.get("big", version: "1") == nil)
        }

        // MARK: 9. HTTP semantics

        @Test("a known path with another method is 405 with Allow and a detail; OPTIONS too; an unknown path stays 404")
        func methodNotAllowed() async throws {
            try await API.test(adminToken: "adm") { client in
                for (uri, method, allow) in [
                    ("/stats", "POST", "GET, HEAD"), ("/healthz", "DELETE", "GET, HEAD"), ("/stats", "OPTIONS", "GET, HEAD"),
                    ("/api/v1/stats/daily", "PUT", "GET, HEAD"), ("/api/v1/stats/provider/visa", "PATCH", "GET, HEAD"),
                    ("/openapi.json", "QUERY", "GET, HEAD"), ("//stats/", "POST", "GET, HEAD"),
                    ("/api/v1/admin/dump", "GET", "POST"), ("/api/v1/admin/queue", "POST", "GET, HEAD"),
                ] {
                    let a = try await client.call(uri, method: .init(method)!)
                    #expect(a.status == 405, "\(method) \(uri): \(a.status)")
                    #expect(a.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(a.detail?.contains("not allowed") == true, "\(method) \(uri): \(a.body)")
                }
                #expect(try await client.call("/nope", method: .post).status == 404)
                #expect(try await client.call("/api/v1/stats/provider", method: .post).status == 404)
            }
        }

        @Test("HEAD answers like GET without a body, errors included")
        func head() async throws {
            try await API.test(adminToken: "adm") { client in
                for uri in [
                    "/healthz", "/openapi.json", "/", "/api/v1/stats/daily?date=2026-01-15",
                    "/stats?from_date=2026-01-01&to_date=2026-01-20",
                ] {
                    let get = try await client.call(uri)
                    let head = try await client.call(uri, method: .head)
                    #expect(head.status == 200, "HEAD \(uri)")
                    #expect(head.body.isEmpty, "HEAD \(uri) has no body")
                    #expect(head.headers[.contentLength] == String(get.body.utf8.count), "HEAD \(uri)")
                    #expect(head.contentType == get.contentType)
                }
                for (uri, status) in [("/stats", 400), ("/nope", 404), ("/api/v1/admin/dump", 405), ("/api/v1/admin/queue", 401)] {
                    let head = try await client.call(uri, method: .head)
                    #expect(head.status == status && head.body.isEmpty, "HEAD \(uri): \(head.status) \(head.body)")
                }
            }
        }

        @Test("a request with a body is 413 and its connection is to be closed; Content-Length: 0 is fine")
        func noBody() async throws {
            try await API.test(adminToken: "adm") { client in
                let a = try await client.execute(
                    uri: "/api/v1/admin/dump", method: .post, headers: [.authorization: "Bearer adm"], body: ByteBuffer(string: "x"))
                #expect(a.status == .contentTooLarge)
                #expect(a.headers[.connection] == "close")
                #expect((try? JSON.parse(String(buffer: a.body)))?["detail"] == .string("this api takes no request body"))
                let chunked = try await client.call("/healthz", headers: [.transferEncoding: "chunked"])
                #expect(chunked.status == 413)
                #expect(try await client.call("/healthz", headers: [.contentLength: "0"]).status == 200)
            }
        }
    }
}
