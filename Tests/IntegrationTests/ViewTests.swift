import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// type ("transactions" | "withdrawals") -> status (success, failed, pending, total) -> tally
typealias Blocks = [String: [String: Tally]]

/// Every `/api/v1/stats/*` view against figures computed independently from the generated rows.
@Suite("Views: hourly, daily, weekly, monthly, range, providers, compare — exact", .serialized)
struct ViewTests {
    static func expected(_ cells: [Cell: Tally], _ admit: (Cell) -> Bool) -> Blocks {
        var out: Blocks = [:]
        for name in ["transactions", "withdrawals"] {
            out[name] = ["success": Tally(), "failed": Tally(), "pending": Tally(), "total": Tally()]
        }
        for (cell, t) in cells where admit(cell) {
            let name = cell.type == "deposits" ? "transactions" : "withdrawals"
            for s in [cell.status, "total"] {
                out[name]![s]!.count += t.count
                out[name]![s]!.amount += t.amount
            }
        }
        return out
    }

    static func blocks(_ object: Any?) throws -> Blocks {
        guard let o = object as? [String: Any] else { throw TestFailure("not an object: \(String(describing: object))") }
        var out: Blocks = [:]
        for name in ["transactions", "withdrawals"] {
            guard let b = o[name] as? [String: Any] else { continue }
            for (status, v) in b {
                let t = v as? [String: Any] ?? [:]
                // Amounts are small enough here for a Double to hold every cent exactly.
                let amount = Int64((((t["amount"] as? NSNumber)?.doubleValue ?? .nan) * 100).rounded())
                out[name, default: [:]][status] = Tally(count: (t["count"] as? NSNumber)?.intValue ?? -1, amount: amount)
            }
        }
        return out
    }

    func get(_ port: Int, _ path: String) throws -> [String: Any] {
        let r = try LoopbackHTTP.get(port: port, path)
        guard r.status == 200, let o = r.json as? [String: Any] else { throw TestFailure("GET \(path): \(r.status) \(r.body.prefix(300))") }
        return o
    }

