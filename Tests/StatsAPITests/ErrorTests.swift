import HummingbirdTesting
import Testing

extension Routes {
    /// Bad queries are 400 and unknown routes 404, always as JSON `{"detail": …}`.
    @Suite("400 and 404 answers")
    struct Errors {
        static let badQueries: [(uri: String, detail: String)] = [
            ("/stats", "from_date is required, as a date YYYY-MM-DD"),
            ("/stats?from_date=2026-01-01", "to_date is required, as a date YYYY-MM-DD"),
            ("/stats?from_date=2026-02-30&to_date=2026-03-01", #"from_date must be a date YYYY-MM-DD; got "2026-02-30""#),
            ("/stats?from_date=2026-01-01&to_date=yesterday", #"to_date must be a date YYYY-MM-DD; got "yesterday""#),
            ("/stats?from_date=2026-01-20&to_date=2026-01-01", "from_date (2026-01-20) is after to_date (2026-01-01)"),
            ("/stats?from_date=2025-10-01&to_date=2026-01-01", "the range 2025-10-01..2026-01-01 spans 93 days; at most 92 are allowed"),
            ("/api/v1/stats/hourly", "date is required, as a date YYYY-MM-DD"),
            ("/api/v1/stats/daily?date=2026-1-5", #"date must be a date YYYY-MM-DD; got "2026-1-5""#),
            ("/api/v1/stats/daily?date=2026-01-05&type=refund", #"type must be deposit or withdrawal; got "refund""#),
            ("/api/v1/stats/daily?date=2026-01-05&status=done", #"status must be success, failed or pending; got "done""#),
            ("/api/v1/stats/weekly", "startDate is required, as a date YYYY-MM-DD"),
            ("/api/v1/stats/weekly?week=2026-W54", #"week must be an ISO week YYYY-Www (e.g. 2026-W01) that exists; got "2026-W54""#),
            ("/api/v1/stats/weekly?week=26-W01", #"week must be an ISO week YYYY-Www (e.g. 2026-W01) that exists; got "26-W01""#),
            ("/api/v1/stats/monthly", "month is required, as YYYY-MM"),
            ("/api/v1/stats/monthly?month=2026-13", #"month must be YYYY-MM; got "2026-13""#),
            ("/api/v1/stats/range?startDate=2026-01-10&endDate=2026-01-09", "startDate (2026-01-10) is after endDate (2026-01-09)"),
            ("/api/v1/stats/providers?days=0", #"days must be a whole number from 1 to 92; got "0""#),
            ("/api/v1/stats/providers?days=93", #"days must be a whole number from 1 to 92; got "93""#),
            ("/api/v1/stats/provider/visa?days=abc", #"days must be a whole number from 1 to 92; got "abc""#),
            ("/api/v1/stats/compare?period=30", #"period must be a number of days like 1d, 7d or 30d (at most 46d); got "30""#),
            ("/api/v1/stats/compare?period=47d", #"period must be a number of days like 1d, 7d or 30d (at most 46d); got "47d""#),
            ("/api/v1/stats/compare?startDate=2026-01-10", "endDate is required, as a date YYYY-MM-DD"),
            ("/stats?from_date=" + String(repeating: "x", count: 4100), "the query string is longer than 4096 bytes"),
        ]

        @Test("a bad query is 400 with a detail naming the problem", arguments: badQueries.indices)
        func badQuery(_ i: Int) async throws {
            let (uri, detail) = Self.badQueries[i]
            try await API.test { client in
                let a = try await client.call(uri)
                #expect(a.status == 400, "\(uri.prefix(80)): \(a.status) \(a.body.prefix(200))")
                #expect(a.contentType == "application/json")
                #expect(a.detail == detail, "\(uri.prefix(80)): \(a.body.prefix(200))")
            }
        }

        // POST /stats and DELETE /healthz were 404 here; a known path with another method is now a
        // 405 with Allow (HardeningTests.methodNotAllowed).
        @Test("an unknown route is 404 with a detail")
        func unknownRoute() async throws {
            try await API.test { client in
                for (uri, method, detail) in [
                    ("/nope", "GET", "no such route: GET /nope"), ("/api/v1/stats", "GET", "no such route: GET /api/v1/stats"),
                    ("/api/v1/stats/daily/extra", "GET", "no such route: GET /api/v1/stats/daily/extra"),
                ] {
                    let a = try await client.call(uri, method: .init(method)!)
                    #expect(a.status == 404, "\(method) \(uri)")
                    #expect(a.contentType == "application/json")
                    #expect(a.detail == detail, "\(method) \(uri): \(a.body)")
                }
            }
        }
    }
}
