import HummingbirdTesting
import Testing

extension Routes {
    /// `/api/v1/stats/*`: each answer compared whole with the document built from the rows (in
    /// the default currency, USD, which every answer names first).
    @Suite("/api/v1/stats views")
    struct Views {
        static let filters: [Filter] = [
            Filter(), Filter(kind: .deposit), Filter(kind: .withdrawal, method: "paypal"), Filter(status: .failed),
            Filter(kind: .deposit, method: "visa", status: .success),
        ]

        static func q(_ base: String, _ filter: Filter) -> String {
            filter.query.isEmpty ? base : base + (base.contains("?") ? "&" : "?") + filter.query
        }

        @Test("daily?date=: one day's blocks, from MongoDB and from Redis, with every filter", arguments: filters)
        func daily(_ filter: Filter) async throws {
            try await API.test { client in
                for day in [Day(2026, 1, 8), Day(2026, 1, 18), Day(2026, 1, 1)] { // MongoDB, Redis, no data
                    let uri = Self.q("/api/v1/stats/daily?date=\(day)", filter)
                    let rows = Seed.rows(from: day, to: day, filter)
                    expectJSON(
                        try await client.json(uri), Expected.view([("date", .string(day.description))] + Expected.types(rows, filter)), uri)
                }
            }
        }

        @Test("hourly?date=: 24 hours with their UTC start and blocks", arguments: filters)
        func hourly(_ filter: Filter) async throws {
            try await API.test { client in
                for day in [Day(2026, 1, 8), Day(2026, 1, 18)] {
                    let uri = Self.q("/api/v1/stats/hourly?date=\(day)", filter)
                    let rows = Seed.rows(from: day, to: day, filter)
                    let hours: [JSON] = (0..<24).map { h in
                        .object(
                            [("hour", Expected.number(Int64(h))), ("start", .string("\(day)T\(String(format2: h)):00:00+00:00"))]
                                + Expected.types(rows.filter { $0.hour == h }, filter))
                    }
                    expectJSON(
                        try await client.json(uri),
                        Expected.view([
                            ("date", .string(day.description)), ("timezone", .string("UTC")), ("hours", .number("24")),
                            ("hourly", .array(hours)),
                        ]), uri)
                }
            }
        }

        @Test("weekly: an ISO week (Monday to Sunday) or startDate..endDate, day by day and total", arguments: filters)
        func weekly(_ filter: Filter) async throws {
            try await API.test { client in
                // 2026-W02 runs 2026-01-05…11 (all MongoDB), W03 2026-01-12…18 (across the cut-off).
                for (week, monday) in [("2026-W02", Day(2026, 1, 5)), ("2026-W03", Day(2026, 1, 12)), ("2026-W01", Day(2025, 12, 29))] {
                    let uri = Self.q("/api/v1/stats/weekly?week=\(week)", filter)
                    expectJSON(
                        try await client.json(uri),
                        Expected.view([("week", .string(week))] + Expected.daily(from: monday, to: monday.adding(6), filter)), uri)
                }
                let (from, to) = (Day(2025, 12, 18), Day(2026, 1, 20))
                let uri = Self.q("/api/v1/stats/weekly?startDate=\(from)&endDate=\(to)", filter)
                expectJSON(try await client.json(uri), Expected.view(Expected.daily(from: from, to: to, filter)), uri)
            }
        }

        @Test("monthly?month=: every day of the calendar month and the total", arguments: filters)
        func monthly(_ filter: Filter) async throws {
            try await API.test { client in
                for (month, first, last) in [
                    ("2026-01", Day(2026, 1, 1), Day(2026, 1, 31)), ("2025-12", Day(2025, 12, 1), Day(2025, 12, 31)),
                    ("2026-02", Day(2026, 2, 1), Day(2026, 2, 28)),
                ] {
                    let uri = Self.q("/api/v1/stats/monthly?month=\(month)", filter)
                    expectJSON(
                        try await client.json(uri),
                        Expected.view([("month", .string(month))] + Expected.daily(from: first, to: last, filter)),
                        uri)
                }
            }
        }

        @Test("range?startDate=&endDate=: one summary over the range", arguments: filters)
        func range(_ filter: Filter) async throws {
            try await API.test { client in
                for (from, to) in [
                    (Day(2025, 12, 15), Day(2026, 1, 15)), (Day(2026, 1, 13), Day(2026, 1, 20)), (Day(2026, 1, 20), Day(2026, 1, 20)),
                ] {
                    let uri = Self.q("/api/v1/stats/range?startDate=\(from)&endDate=\(to)", filter)
                    expectJSON(
                        try await client.json(uri),
                        Expected.view(
                            [("startDate", .string(from.description)), ("endDate", .string(to.description))]
                                + Expected.types(Seed.rows(from: from, to: to, filter), filter)), uri)
                }
            }
        }

        @Test("providers?days=: every method ever seen, sorted, with its blocks over the last N days (7 by default)")
        func providers() async throws {
            try await API.test { client in
                for (days, filter) in [
                    (7, Filter()), (7, Filter(kind: .withdrawal)), (40, Filter(status: .pending)), (1, Filter(method: "visa")),
                    (92, Filter()),
                ] {
                    let uri = Self.q(
                        days == 7 && filter.kind == nil ? "/api/v1/stats/providers" : "/api/v1/stats/providers?days=\(days)", filter)
                    let (from, to) = Seed.lastDays(days)
                    let methods = Seed.methods.filter { filter.method == nil || $0 == filter.method }
                    let list: [JSON] = methods.map { m in
                        var f = filter
                        f.method = m
                        return .object([("provider", .string(m))] + Expected.types(Seed.rows(from: from, to: to, f), f))
                    }
                    expectJSON(
                        try await client.json(uri),
                        Expected.view([
                            ("period", .string("\(days)days")), ("startDate", .string(from.description)),
                            ("endDate", .string(to.description)),
                            ("providers", .array(list)),
                        ]), uri)
                }
                // "wire" was seen in December only: listed, with zero blocks for the last 7 days.
                #expect(Seed.methods.contains("wire"))
            }
        }

        @Test("provider/{id}: one method's blocks over the last N days; the id is case-insensitive; unknown is 404")
        func provider() async throws {
            try await API.test { client in
                for (id, days, filter) in [
                    ("visa", 7, Filter()), ("PayPal", 10, Filter(kind: .deposit)), ("wire", 7, Filter()),
                    ("wire", 45, Filter(status: .success)), ("crypto", 1, Filter()),
                ] {
                    let method = id.lowercased()
                    let uri = Self.q(days == 7 ? "/api/v1/stats/provider/\(id)" : "/api/v1/stats/provider/\(id)?days=\(days)", filter)
                    let (from, to) = Seed.lastDays(days)
                    var f = filter
                    f.method = method
                    expectJSON(
                        try await client.json(uri),
                        Expected.view(
                            [
                                ("provider", .string(method)), ("period", .string("\(days)days")), ("startDate", .string(from.description)),
                                ("endDate", .string(to.description)),
                            ] + Expected.types(Seed.rows(from: from, to: to, f), f)), uri)
                }
                let unknown = try await client.call("/api/v1/stats/provider/nosuch")
                #expect(unknown.status == 404)
                #expect(unknown.detail == #"unknown payment method "nosuch""#, "\(unknown.body)")
            }
        }
    }
}
