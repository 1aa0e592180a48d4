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
        #expect(keys.ledger(day) == "{TransactionQueue}:ledger:2026-01-15")
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
            keys.status(day, .withdrawal, .jpy), keys.hourly(day, .deposit, .kwd), keys.currencies, keys.ledger(day), keys.ledgerStats,
        ]
        #expect(Set(all.map(hashTag)) == ["TransactionQueue"])
        let other = KeyLayout(queue: "TransactionQueue.2")
        #expect(hashTag(other.totals(day, .deposit, .usd)) == "TransactionQueue.2")
    }
}
