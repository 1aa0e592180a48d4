import Foundation
import StatsCore
import TestSupport
import Testing

@Suite("Business time zone: days and hours in the configured zone", .serialized)
struct TimeZoneTests {
    func runPipeline(_ csv: String, zone: String) throws -> [Cell: Tally] {
        let server = try RedisServer()
        defer { server.stop() }
        let path = try writeTemp(csv)
        #expect(try importer(server, path, extra: ["--timezone", zone, "--strict"]).wait() == 0)
        let agg = try aggregator(server, id: "tz", drain: true, env: ["TXSTATS_TIMEZONE": zone])
        #expect(try agg.wait() == 0, "\(agg.stderr.suffix(800))")
        return try AggregateSnapshot.read(server.connection())
    }

    @Test("rows near midnight land on the business day of America/New_York")
    func newYorkMidnight() throws {
        let cells = try runPipeline(
            """
            timestamp,type,payment_method,amount
            2026-01-15T03:30:00Z,deposit,visa,1.00
            2026-01-15T04:30:00Z,deposit,visa,2.00
            2026-01-15T00:10:00,deposit,visa,4.00
            2026-01-14T23:59:59-05:00,deposit,visa,8.00
            """, zone: "America/New_York")
        #expect(
            cells[Cell(day: "2026-01-14", type: "deposits", method: "visa", status: "success", hour: 22)] == Tally(count: 1, amount: 100))
        #expect(
            cells[Cell(day: "2026-01-14", type: "deposits", method: "visa", status: "success", hour: 23)] == Tally(count: 2, amount: 1000))
        #expect(
            cells[Cell(day: "2026-01-15", type: "deposits", method: "visa", status: "success", hour: 0)] == Tally(count: 1, amount: 400))
        #expect(cells.count == 3)
    }

    @Test("Europe/Berlin DST days: 25 distinct hours in October, 23 in March")
    func berlinDST() throws {
        let cells = try runPipeline(
            """
            timestamp,type,payment_method,amount
            2026-10-25T00:30:00,deposit,visa,1.00
            2026-10-25T02:30:00+02:00,deposit,visa,2.00
            2026-10-25T02:30:00+01:00,deposit,visa,4.00
            2026-10-25T23:30:00,deposit,visa,8.00
            2026-03-29T01:30:00,withdrawal,wire,1.00
            2026-03-29T03:30:00,withdrawal,wire,2.00
            2026-03-29T23:30:00,withdrawal,wire,4.00
            2026-03-28T23:30:00Z,withdrawal,wire,8.00
            """, zone: "Europe/Berlin")
        func at(_ day: String, _ type: String, _ method: String, _ hour: Int) -> Int64? {
            cells[Cell(day: day, type: type, method: method, status: "success", hour: hour)]?.amount
        }
        // Fall back: 02:30 CEST is the third hour of the day, 02:30 CET the fourth, 23:30 the 25th.
        #expect(at("2026-10-25", "deposits", "visa", 0) == 100)
        #expect(at("2026-10-25", "deposits", "visa", 2) == 200)
        #expect(at("2026-10-25", "deposits", "visa", 3) == 400)
        #expect(at("2026-10-25", "deposits", "visa", 24) == 800)
        // Spring forward: 03:30 CEST is only the third hour; 23:30 the 23rd; 23:30Z the day before is 00:30 local.
        #expect(at("2026-03-29", "withdrawals", "wire", 1) == 100)
        #expect(at("2026-03-29", "withdrawals", "wire", 2) == 200)
        #expect(at("2026-03-29", "withdrawals", "wire", 22) == 400)
        #expect(at("2026-03-29", "withdrawals", "wire", 0) == 800)
    }

    @Test("generated rows bucket in Asia/Kolkata exactly as an independent Foundation computation does")
    func kolkataMatchesFoundation() throws {
        let csv = try sampleCSV(rows: 5_000, days: 3, seed: 17)
        let expected = try ExpectedTotals.compute(csv: csv, timeZone: "Asia/Kolkata")
        let actual = try runPipeline(String(contentsOfFile: csv, encoding: .utf8), zone: "Asia/Kolkata")
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
    }

    @Test("workers that disagree on the time zone are refused rather than mixing buckets")
    func conflictingZoneRefused() throws {
        let server = try RedisServer()
        defer { server.stop() }
        #expect(try aggregator(server, id: "a", drain: true).wait() == 0)
        let other = try aggregator(server, id: "b", drain: true, env: ["TXSTATS_TIMEZONE": "Europe/Berlin"])
        #expect(try other.wait(timeout: 30) != 0)
        #expect(other.stderr.contains("timezone=UTC"), "\(other.stderr)")
    }
}