    @Test("daily, range, weekly, monthly, providers and provider across the cut-off, with filters")
    func acrossCutoff() throws {
        let fleet = try Fleet(today: "2026-01-20")
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 10_000, days: 20, seed: 51, start: "2026-01-01")
        let cells = try ExpectedTotals.compute(csv: csv)
        try fleet.importAndAggregate(csv)
        try fleet.dumpOnce() // 2026-01-01 … 2026-01-12 now live in MongoDB only
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }

        for day in ["2026-01-05", "2026-01-15"] {
            let o = try get(port, "/api/v1/stats/daily?date=\(day)")
            #expect(try Self.blocks(o) == Self.expected(cells) { $0.day == day }, "daily \(day)")
        }
        let range = try get(port, "/api/v1/stats/range?startDate=2026-01-03&endDate=2026-01-17")
        #expect(try Self.blocks(range) == Self.expected(cells) { $0.day >= "2026-01-03" && $0.day <= "2026-01-17" })
        let filtered = try get(
            port, "/api/v1/stats/range?startDate=2026-01-01&endDate=2026-01-20&type=withdrawal&method=visa&status=failed")
        let expectedFiltered = Self.expected(cells) { $0.type == "withdrawals" && $0.method == "visa" && $0.status == "failed" }
        #expect(try Self.blocks(filtered)["withdrawals"] == expectedFiltered["withdrawals"])
        #expect(filtered["transactions"] == nil, "type= leaves the other type out")

        let weekly = try get(port, "/api/v1/stats/weekly?startDate=2026-01-09&endDate=2026-01-15")
        let daily = try #require(weekly["daily"] as? [[String: Any]])
        #expect(daily.count == 7)
        for d in daily {
            let day = d["date"] as? String ?? ""
            #expect(try Self.blocks(d) == Self.expected(cells) { $0.day == day }, "weekly day \(day)")
        }
        #expect(try Self.blocks(weekly["total"]) == Self.expected(cells) { $0.day >= "2026-01-09" && $0.day <= "2026-01-15" })

        let monthly = try get(port, "/api/v1/stats/monthly?month=2026-01")
        #expect((monthly["daily"] as? [Any])?.count == 31)
        #expect(try Self.blocks(monthly["total"]) == Self.expected(cells) { $0.day.hasPrefix("2026-01") })

        let providers = try get(port, "/api/v1/stats/providers?days=10")
        let list = try #require(providers["providers"] as? [[String: Any]])
        #expect(Set(list.compactMap { $0["provider"] as? String }) == Set(SampleGenerator.methods))
        for p in list {
            let m = p["provider"] as? String ?? ""
            #expect(try Self.blocks(p) == Self.expected(cells) { $0.method == m && $0.day >= "2026-01-11" }, "provider \(m)")
        }
        let one = try get(port, "/api/v1/stats/provider/paypal?days=20")
        #expect(try Self.blocks(one) == Self.expected(cells) { $0.method == "paypal" })
        let unknown = try LoopbackHTTP.get(port: port, "/api/v1/stats/provider/nope")
        #expect(unknown.status == 404 && unknown.body.contains("detail"))

        for (path, detail) in [
            ("/api/v1/stats/daily", "date is required"), ("/api/v1/stats/monthly?month=2026-13", "month must be"),
            ("/api/v1/stats/weekly?week=2026-W54", "week must be"),
            ("/api/v1/stats/range?startDate=2026-01-02&endDate=2026-01-01", "is after"),
            ("/api/v1/stats/range?startDate=2026-01-01&endDate=2026-01-02&type=refund", "type must be"),
            ("/api/v1/stats/providers?days=0", "days must be"), ("/api/v1/stats/compare?period=fortnight", "period must be"),
        ] {
            let r = try LoopbackHTTP.get(port: port, path)
            #expect(r.status == 400 && r.body.contains(detail), "\(path): \(r.status) \(r.body)")
        }
    }

    @Test("hourly on a DST change day in Europe/Berlin has 25 hours, each exact; the spring day has 23")
    func hourlyDST() throws {
        let fleet = try Fleet(today: "2026-10-30", timeZone: "Europe/Berlin")
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 8_000, days: 10, seed: 61, start: "2026-10-21")
        let cells = try ExpectedTotals.compute(csv: csv, timeZone: "Europe/Berlin")
        try fleet.importAndAggregate(csv)
        try fleet.dumpOnce() // the 25th is before the cut-off: served from MongoDB
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }

        let o = try get(port, "/api/v1/stats/hourly?date=2026-10-25")
        #expect(o["hours"] as? Int == 25)
        let hours = try #require(o["hourly"] as? [[String: Any]])
        #expect(hours.count == 25)
        #expect(hours[2]["start"] as? String == "2026-10-25T02:00:00+02:00")
        #expect(hours[3]["start"] as? String == "2026-10-25T02:00:00+01:00")
        for h in hours {
            let hour = h["hour"] as? Int ?? -1
            #expect(try Self.blocks(h) == Self.expected(cells) { $0.day == "2026-10-25" && $0.hour == hour }, "hour \(hour)")
        }
        let filtered = try get(port, "/api/v1/stats/hourly?date=2026-10-25&method=visa&status=success")
        for h in try #require(filtered["hourly"] as? [[String: Any]]) {
            let hour = h["hour"] as? Int ?? -1
            #expect(
                try Self.blocks(h)
                    == Self.expected(cells) { $0.day == "2026-10-25" && $0.hour == hour && $0.method == "visa" && $0.status == "success" })
        }
        #expect(try get(port, "/api/v1/stats/hourly?date=2026-03-29")["hours"] as? Int == 23)
    }

    @Test("an ISO week crossing the year end, and compare with an empty previous period")
    func isoWeekAndCompare() throws {
        let fleet = try Fleet(today: "2027-01-10")
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 6_000, days: 7, seed: 71, start: "2027-01-04")
        let early = try sampleCSV(rows: 3_000, days: 8, seed: 72, start: "2026-12-24")
        let cells = try ExpectedTotals.compute(csv: csv).merging(try ExpectedTotals.compute(csv: early)) { a, b in
            Tally(count: a.count + b.count, amount: a.amount + b.amount)
        }
        try fleet.importAndAggregate(csv)
        try fleet.importAndAggregate(early)
        try fleet.dumpOnce()
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }

        let week = try get(port, "/api/v1/stats/weekly?week=2026-W53")
        #expect(week["startDate"] as? String == "2026-12-28")
        #expect(week["endDate"] as? String == "2027-01-03")
        #expect((week["daily"] as? [Any])?.count == 7)
        #expect(try Self.blocks(week["total"]) == Self.expected(cells) { $0.day >= "2026-12-28" && $0.day <= "2027-01-03" })

        // 2027-01-04 … 2027-01-10 against 2026-12-28 … 2027-01-03 (which has data), then a
        // 3-day period whose previous 3 days (2027-01-05 … 07) are compared with 08 … 10 — and
        // a period whose previous one is empty.
        let c = try get(port, "/api/v1/stats/compare?period=7d")
        let current = try Self.blocks(c["current"])
        let previous = try Self.blocks(c["previous"])
        #expect(current == Self.expected(cells) { $0.day >= "2027-01-04" })
        #expect(previous == Self.expected(cells) { $0.day >= "2026-12-28" && $0.day <= "2027-01-03" })
        let change = try #require(c["change"] as? [String: Any])
        let dep = try #require(change["transactions"] as? [String: Any])
        let success = try #require(dep["success"] as? [String: Any])
        let delta = current["transactions"]!["success"]!.amount - previous["transactions"]!["success"]!.amount
        #expect(Int64((((success["amount"] as? NSNumber)?.doubleValue ?? 0) * 100).rounded()) == delta)
        #expect(dep["trend"] as? String == (delta > 0 ? "up" : delta < 0 ? "down" : "flat"))

        let empty = try get(port, "/api/v1/stats/compare?startDate=2026-12-24&endDate=2026-12-31")
        #expect(try Self.blocks(empty["previous"])["transactions"]?["total"] == Tally())
        let emptyChange = try #require((empty["change"] as? [String: Any])?["transactions"] as? [String: Any])
        let total = try #require(emptyChange["total"] as? [String: Any])
        #expect(total["amountPercent"] is NSNull, "percentage against zero is null")
        #expect(total["countPercent"] is NSNull)
        let rates = try #require(((empty["current"] as? [String: Any])?["rates"] as? [String: Any])?["transactions"] as? [String: Any])
        let e = Self.expected(cells) { $0.day >= "2026-12-24" && $0.day <= "2026-12-31" }["transactions"]!
        let rate = Double(e["success"]!.count) / Double(e["total"]!.count) * 100
        #expect(abs(((rates["successRate"] as? NSNumber)?.doubleValue ?? -1) - rate) < 0.006)
    }
}
