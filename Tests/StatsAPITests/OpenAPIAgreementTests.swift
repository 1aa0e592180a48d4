import Foundation
import HTTPTypes
import Hummingbird
import StatsCore
import Testing
import WorkerRuntime

@testable import StatsAPI

/// The OpenAPI document's parameter schemas and the server's checks accept exactly the same
/// values, tried exhaustively over each parameter's neighbourhood (no stores needed: the checks
/// are pure). Rules between parameters are outside a parameter schema; they are stated in the
/// operations' descriptions and checked in ErrorTests and HardeningTests.
@Suite("OpenAPI parameter schemas agree with the server")
struct OpenAPIAgreement {
    nonisolated(unsafe) static let doc: [String: Any] = {
        let text = try! String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/StatsAPI/Resources/openapi.json"), encoding: .utf8)
        return try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }()

    /// The schema of query parameter `name` of `GET path`, `$ref`s followed.
    static func schema(_ path: String, _ name: String) -> [String: Any] {
        func resolve(_ v: Any) -> [String: Any] {
            guard let o = v as? [String: Any], let ref = o["$ref"] as? String else { return v as! [String: Any] }
            var node: Any = doc
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as! [String: Any])[String(part)]! }
            return resolve(node)
        }
        let op = ((doc["paths"] as! [String: Any])[path] as! [String: Any])["get"] as! [String: Any]
        let p = (op["parameters"] as! [Any]).map(resolve).first { $0["name"] as? String == name }!
        return resolve(p["schema"]!)
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The server's check of one query (`ViewQuery` with the default range limit).
    static func accepts(_ query: String, _ check: (ViewQuery) throws -> Void) -> Bool {
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/x?" + query), body: RequestBody(buffer: ByteBuffer()))
        return (try? check(ViewQuery(request: request, maxDays: APISetting.maxRangeDays.defaultValue))) != nil
    }

    static let maxDays = APISetting.maxRangeDays.defaultValue

    @Test("days: integer 1...TXSTATS_MAX_RANGE_DAYS's default, exactly")
    func days() {
        let s = Self.schema("/api/v1/stats/providers", "days")
        #expect(s["type"] as? String == "integer")
        #expect(s["minimum"] as? Int == 1)
        #expect(s["maximum"] as? Int == Self.maxDays)
        for n in -5...(Self.maxDays + 5) {
            #expect(Self.accepts("days=\(n)") { _ = try $0.days(default: 7) } == (1...Self.maxDays).contains(n), "days=\(n)")
        }
        for bad in ["", "%2B7", "7.0", "1e3", "0x10", "seven", "99999999999999999999", "9223372036854775808"] {
            #expect(!Self.accepts("days=\(bad)") { _ = try $0.days(default: 7) }, "days=\(bad)")
        }
    }

    @Test("period: the pattern matches exactly the Nd the server takes, N up to half the range limit")
    func period() {
        let pattern = try! #require(Self.schema("/api/v1/stats/compare", "period")["pattern"] as? String)
        let app = { (q: String) in Self.accepts(q) { _ = try $0.period() } }
        var candidates =
            (0...(Self.maxDays + 10)).map { "\($0)d" } + ["", "d", "07d", "007d", "7", "7D", "+7d", "-7d", "7dd", " 7d", "1830d", "1831d"]
        candidates += (0...3).map { "\(Self.maxDays / 2)\($0)d" }
        for c in candidates {
            let encoded = c.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? c
            #expect(Self.matches(pattern, c) == app("period=\(encoded)"), "period=\(c)")
        }
    }

    @Test("week: the pattern is W01-W53 of a 4-digit year; the server takes exactly those that exist")
    func week() {
        let pattern = try! #require(Self.schema("/api/v1/stats/weekly", "week")["pattern"] as? String)
        for year in [0, 1, 2020, 2026, 2027, 9999] {
            for w in 0...60 {
                let text = String(format: "%04d-W%02d", year, w)
                let accepted = Self.accepts("week=\(text)") { _ = try $0.week() }
                #expect(Self.matches(pattern, text) == (1...53).contains(w), "\(text)")
                // The pattern cannot know which years have a week 53: the one rule it leaves out.
                #expect(accepted == (Self.matches(pattern, text) && (w <= 52 || Self.hasWeek53(year))), "\(text)")
            }
        }
        for bad in ["", "2026-W1", "2026W01", "2026-w01", "%2B026-W01", "2026-W%2B1", "20260-W01", "2026--W01", "2026-W001"] {
            #expect(!Self.accepts("week=\(bad)") { _ = try $0.week() }, "week=\(bad)")
            #expect(!Self.matches(pattern, bad.removingPercentEncoding ?? bad), "week=\(bad)")
        }
    }

    /// An ISO year has 53 weeks when it starts on a Thursday, or on a Wednesday in a leap year
    /// (computed here from Seed's day count, not by the code under test).
    static func hasWeek53(_ year: Int) -> Bool {
        let e = Day(year, 1, 1).epochDay
        let weekday = ((e + 3) % 7 + 7) % 7 // Monday 0: 1970-01-01 was a Thursday (3)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return weekday == 3 || (weekday == 2 && leap)
    }

    @Test("month: the pattern and the server agree on every month of a few years and on malformed text")
    func month() {
        let pattern = try! #require(Self.schema("/api/v1/stats/monthly", "month")["pattern"] as? String)
        for year in [0, 1, 2026, 9999] {
            for m in 0...14 {
                let text = String(format: "%04d-%02d", year, m)
                #expect(Self.matches(pattern, text) == Self.accepts("month=\(text)") { _ = try $0.month() }, "\(text)")
            }
        }
        for bad in ["", "2026-1", "26-01", "2026-001", "2026/01", "%2B026-01", "2026-%2B1"] {
            #expect(!Self.accepts("month=\(bad)") { _ = try $0.month() }, "month=\(bad)")
            #expect(!Self.matches(pattern, bad.removingPercentEncoding ?? bad), "month=\(bad)")
        }
    }

    @Test("dates: format date, 0000-01-01 to 9999-12-31; every malformed or impossible day refused")
    func dates() {
        #expect(Self.schema("/api/v1/stats/daily", "date")["format"] as? String == "date")
        for ok in ["0000-01-01", "0001-01-01", "2024-02-29", "2026-01-20", "9999-12-31"] {
            #expect(Self.accepts("date=\(ok)") { _ = try $0.date("date") }, "\(ok)")
        }
        for bad in [
            "", "2026-1-05", "2026-02-29", "2026-13-01", "2026-00-10", "2026-01-32", "10000-01-01", "-001-01-01", "2026-01-20T00:00",
            "20260120", "２０２６-01-01", "%2B026-01-01", "2026-W03-1",
        ] {
            #expect(!Self.accepts("date=\(bad)") { _ = try $0.date("date") }, "date=\(bad)")
        }
    }

    @Test("type and status: exactly their enums; method: any non-empty text")
    func filters() {
        let type = Self.schema("/api/v1/stats/daily", "type")["enum"] as? [String]
        let status = Self.schema("/api/v1/stats/daily", "status")["enum"] as? [String]
        #expect(type == ["deposit", "withdrawal"])
        #expect(status == ["success", "failed", "pending"])
        for t in ["deposit", "withdrawal", "", "Deposit", "deposits", "withdraw", "DEPOSIT", " deposit"] {
            let encoded = t.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? t
            #expect(Self.accepts("type=\(encoded)") { _ = try $0.filter() } == (type?.contains(t) ?? false), "type=\(t)")
        }
        for s in ["success", "failed", "pending", "", "ok", "Completed", "rejected", "SUCCESS"] {
            #expect(Self.accepts("status=\(s)") { _ = try $0.filter() } == (status?.contains(s) ?? false), "status=\(s)")
        }
        #expect(Self.schema("/api/v1/stats/daily", "method")["minLength"] as? Int == 1)
        for m in ["visa", "VISA", "%20", "a%7Cb", "%00", String(repeating: "x", count: 300)] {
            #expect(Self.accepts("method=\(m)") { _ = try $0.filter() }, "method=\(m)")
        }
        #expect(!Self.accepts("method=") { _ = try $0.filter() })
    }

    @Test("currency: on every read route; three letters in any case by the pattern, and the server takes exactly the table's codes")
    func currency() {
        let usd = Currency(code: "USD")!
        for path in ((Self.doc["paths"] as! [String: Any]).keys) where path == "/stats" || path.hasPrefix("/api/v1/stats/") {
            #expect(Self.schema(path, "currency")["pattern"] as? String == "^[A-Za-z]{3}$", "\(path)")
        }
        let pattern = Self.schema("/stats", "currency")["pattern"] as! String
        func accepted(_ text: String) -> Bool {
            let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
            let request = Request(
                head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/x?currency=" + encoded),
                body: RequestBody(buffer: ByteBuffer()))
            return (try? ViewQuery.currency(request, default: usd)) != nil
        }
        for c in Currency.all {
            for text in [c.code, c.code.lowercased(), String(c.code.prefix(1)) + c.code.dropFirst().lowercased()] {
                #expect(Self.matches(pattern, text) && accepted(text), "\(text)")
            }
        }
        // The pattern admits codes the table lacks (the rule stated in the description): refused.
        for text in ["XYZ", "XAU", "xts", "AAA"] { #expect(Self.matches(pattern, text) && !accepted(text), "\(text)") }
        for text in ["", "US", "USDD", " USD", "USD ", "U D", "123", "éur", "US$"] {
            #expect(!Self.matches(pattern, text) && !accepted(text), "\(text)")
        }
    }

    @Test("every data operation documents the answers it can give: 400, 401 (and the optional read token), 413, 431, 503")
    func statuses() {
        for (path, item) in Self.doc["paths"] as! [String: Any] {
            for (method, op) in item as! [String: Any] {
                let op = op as! [String: Any]
                let codes = Set((op["responses"] as! [String: Any]).keys)
                #expect(codes.isSuperset(of: ["400", "413", "431"]), "\(method) \(path): \(codes.sorted())")
                if path == "/stats" || path.hasPrefix("/api/v1/") {
                    #expect(codes.isSuperset(of: ["401", "503"]), "\(method) \(path)")
                    let security = op["security"] as? [[String: Any]]
                    #expect(security?.isEmpty == false, "\(method) \(path) states its security")
                }
            }
        }
        let info = (Self.doc["info"] as! [String: Any])["description"] as! String
        for limit in [
            "4096 bytes", "16384", "32768", "100 fields", "405", "HEAD", "TXSTATS_IDLE_TIMEOUT_SECONDS", "TXSTATS_MAX_CONNECTIONS",
            "default \(Self.maxDays)", "default \(Self.maxDays / 2)",
        ] {
            #expect(info.contains(limit), "the description states \(limit)")
        }
        #expect(QueryLimitMiddleware<BasicRequestContext>.maxQueryBytes == 4096)
        #expect(HTTPLimits.maxFieldBytes == 16384 && HTTPLimits.maxHeaderBytes == 32768 && HTTPLimits.maxFieldCount == 100)
    }
}
