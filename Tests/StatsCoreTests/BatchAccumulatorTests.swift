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
        // Decode ARGV the way the Lua script does: no shards, no sweep, no window, the smallest
        // sweep step, no ledger entries; the six outcomes; no dead letters.
        var a = argv(args)[...]
        func next() -> String { a.removeFirst() }
        #expect((0..<5).map { _ in next() } == ["0", "0", "-1e18", "100", "0"])
        #expect((0..<6).map { _ in next() } == ["0", "0", "0", "0", "0", "0"])
        #expect(next() == "0")
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
        // The methods.
        #expect(Array(a) == ["2", "visa", "wire"])
    }

    @Test("the ledger's decisions: new, duplicate, expired, moved, conflict, stale; corrections in the batch's own cells")
    func ledgerDecisions() throws {
        var calendar = BusinessCalendar.utc
        var parser = TransactionParser(calendar: calendar, currency: .usd)
        var acc = BatchAccumulator(ledgerDays: 3)
        let card = try parser.methods.index(of: "card").get()
        let wire = try parser.methods.index(of: "wire").get()
        let base: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z
        let t = base + 5 * 86_400 + 7200 // inside the window
        func row(_ id: String, _ epoch: Int64, _ method: Int, _ status: TransactionStatus, _ amount: Int64, updated: Int64? = nil)
            -> TransactionParser.Row
        {
            .init(
                epochSeconds: epoch, type: .deposit, method: method, status: status, amountMinor: amount, currency: Currency.jpy.index,
                id: id, updatedMicros: updated)
        }
        func entry(_ epoch: Int64, _ method: String, _ status: TransactionStatus, _ amount: Int64, updated: Int64? = nil) -> String {
            LedgerEntry(
                epochSeconds: epoch, type: .deposit, currency: .jpy, method: method, status: status, amountMinor: amount,
                updatedMicros: updated
            ).value
        }
        let rows = [
            row("n1", t, card, .success, 100), row("n1", t, card, .success, 100), row("old", base + 60, card, .success, 5),
            row("k", t, card, .success, 300), row("c", t, wire, .success, 7), row("s", t, card, .pending, 40, updated: 10),
            row("n2", t, card, .failed, 11),
        ]
        for (i, r) in rows.enumerated() { acc.add(r, calendar: &calendar, item: i, span: 0..<(i + 1)) }
        #expect(acc.events.count == 7 && acc.rows == 7)
        let states = [
            "k": entry(t, "card", .pending, 250), "c": entry(t, "card", .success, 7), "s": entry(t, "card", .success, 40, updated: 20),
        ]
        let cutoff = acc.ledgerCutoff(calendar: &calendar, now: base + 6 * 86_400 + 5)
        #expect(cutoff == base + 3 * 86_400, "the window starts 3 days before today's business day")
        let plan = acc.decide(states: states, cutoff: cutoff, methods: parser.methods.names, worker: "w") { item, span in
            "item \(item) span \(span.count)"
        }
        var expected = LedgerOutcome()
        expected.new = 2
        expected.duplicate = 1
        expected.expired = 1
        expected.moved = 1
        expected.conflict = 1
        expected.stale = 1
        #expect(plan.outcome == expected)
        // One entry per id read: what was read, and what to write (nil: unchanged).
        let byId = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.id, $0) })
        #expect(Set(byId.keys) == ["n1", "old", "k", "c", "s", "n2"])
        #expect(byId["n1"]?.expected == nil && byId["n1"]?.next == entry(t, "card", .success, 100))
        #expect(byId["old"]?.expected == nil && byId["old"]?.next == nil, "expired: counted, not recorded")
        #expect(byId["k"]?.expected == states["k"] && byId["k"]?.next == entry(t, "card", .success, 300))
        #expect(byId["c"]?.next == nil && byId["s"]?.next == nil)
        #expect(plan.entries.allSatisfy { $0.shard == LedgerEntry.shard(of: $0.id) })
        // The conflict's dead letter holds the event's text.
        #expect(acc.deadLetters.count == 1)
        let dead = try DeadLetter.decode(acc.deadLetters[0])
        #expect(dead.reason == "conflicting_update" && dead.raw == "item 4 span 5" && dead.worker == "w")
        // Cells: each event summed as new, then corrected.
        var tallies: [String: CellTable.Tally] = [:]
        // swift-format-ignore: ReplaceForEachWithForLoop
        acc.cells.forEach { key, tally in
            let c = BatchAccumulator.unpack(key)
            tallies["\(parser.methods.names[c.method])|\(c.status)|\(c.day)"] = tally
        }
        let day = "\(CivilDay(year: 2026, month: 1, day: 6)!)"
        #expect(tallies["card|success|\(day)"] == .init(count: 2, amount: 400), "n1 once, k's new state")
        #expect(tallies["card|pending|\(day)"] == .init(count: -1, amount: -250), "k's old state taken away; s's stale event taken back")
        #expect(tallies["card|failed|\(day)"] == .init(count: 1, amount: 11))
        #expect(tallies["wire|success|\(day)"] == .init(count: 0, amount: 0), "the conflict taken back")
        #expect(tallies["card|success|2026-01-01"] == .init(count: 1, amount: 5), "expired: still counted")
        // The commit's ARGV carries the plan: one shard per id's shard, and the outcomes.
        let (keys, args) = acc.commitArguments(
            keys: KeyLayout(queue: "Q"), worker: "w", methods: parser.methods.names, plan: plan, cutoff: cutoff, sweep: nil)
        let a = argv(args)
        let shards = Set(plan.entries.map(\.shard)).sorted()
        #expect(Array(keys[11..<(11 + shards.count)]) == shards.map { KeyLayout(queue: "Q").ledger(shard: $0) })
        #expect(a[0] == String(shards.count) && a[1] == "0" && a[2] == String(cutoff) && a[4] == "6")
        let outcomes = Array(a[(5 + 4 * 6)..<(5 + 4 * 6 + 6)])
        #expect(outcomes == ["2", "1", "1", "1", "1", "1"])
        // The empty cell (the conflict's) writes nothing: wire is not among the methods used.
        #expect(a.suffix(2) == ["1", "card"])
    }

    func argv(_ c: RedisCommand) -> [String] { c.arguments }
}
