import HummingbirdTesting
import Testing

extension Routes {
    /// `compare`: the current period against the previous one of the same length.
    @Suite("/api/v1/stats/compare")
    struct Compare {
        /// 100·part/whole in hundredths, or null for a zero whole.
        static func percent(_ part: Int64, _ whole: Int64) -> JSON {
            whole == 0 ? .null : .string("≈\(10_000 * part)/\(whole)")
        }

        static func rates(_ b: Block) -> JSON {
            .object([("successRate", percent(b[.success].count, b.total.count)), ("failureRate", percent(b[.failed].count, b.total.count))])
        }

        /// Current minus previous, per status and total, with percentages, rate points and trend.
        static func change(_ c: Block, _ p: Block) -> JSON {
            func one(_ a: Tally, _ b: Tally) -> JSON {
                .object([
                    ("count", Expected.number(a.count - b.count)), ("amount", Expected.amount(a.cents - b.cents)),
                    ("countPercent", percent(a.count - b.count, b.count)), ("amountPercent", percent(a.cents - b.cents, b.cents)),
                ])
            }
            func points(_ a: Int64, _ at: Int64, _ b: Int64, _ bt: Int64) -> JSON {
                at == 0 || bt == 0 ? .null : .string("≈\(10_000 * (a * bt - b * at))/\(at * bt)")
            }
            let d = c[.success].cents - p[.success].cents
            return .object(
                Status.allCases.map { ($0.rawValue, one(c[$0], p[$0])) } + [
                    ("total", one(c.total, p.total)),
                    ("successRatePoints", points(c[.success].count, c.total.count, p[.success].count, p.total.count)),
                    ("failureRatePoints", points(c[.failed].count, c.total.count, p[.failed].count, p.total.count)),
                    ("trend", .string(d > 0 ? "up" : d < 0 ? "down" : "flat")),
                ])
        }

        static func expected(label: String, from: Day, to: Day, _ filter: Filter) -> JSON {
            let n = to.epochDay - from.epochDay + 1
            let prevFrom = from.adding(-n)
            let prevTo = from.adding(-1)
            let cur = Seed.rows(from: from, to: to, filter)
            let prev = Seed.rows(from: prevFrom, to: prevTo, filter)
            let methods = Set((cur + prev).map(\.method)).sorted()
            func block(_ rows: [Row], _ k: Kind, _ method: String? = nil) -> Block {
                Block(rows.filter { $0.kind == k && (method == nil || $0.method == method) })
            }
            func summary(_ f: Day, _ t: Day, _ rows: [Row]) -> JSON {
                .object(
                    [("startDate", .string(f.description)), ("endDate", .string(t.description))] + Expected.types(rows, filter)
                        + [
                            ("rates", .object(filter.kinds.map { ($0.blockName, rates(block(rows, $0))) })),
                            (
                                "byMethod",
                                .object(methods.map { m in (m, .object(Expected.types(rows.filter { $0.method == m }, filter))) })
                            ),
                        ])
            }
            let change: [(String, JSON)] =
                filter.kinds.map { ($0.blockName, Self.change(block(cur, $0), block(prev, $0))) }
                + [
                    (
                        "byMethod",
                        .object(
                            methods.map { m in
                                (m, .object(filter.kinds.map { k in (k.blockName, Self.change(block(cur, k, m), block(prev, k, m))) }))
                            })
                    )
                ]
            return Expected.view([
                ("period", .string(label)), ("days", Expected.number(Int64(n))), ("current", summary(from, to, cur)),
                ("previous", summary(prevFrom, prevTo, prev)), ("change", .object(change)),
            ])
        }

        static let cases: [(query: String, label: String, from: Day, to: Day, filter: Filter)] = [
            ("", "30d", Day(2025, 12, 22), Seed.today, Filter()), // the default; the previous period is December
            ("period=7d", "7d", Day(2026, 1, 14), Seed.today, Filter()), // previous 2026-01-07…13, across the cut-off
            ("period=1d", "1d", Seed.today, Seed.today, Filter(kind: .deposit)),
            ("period=46d", "46d", Seed.today.adding(-45), Seed.today, Filter(method: "paypal")), // the longest allowed
            ("period=7d", "7d", Day(2026, 1, 14), Seed.today, Filter(kind: .withdrawal, status: .failed)),
            ("startDate=2026-01-10&endDate=2026-01-16", "custom", Day(2026, 1, 10), Day(2026, 1, 16), Filter(method: "visa")),
            ("startDate=2025-12-15&endDate=2025-12-20", "custom", Day(2025, 12, 15), Day(2025, 12, 20), Filter()), // previous: no data
        ]

        @Test(
            "current, previous, rates, byMethod and change, exact amounts and correctly rounded percentages",
            arguments: cases.indices)
        func compare(_ i: Int) async throws {
            let c = Self.cases[i]
            let query = [c.query, c.filter.query].filter { !$0.isEmpty }.joined(separator: "&")
            let uri = "/api/v1/stats/compare" + (query.isEmpty ? "" : "?" + query)
            try await API.test { client in
                let answer = try await client.json(uri)
                let want = Self.expected(label: c.label, from: c.from, to: c.to, c.filter)
                #expect(answer.matches(want), "\(uri)\n got: \(answer)\nwant: \(want)")
            }
        }

        @Test("with an empty previous period every percentage of change is null and the trend is up")
        func emptyPrevious() async throws {
            // 2025-11-20…12-20 against 2025-10-20…11-19, when nothing happened.
            let deposits = Seed.rows(from: Day(2025, 11, 20), to: Day(2025, 12, 20), Filter(kind: .deposit, status: .success))
            try #require(!deposits.isEmpty, "the seed has December deposits")
            try await API.test { client in
                let a = try await client.json("/api/v1/stats/compare?startDate=2025-11-20&endDate=2025-12-20")
                let change = try #require(a["change"]?["transactions"])
                for status in ["success", "failed", "pending", "total"] {
                    #expect(change[status]?["countPercent"] == .null, "\(status)")
                    #expect(change[status]?["amountPercent"] == .null, "\(status)")
                }
                #expect(change["successRatePoints"] == .null)
                #expect(change["trend"] == .string("up"))
                #expect(change["success"]?["amount"]?.cents == deposits.map(\.cents).reduce(0, +))
                #expect(a["previous"]?["rates"]?["transactions"]?["successRate"] == .null)
                #expect(a["current"]?["rates"]?["transactions"]?["successRate"] != .null)
            }
        }
    }
}
