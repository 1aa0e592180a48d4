import Redis
import Testing

@testable import StatsCore

@Suite("Batch accumulator and cell table")
struct BatchAccumulatorTests {
    @Test("the cell table agrees with a Dictionary on random keys, across growth and reset")
    func cellTable() {
        var table = CellTable(capacity: 4)
        var reference: [UInt64: CellTable.Tally] = [:]
        var rng = SplitMix64(seed: 5)
        for round in 0..<2 {
            for _ in 0..<20_000 {
                let key = rng.next() % 3_000 &* 0x1_0000_0001
                let amount = Int64(rng.next() % 1000)
                table.add(key, count: 1, amount: amount)
                reference[key, default: .init()].count += 1
                reference[key, default: .init()].amount += amount
            }
            var seen: [UInt64: CellTable.Tally] = [:]
            // swift-format-ignore: ReplaceForEachWithForLoop
            table.forEach { seen[$0] = $1 } // CellTable is not a Sequence
            #expect(seen == reference, "round \(round)")
            table.removeAll()
            reference.removeAll()
            #expect(table.isEmpty)
        }
    }

    @Test("commit arguments: per-hour fields sum to the status fields; totals hold success amounts only")
    func commitArguments() throws {
        var calendar = BusinessCalendar.utc
        var parser = TransactionParser(calendar: calendar, scale: 2)
        var acc = BatchAccumulator()
        let visa = try parser.methods.index(of: "visa").get()
        let wire = try parser.methods.index(of: "wire").get()
        let base: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z
        let rows: [(Int64, TransactionType, Int, TransactionStatus, Int64)] = [
            (base + 10, .deposit, visa, .success, 100), (base + 20, .deposit, visa, .success, 250),
            (base + 3600, .deposit, visa, .failed, 999), (base + 86_400 + 5, .withdrawal, wire, .pending, 7),
        ]
        for r in rows {
            acc.add(.init(epochSeconds: r.0, type: r.1, method: r.2, status: r.3, amountMinor: r.4, sleepMs: 0), calendar: &calendar)
        }
        #expect(acc.rows == 4)
        let layout = KeyLayout(queue: "Q")
        let (keys, args) = acc.commitArguments(keys: layout, worker: "w", methods: parser.methods.names)
        let day1 = CivilDay(year: 2026, month: 1, day: 1)!
        let day2 = day1.adding(days: 1)
        #expect(
            keys.prefix(7) == [
                layout.inflight(worker: "w"), layout.workers, layout.dirty, layout.days, layout.methods, layout.version, layout.deadLetter,
            ])
        #expect(
            Set(keys.dropFirst(7)) == [
                layout.totals(day1, .deposit), layout.status(day1, .deposit), layout.hourly(day1, .deposit),
                layout.status(day2, .withdrawal), layout.hourly(day2, .withdrawal),
            ])
        // Decode ARGV the way the Lua script does.
        var a = argv(args)[...]
        #expect(a.removeFirst() == "0") // no dead letters
        var hashes: [String: [String: Int64]] = [:]
        for key in keys.dropFirst(7) {
            let n = Int(a.removeFirst())!
            for _ in 0..<n { hashes[key, default: [:]][a.removeFirst()] = Int64(a.removeFirst())! }
        }
        #expect(hashes[layout.totals(day1, .deposit)] == ["visa": 350])
        #expect(
            hashes[layout.status(day1, .deposit)] == ["visa|success|n": 2, "visa|success|a": 350, "visa|failed|n": 1, "visa|failed|a": 999])
        #expect(
            hashes[layout.hourly(day1, .deposit)] == [
                "visa|success|00|n": 2, "visa|success|00|a": 350, "visa|failed|01|n": 1, "visa|failed|01|a": 999,
            ])
        #expect(hashes[layout.hourly(day2, .withdrawal)] == ["wire|pending|00|n": 1, "wire|pending|00|a": 7])
        #expect(
            Array(a) == [
                "2", String(day1.daysSinceEpoch), "2026-01-01", String(day2.daysSinceEpoch), "2026-01-02",
                "2", "2026-01-01:deposits", "2026-01-02:withdrawals", "2", "visa", "wire",
            ])
    }

    func argv(_ c: RedisCommand) -> [String] { c.arguments }
}
