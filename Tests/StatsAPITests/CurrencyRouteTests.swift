import HummingbirdTesting
import Testing

extension Routes {
    /// `currency=` on every read route, and `/api/v1/currencies`. The seed has USD rows and, on
    /// the same days and methods, JPY (no decimals) and KWD (three) rows; CHF only on a December
    /// day that Redis's currencies set has forgotten (see ``Seed/foreignRows``).
    @Suite("currencies")
    struct Currencies {
        /// Every read route with the parameters it needs, and the query joiner.
        static let views = [
            "/stats?from_date=2026-01-01&to_date=2026-01-20", "/api/v1/stats/hourly?date=2026-01-18", "/api/v1/stats/daily?date=2026-01-18",
            "/api/v1/stats/weekly?week=2026-W03", "/api/v1/stats/monthly?month=2026-01",
            "/api/v1/stats/range?startDate=2026-01-01&endDate=2026-01-20", "/api/v1/stats/providers", "/api/v1/stats/provider/visa",
            "/api/v1/stats/compare?period=7d",
        ]

        static func with(_ uri: String, _ query: String) -> String { uri + (uri.contains("?") ? "&" : "?") + query }

        @Test("two currencies on the same day and method are two answers, each exact with its own decimals, never a sum")
        func neverSummed() async throws {
            try await API.test { client in
                for day in [Day(2026, 1, 18), Day(2026, 1, 8)] { // Redis, MongoDB
                    for currency in ["JPY", "KWD", "USD"] {
                        let uri = "/api/v1/stats/daily?date=\(day)&currency=\(currency)"
                        let rows = Seed.rows(from: day, to: day, currency: currency)
                        if currency != "USD" { try #require(!rows.isEmpty, "the seed has \(currency) on \(day)") }
                        expectJSON(
                            try await client.json(uri),
                            Expected.view(
                                [("date", .string(day.description))] + Expected.types(rows, Filter(), exponent: Seed.exponents[currency]!),
                                currency: currency), uri)
                    }
                }
                // The same day's visa deposits: USD cents and JPY yen, side by side, not added.
                let usd = try await client.json("/api/v1/stats/daily?date=2026-01-18&type=deposit&method=visa&status=success")
                let jpy = try await client.json("/api/v1/stats/daily?date=2026-01-18&type=deposit&method=visa&status=success&currency=jpy")
                let usdCents = Seed.rows(
                    from: Day(2026, 1, 18), to: Day(2026, 1, 18), Filter(kind: .deposit, method: "visa", status: .success)
                )
                .map(\.cents).reduce(0, +)
                #expect(usd["transactions"]?["success"]?["amount"] == Expected.amount(usdCents))
                #expect(jpy["currency"] == .string("JPY"))
                #expect(jpy["transactions"]?["success"]?["amount"] == .number("1500"))
                #expect(jpy["transactions"]?["success"]?["count"] == .number("1"))
                let kwd = try await client.json("/api/v1/stats/daily?date=2026-01-18&type=withdrawal&currency=KWD")
                #expect(kwd["withdrawals"]?["success"]?["amount"] == .number("12.345"))

                // /stats keeps the original shape and states no currency; its amounts are the one asked for.
                for currency in ["JPY", "KWD", "CHF", "USD"] {
                    let uri = "/stats?from_date=2025-12-01&to_date=2026-01-20&currency=\(currency)"
                    expectJSON(
                        try await client.json(uri), Expected.stats(from: Day(2025, 12, 1), to: Day(2026, 1, 20), currency: currency), uri)
                }
                let raw = try await client.call("/stats?from_date=2026-01-18&to_date=2026-01-18&currency=JPY")
                #expect(raw.body == #"{"data":{"2026-01-18":{"deposits":{"visa":1500}}}}"#)
                let fils = try await client.call("/stats?from_date=2026-01-18&to_date=2026-01-18&currency=KWD")
                #expect(fils.body == #"{"data":{"2026-01-18":{"withdrawals":{"crypto":12.345}}}}"#)
            }
        }

        @Test("every view states its currency (the default USD, or the one asked for, any case); answers are cached per currency")
        func everyViewStatesIt() async throws {
            try await API.test { client in
                for uri in Self.views where !uri.hasPrefix("/stats") {
                    #expect(try await client.json(uri)["currency"] == .string("USD"), "\(uri)")
                    let jpy = try await client.json(Self.with(uri, "currency=jPy"))
                    #expect(jpy["currency"] == .string("JPY"), "\(uri)")
                    // The cache must not hand the USD answer to a JPY request (or back).
                    #expect(try await client.json(uri) != jpy, "\(uri)")
                    #expect(try await client.json(Self.with(uri, "currency=JPY")) == jpy, "\(uri)")
                }
                // providers lists every method seen (in any currency); the blocks are per currency.
                let p = try await client.json("/api/v1/stats/providers?days=3&currency=JPY")
                #expect(p["providers"]?.items.compactMap { $0["provider"]?.string } == Seed.methods)
                let visa = p["providers"]?.items.first { $0["provider"]?.string == "visa" }
                #expect(visa?["transactions"]?["total"]?["amount"] == .number("2200"))
                #expect(visa?["transactions"]?["total"]?["count"] == .number("2"))
            }
        }

        @Test("currency= must be an ISO 4217 code the table knows: else 400 with detail, on every read route")
        func validation() async throws {
            try await API.test { client in
                for uri in Self.views {
                    for bad in ["XYZ", "", "US", "USDD", "U%20D", "123", "XAU", "%C3%A9ur"] {
                        let a = try await client.call(Self.with(uri, "currency=\(bad)"))
                        #expect(a.status == 400, "\(uri) currency=\(bad): \(a.status) \(a.body.prefix(200))")
                        #expect(a.contentType == "application/json")
                        #expect(a.detail?.hasPrefix("currency must be an ISO 4217 code") == true, "\(uri): \(a.body)")
                    }
                }
                let a = try await client.call("/api/v1/stats/daily?date=2026-01-18&currency=XYZ")
                #expect(a.detail == #"currency must be an ISO 4217 code with a minor unit, such as USD, EUR or JPY; got "XYZ""#)
            }
        }

        @Test("GET /api/v1/currencies: Redis's and MongoDB's currencies, sorted, with exponents, and the default")
        func list() async throws {
            try await API.test { client in
                let a = try await client.call("/api/v1/currencies")
                #expect(a.status == 200)
                #expect(
                    a.body
                        == #"{"default":{"code":"USD","exponent":2},"currencies":[{"code":"CHF","exponent":2},{"code":"JPY","exponent":0},{"code":"KWD","exponent":3},{"code":"USD","exponent":2}]}"#
                )
            }
            // Behind the read token like every read route.
            try await API.test(readToken: "r-token") { client in
                let denied = try await client.call("/api/v1/currencies")
                let allowed = try await client.call("/api/v1/currencies", headers: [.authorization: "Bearer r-token"])
                #expect(denied.status == 401)
                #expect(allowed.status == 200)
            }
        }
    }
}
