import Foundation

/// One payment event as a producer sends it, in plain values: the expected side shares no code
/// with the system under test (no LedgerEntry, BatchAccumulator or commit script).
struct PaymentEvent: Hashable, Sendable {
    var id: String? // nil: an item without id, counted once per item
    var epochSeconds: Int64 // the transaction's `timestamp`
    var deposit: Bool
    var method: String
    var currency: String // ISO 4217 code
    var exponent: Int // its minor-unit exponent
    var status: String // success | failed | pending
    var amountMinor: Int64
    var updatedMillis: Int64? // `updated_at`, milliseconds since 1970; nil: none

    var type: String { deposit ? "deposits" : "withdrawals" }
    /// The part an id can never change.
    var immutable: [String] { [String(epochSeconds), type, currency, method] }
}

/// Per (day, type, currency): the expected contents of the `:status` and `:hourly` hashes
/// (`method|status|n`, `method|status|a`; `method|status|HH|n`, `…|a`), zero fields left out.
struct DTC: Hashable, Comparable, CustomStringConvertible {
    var day: String
    var type: String
    var currency: String
    var description: String { "\(day):\(type):\(currency)" }
    static func < (a: DTC, b: DTC) -> Bool { a.description < b.description }
}

struct LedgerCounters: Equatable, CustomStringConvertible {
    var new = 0
    var duplicate = 0
    var stale = 0
    var moved = 0
    var expired = 0
    var conflict = 0
    var description: String {
        "new=\(new) duplicate=\(duplicate) stale=\(stale) moved=\(moved) expired=\(expired) conflict=\(conflict)"
    }
    /// Everything but `new`: events whose split between duplicate, stale and moved depends on the
    /// order of arrival.
    var decidedByOrder: Int { duplicate + stale + moved }

    static func - (a: LedgerCounters, b: LedgerCounters) -> LedgerCounters {
        LedgerCounters(
            new: a.new - b.new, duplicate: a.duplicate - b.duplicate, stale: a.stale - b.stale, moved: a.moved - b.moved,
            expired: a.expired - b.expired, conflict: a.conflict - b.conflict)
    }
}

/// "Latest state per id", written from the rules in the brief (issue 10), event by event in
/// queue order, with the business time zone fixed to UTC (the tests use UTC):
///
/// - no id: counted, once per item;
/// - the id's day (from `timestamp`) ended more than `ledgerDays` days before `now`: counted as
///   new without looking at or changing the ledger (expired);
/// - unknown id: new;
/// - the very same event again: duplicate;
/// - another timestamp, type, currency or method than the recorded state: conflict (dead letter);
/// - both with updated_at: older → stale; equal with another status or amount → conflict;
///   newer → applied;
/// - otherwise arrival order decides, except that pending never replaces success/failed (stale);
/// - applied with the same status and amount: duplicate (the recorded updated_at is refreshed);
///   else moved: count and amount leave the old status cell and enter the new one.
struct LedgerModel {
    struct State {
        var event: PaymentEvent
    }

    var ledgerDays: Int = 35
    var now: Date = Date()
    private(set) var ledger: [String: State] = [:]
    private(set) var counters = LedgerCounters()
    /// Field -> value of every status and hourly hash.
    private(set) var status: [DTC: [String: Int64]] = [:]
    private(set) var hourly: [DTC: [String: Int64]] = [:]
    /// Per event fed, what the ledger decided (`none` for events without id).
    private(set) var outcomes: [String] = []

    init(ledgerDays: Int = 35, now: Date = Date()) {
        self.ledgerDays = ledgerDays
        self.now = now
    }

    static func day(_ epoch: Int64) -> Int64 { epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400 }

