import Testing

@testable import StatsCore

@Suite("Key layout")
struct KeyLayoutTests {
    let keys = KeyLayout(queue: "TransactionQueue")
    let day = CivilDay(year: 2026, month: 1, day: 15)!

    @Test("aggregate keys keep the original's readable name, name their currency and carry the queue's hash tag")
    func names() {
        #expect(keys.totals(day, .deposit, .usd) == "agg:2026-01-15:deposits:USD:{TransactionQueue}")
        #expect(keys.status(day, .withdrawal, .jpy) == "agg:2026-01-15:withdrawals:JPY:{TransactionQueue}:status")
        #expect(keys.hourly(day, .deposit, .kwd) == "agg:2026-01-15:deposits:KWD:{TransactionQueue}:hourly")
        #expect(KeyLayout.dirtyMember(day, .deposit, .jpy) == "2026-01-15:deposits:JPY")
        #expect(KeyLayout.parseDirtyMember("2026-01-15:deposits:JPY")! == (day, .deposit, .jpy))
        #expect(KeyLayout.parseDirtyMember("2026-01-15:deposits") == nil)
        #expect(keys.ledger(shard: 3) == "{TransactionQueue}:ledger:3")
        let entry = keys.outboxEntry(seq: 7, day, .withdrawal, .kwd)
        #expect(entry == "{TransactionQueue}:outbox:7:2026-01-15:withdrawals:KWD")
        #expect(keys.parseOutboxEntry(entry)! == (7, day, .withdrawal, .kwd))
        #expect(keys.inflight(worker: "w1") == "{TransactionQueue}:inflight:w1")
        #expect(KeyLayout.hourlyField(method: "visa", status: .failed, hour: 3, count: true) == "visa|failed|03|n")
        #expect(KeyLayout.statusField(method: "visa", status: .pending, count: false) == "visa|pending|a")
    }

    /// Redis Cluster hashes only the part inside the first {...}, or the whole key without one.
    func hashTag(_ key: String) -> Substring {
        if let open = key.firstIndex(of: "{"), let close = key[key.index(after: open)...].firstIndex(of: "}"),
            close > key.index(after: open)
        {
            return key[key.index(after: open)..<close]
        }
        return Substring(key)
    }

    @Test("every key one atomic step touches hashes to the same cluster slot as the queue")
    func sameSlot() {
        let all = [
            keys.queue, keys.deadLetter, keys.imports, keys.workers, keys.dirty, keys.days, keys.methods,
            keys.version, keys.meta, keys.inflight(worker: "a"), keys.inflightOwners, keys.unarchivable, keys.totals(day, .deposit, .usd),
            keys.status(day, .withdrawal, .jpy), keys.hourly(day, .deposit, .kwd), keys.currencies, keys.ledger(shard: 15),
            keys.ledgerStats, keys.ledgerSweep,
        ]
        #expect(Set(all.map(hashTag)) == ["TransactionQueue"])
        let other = KeyLayout(queue: "TransactionQueue.2")
        #expect(hashTag(other.totals(day, .deposit, .usd)) == "TransactionQueue.2")
    }
}

@Suite("Ledger entries and shards")
struct LedgerEntryTests {
    @Test("an entry's value reads back to the same state; updated keys order as their instants")
    func roundTrip() {
        let e = LedgerEntry(
            epochSeconds: -62_135_596_800, type: .withdrawal, currency: .kwd, method: "a:b c", status: .failed,
            amountMinor: 1_000_000_000_000_000_000, updatedMicros: -62_135_596_800_000_000)
        #expect(LedgerEntry(value: e.value) == e)
        #expect(e.updatedKey == "000000000000000")
        var earlier = e
        earlier.updatedMicros = 1_700_000_000_000_000
        var later = e
        later.updatedMicros = 1_700_000_000_000_001
        #expect(earlier.updatedKey < later.updatedKey && earlier.updatedKey.count == 15 && later.updatedKey.count == 15)
        later.updatedMicros = nil
        #expect(later.updatedKey == "" && LedgerEntry(value: later.value) == later)
        #expect(LedgerEntry(value: "garbage") == nil)
    }

    @Test("ids spread over every shard, also ids that differ only at the end")
    func shards() {
        var counts = [Int](repeating: 0, count: LedgerEntry.shards)
        for i in 0..<16_000 { counts[LedgerEntry.shard(of: "pay-22-\(i)")] += 1 }
        #expect(counts.allSatisfy { $0 > 800 && $0 < 1200 }, "\(counts)")
        #expect(LedgerEntry.shard(of: "tx-1") == LedgerEntry.shard(of: "tx-1"))
    }
}
