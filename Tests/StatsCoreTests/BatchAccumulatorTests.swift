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
        var parser = TransactionParser(calendar: calendar, currency: .usd)
        var acc = BatchAccumulator()
        let visa = try parser.methods.index(of: "visa").get()
        let wire = try parser.methods.index(of: "wire").get()
        let base: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z
        let rows: [(Int64, TransactionType, Int, TransactionStatus, Int64)] = [
            (base + 10, .deposit, visa, .success, 100), (base + 20, .deposit, visa, .success, 250),
            (base + 3600, .deposit, visa, .failed, 999), (base + 86_400 + 5, .withdrawal, wire, .pending, 7),
        ]
        for r in rows {
            acc.add(
                .init(epochSeconds: r.0, type: r.1, method: r.2, status: r.3, amountMinor: r.4, currency: Currency.usd.index),
                calendar: &calendar)
        }
        #expect(acc.rows == 4)
        #expect(acc.events.isEmpty)
        let layout = KeyLayout(queue: "Q")
        let (keys, args) = acc.commitArguments(keys: layout, worker: "w", methods: parser.methods.names)
        let day1 = CivilDay(year: 2026, month: 1, day: 1)!
        let day2 = day1.adding(days: 1)
        #expect(
            keys.prefix(11) == [
                layout.inflight(worker: "w"), layout.workers, layout.dirty, layout.days, layout.methods, layout.version, layout.deadLetter,
                layout.meta, layout.currencies, layout.ledgerStats, layout.ledgerSweep,
            ])
        // Decode ARGV the way the Lua script does.
        var a = argv(args)[...]
        func next() -> String { a.removeFirst() }
        #expect(next() == "0") // no dead letters
        var dtcs: [(day: String, type: String, currency: String)] = []
        for _ in 0..<Int(next())! {
            let d = next()
            _ = next() // score
            dtcs.append((d, next(), next()))
        }
        #expect(Set(dtcs.map { "\($0.day):\($0.type):\($0.currency)" }) == ["2026-01-01:deposits:USD", "2026-01-02:withdrawals:USD"])
        #expect(
            Array(keys.dropFirst(11))
                == dtcs.flatMap { d in
                    layout.hashes(CivilDay.parse(d.day)!, TransactionType(text: d.type)!, Currency(code: d.currency)!)
                })
        for _ in 0..<Int(next())! { _ = (next(), next(), next()) } // groups (for ledger events)
        var hashes: [String: [String: Int64]] = [:]
        for d in dtcs {
            let day = CivilDay.parse(d.day)!
            let type = TransactionType(text: d.type)!
            let currency = Currency(code: d.currency)!
            for key in [layout.hourly(day, type, currency), layout.status(day, type, currency), layout.totals(day, type, currency)] {
                for _ in 0..<Int(next())! { hashes[key, default: [:]][next()] = Int64(next())! }
            }
        }
        #expect(hashes[layout.totals(day1, .deposit, .usd)] == ["visa": 350])
        #expect(
            hashes[layout.status(day1, .deposit, .usd)] == [
                "visa|success|n": 2, "visa|success|a": 350, "visa|failed|n": 1, "visa|failed|a": 999,
            ])
        #expect(
            hashes[layout.hourly(day1, .deposit, .usd)] == [
                "visa|success|00|n": 2, "visa|success|00|a": 350, "visa|failed|01|n": 1, "visa|failed|01|a": 999,
            ])
        #expect(hashes[layout.hourly(day2, .withdrawal, .usd)] == ["wire|pending|00|n": 1, "wire|pending|00|a": 7])
        #expect(hashes[layout.totals(day2, .withdrawal, .usd)] == nil, "no successful withdrawal: no totals field")
        // No shards, no sweep, no window, the smallest sweep step, no events; the methods.
        #expect(Array(a) == ["0", "0", "-1e18", "100", "0", "2", "visa", "wire"])
    }

    @Test("rows with an id become ledger events in batch order, with their bucket's expiry and their text's place")
    func ledgerEvents() throws {
        var calendar = BusinessCalendar.utc
        var parser = TransactionParser(calendar: calendar, currency: .usd)
        var acc = BatchAccumulator(ledgerDays: 3)
        let card = try parser.methods.index(of: "card").get()
        let base: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z
        acc.add(
            .init(
                epochSeconds: base + 7200, type: .deposit, method: card, status: .pending, amountMinor: 1500, currency: Currency.jpy.index,
                id: "p1"),
            calendar: &calendar, item: 4, span: 10..<50)
        acc.add(
            .init(
                epochSeconds: base + 7200, type: .deposit, method: card, status: .success, amountMinor: 1500, currency: Currency.jpy.index,
                id: "p1",
                updatedMicros: 1_767_232_800_250_000),
            calendar: &calendar, item: 5, span: 0..<80)
        #expect(acc.events.count == 2 && acc.cells.isEmpty && acc.rows == 2)
        let cutoff = acc.ledgerCutoff(calendar: &calendar, now: base + 4 * 86_400 + 5)
        #expect(cutoff == base + 86_400, "the window starts 3 days before today's business day")
        let (keys, args) = acc.commitArguments(
            keys: KeyLayout(queue: "Q"), worker: "w", methods: parser.methods.names, cutoff: cutoff, sweep: nil)
        #expect(keys.last == KeyLayout(queue: "Q").ledger(shard: LedgerEntry.shard(of: "p1")))
        let a = argv(args)
        // B = 1 shard, no sweep, the window's start, the sweep step, then E = 2 events.
        let b = a.firstIndex(of: String(cutoff))!
        #expect(a[b - 2] == "1" && a[b - 1] == "0" && a[b + 1] == "104" && a[b + 2] == "2")
        let first = Array(a[(b + 3)..<(b + 15)])
        #expect(first == ["1", "p1", "1767232800:d:JPY:card|p|1500|", "21", "1", "3", "1500", "", "4", "10", "40", "1"])
        let second = Array(a[(b + 15)..<(b + 27)])
        #expect(
            second[2]
                == LedgerEntry(
                    epochSeconds: base + 7200, type: .deposit, currency: .jpy, method: "card", status: .success, amountMinor: 1500,
                    updatedMicros: 1_767_232_800_250_000
                ).value)
        #expect(second[5] == "1" && second[8] == "5")
        #expect(LedgerEntry(value: second[2])?.updatedMicros == 1_767_232_800_250_000)
        #expect(LedgerEntry(value: first[2])?.currency == .jpy)
    }

    func argv(_ c: RedisCommand) -> [String] { c.arguments }
}