    static func dayName(_ epoch: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(day(epoch) * 86_400))
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    private mutating func add(_ e: PaymentEvent, sign: Int64) {
        let key = DTC(day: Self.dayName(e.epochSeconds), type: e.type, currency: e.currency)
        let hour = (e.epochSeconds - Self.day(e.epochSeconds) * 86_400) / 3600
        let hh = hour < 10 ? "0\(hour)" : "\(hour)"
        status[key, default: [:]]["\(e.method)|\(e.status)|n", default: 0] += sign
        status[key, default: [:]]["\(e.method)|\(e.status)|a", default: 0] += sign * e.amountMinor
        hourly[key, default: [:]]["\(e.method)|\(e.status)|\(hh)|n", default: 0] += sign
        hourly[key, default: [:]]["\(e.method)|\(e.status)|\(hh)|a", default: 0] += sign * e.amountMinor
    }

    mutating func feed(_ events: [PaymentEvent]) {
        for e in events { feed(e) }
    }

    mutating func feed(_ e: PaymentEvent) {
        guard let id = e.id else {
            add(e, sign: 1)
            outcomes.append("none")
            return
        }
        // The window: the day's end plus ledgerDays, against the real clock. An id still
        // recorded is decided as usual; an unknown one outside the window is counted, not kept.
        let dayEnd = (Self.day(e.epochSeconds) + 1) * 86_400
        if ledger[id] == nil, dayEnd + Int64(ledgerDays) * 86_400 <= Int64(now.timeIntervalSince1970) {
            add(e, sign: 1)
            counters.expired += 1
            outcomes.append("expired")
            return
        }
        guard let old = ledger[id]?.event else {
            add(e, sign: 1)
            ledger[id] = State(event: e)
            counters.new += 1
            outcomes.append("new")
            return
        }
        if old == e {
            counters.duplicate += 1
            outcomes.append("duplicate")
            return
        }
        if old.immutable != e.immutable {
            counters.conflict += 1
            outcomes.append("conflict")
            return
        }
        let apply: Bool
        if let u = e.updatedMillis, let ou = old.updatedMillis {
            if u < ou {
                apply = false
            } else if u == ou {
                counters.conflict += 1
                outcomes.append("conflict")
                return
            } else {
                apply = true
            }
        } else {
            apply = !(old.status != "pending" && e.status == "pending")
        }
        guard apply else {
            counters.stale += 1
            outcomes.append("stale")
            return
        }
        if old.status == e.status && old.amountMinor == e.amountMinor {
            counters.duplicate += 1
            outcomes.append("duplicate")
        } else {
            add(old, sign: -1)
            add(e, sign: 1)
            counters.moved += 1
            outcomes.append("moved")
        }
        ledger[id] = State(event: e)
    }

    /// The expected hashes without zero fields (a cell moved away leaves a 0 behind in Redis).
    var expectedStatus: [DTC: [String: Int64]] { Self.nonZero(status) }
    var expectedHourly: [DTC: [String: Int64]] { Self.nonZero(hourly) }
    /// The totals hash: method -> amount of successful transactions.
    var expectedTotals: [DTC: [String: Int64]] {
        var out: [DTC: [String: Int64]] = [:]
        for (k, fields) in status {
            for (f, v) in fields where f.hasSuffix("|success|a") {
                out[k, default: [:]][String(f.dropLast("|success|a".count)), default: 0] += v
            }
        }
        return Self.nonZero(out)
    }

    static func nonZero(_ m: [DTC: [String: Int64]]) -> [DTC: [String: Int64]] {
        m.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }

    /// A readable list of the first differences between two sets of hashes, or nil when equal.
    static func diff(_ actual: [DTC: [String: Int64]], _ expected: [DTC: [String: Int64]], limit: Int = 12) -> String? {
        var problems: [String] = []
        for key in Set(actual.keys).union(expected.keys).sorted() {
            let a = actual[key] ?? [:]
            let e = expected[key] ?? [:]
            for f in Set(a.keys).union(e.keys).sorted() where a[f] != e[f] {
                problems.append("\(key) \(f): got \(a[f].map(String.init) ?? "nothing"), expected \(e[f].map(String.init) ?? "nothing")")
            }
        }
        guard !problems.isEmpty else { return nil }
        return "\(problems.count) fields differ:\n" + problems.prefix(limit).joined(separator: "\n")
    }
}
