import Redis

/// Sums a batch of rows in memory per (day, type, currency, method, hour, status) cell, and
/// collects the rows that carry an id as ledger events, then renders the whole batch as one
/// atomic ``Scripts/commit`` call: one HINCRBY per hash field however many rows the batch held.
/// Rows with an id are summed as new and then decided against the ledger entries read for them
/// (new, resent, stale, moved), in the order they were added; the commit applies the decisions
/// only if those entries are still what was read (``LedgerPlan``).
public struct BatchAccumulator: Sendable {
    public private(set) var cells = CellTable()
    public private(set) var events: [LedgerEvent] = []
    public private(set) var rows = 0
    public var deadLetters: [String] = []
    /// Ids are remembered for this many days after their transaction's day.
    public let ledgerDays: Int
    // One-entry cache: consecutive rows mostly fall in the same hour and cell.
    private var lastHourStart: Int64 = .max
    private var lastHourEnd: Int64 = .min
    private var lastDay = CivilDay(daysSinceEpoch: 0)
    private var lastHour = 0

    public init(ledgerDays: Int = 35) {
        self.ledgerDays = ledgerDays
    }

    public var isEmpty: Bool { rows == 0 && deadLetters.isEmpty }

    public mutating func reset() {
        cells.removeAll()
        events.removeAll(keepingCapacity: true)
        deadLetters.removeAll(keepingCapacity: true)
        rows = 0
    }

    /// A row with an id, waiting for the ledger's decision (``decide(states:cutoff:methods:worker:raw:)``).
    public struct LedgerEvent: Sendable, Equatable {
        /// The cell key of this event (its status included).
        public var cell: UInt64
        public var id: String
        /// ``LedgerEntry/shard(of:)`` of the id, computed once.
        public var shard: Int
        public var epochSeconds: Int64
        public var amountMinor: Int64
        public var updatedMicros: Int64?
        /// Which queue item of the batch it came from (0 = oldest), and where in that item.
        public var item: Int
        public var span: Range<Int>
    }

    /// Cell key: day (32 bits, biased) | method (16) | currency (8) | hour (5) | type (1) | status (2).
    @inline(__always)
    static func key(day: CivilDay, method: Int, currency: Int, hour: Int, type: TransactionType, status: TransactionStatus) -> UInt64 {
        UInt64(UInt32(bitPattern: day.daysSinceEpoch)) << 32 | UInt64(method & 0xFFFF) << 16 | UInt64(currency & 0xFF) << 8
            | UInt64(hour & 0x1F) << 3 | UInt64(type.rawValue) << 2 | UInt64(status.rawValue)
    }

    struct CellParts {
        var day: CivilDay
        var method: Int
        var currency: Int
        var hour: Int
        var type: TransactionType
        var status: TransactionStatus
    }

    static func unpack(_ key: UInt64) -> CellParts {
        CellParts(
            day: CivilDay(daysSinceEpoch: Int32(bitPattern: UInt32(key >> 32))), method: Int(key >> 16 & 0xFFFF),
            currency: Int(key >> 8 & 0xFF), hour: Int(key >> 3 & 0x1F),
            type: TransactionType(rawValue: UInt8(key >> 2 & 1))!, status: TransactionStatus(rawValue: UInt8(key & 3))!)
    }

    /// Adds a row taken from queue item `item` of the batch (`span`: its text in that item).
    @inline(__always)
    public mutating func add(_ row: TransactionParser.Row, calendar: inout BusinessCalendar, item: Int = 0, span: Range<Int> = 0..<0) {
        if row.epochSeconds < lastHourStart || row.epochSeconds >= lastHourEnd {
            let b = calendar.bucket(epochSeconds: row.epochSeconds)
            lastDay = b.day
            lastHour = b.hour
            let info = calendar.dayInfo(b.day)
            lastHourStart = info.start + Int64(b.hour) * 3600
            lastHourEnd = min(lastHourStart + 3600, info.end)
        }
        let k = Self.key(day: lastDay, method: row.method, currency: row.currency, hour: lastHour, type: row.type, status: row.status)
        // Counted as new; `decide` takes back what the ledger decides otherwise.
        cells.add(k, count: 1, amount: row.amountMinor)
        if let id = row.id {
            events.append(
                LedgerEvent(
                    cell: k, id: id, shard: LedgerEntry.shard(of: id), epochSeconds: row.epochSeconds, amountMinor: row.amountMinor,
                    updatedMicros: row.updatedMicros,
                    item: item, span: span))
        }
        rows += 1
    }

    /// The start of the ledger window: the first instant of the business day `ledgerDays`
    /// before today. Events of transactions before it are outside the window.
    public func ledgerCutoff(calendar: inout BusinessCalendar, now: Int64) -> Int64 {
        calendar.dayInfo(calendar.bucket(epochSeconds: now).day.adding(days: -ledgerDays)).start
    }

    /// The ledger fields to read before deciding: each id of the batch's events once, by shard.
    public func ledgerReads() -> [(shard: Int, ids: [String])] {
        var seen = Set<String>()
        var byShard: [Int: [String]] = [:]
        for e in events where seen.insert(e.id).inserted { byShard[e.shard, default: []].append(e.id) }
        return byShard.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Decides the batch's events in batch order against `states` (the entries read for its
    /// ids; an id without one is unknown). Every event was summed as new when it was added; what
    /// the ledger decides otherwise is taken back here, in the same cells: a duplicate, stale or
    /// conflicting event loses its +1 and amount, a moved one takes the old state's away.
    /// Conflicts become `conflicting_update` dead letters holding the event's text (`raw`).
    ///
    /// The rules: an unknown id is new (expired, and not recorded, if its transaction is before
    /// `cutoff`); the same entry again is a duplicate; another timestamp, type, currency or
    /// method is a conflict; with `updated_at` on both, older is stale, equal (with another
    /// state) a conflict, newer applies; without, arrival order, except that `pending` never
    /// replaces `success` or `failed` (stale). Applied with the same status and amount it is a
    /// duplicate (only `updated_at` is refreshed), otherwise moved.
    public mutating func decide(
        states: [String: String], cutoff: Int64, methods: [String], worker: String, raw: (Int, Range<Int>) -> String
    ) -> LedgerPlan {
        var plan = LedgerPlan()
        var latest: [String: String] = [:] // each id's entry as decided so far
        var changed = Set<String>()
        var seen = Set<String>()
        var order: [(shard: Int, id: String)] = []
        for e in events {
            // First sight of this id in the batch: start from the entry read.
            if seen.insert(e.id).inserted {
                order.append((e.shard, e.id))
                if let s = states[e.id] { latest[e.id] = s }
            }
            let c = Self.unpack(e.cell)
            let entry = LedgerEntry(
                epochSeconds: e.epochSeconds, type: c.type, currency: Currency.all[c.currency], method: methods[c.method],
                status: c.status, amountMinor: e.amountMinor, updatedMicros: e.updatedMicros)
            let v = entry.value
            guard let o = latest[e.id] else {
                if e.epochSeconds < cutoff {
                    plan.outcome.expired += 1
                } else {
                    latest[e.id] = v
                    changed.insert(e.id)
                    plan.outcome.new += 1
                }
                continue
            }
            let undo = { (cells: inout CellTable) in cells.add(e.cell, count: -1, amount: -e.amountMinor) }
            func conflict(_ detail: String) {
                plan.outcome.conflict += 1
                deadLetters.append(
                    DeadLetter(stage: "aggregate", reason: .conflictingUpdate(detail), raw: raw(e.item, e.span), worker: worker).json)
                undo(&cells)
            }
            if o == v {
                plan.outcome.duplicate += 1
                undo(&cells)
                continue
            }
            let immutable = entry.immutablePart
            let old = LedgerEntry.state(of: o)
            let recorded = LedgerEntry.immutablePrefix(of: o)
            if recorded != immutable {
                conflict(
                    "id \"\(e.id)\" was first seen as \(old == nil ? o : String(recorded)), this event says \(immutable) (timestamp:type:currency:payment_method cannot change)"
                )
                continue
            }
            guard let old else {
                conflict("id \"\(e.id)\" has an unreadable ledger entry: \(o)")
                continue
            }
            var apply = false
            if let u = e.updatedMicros, let ou = old.updatedMicros {
                if u < ou {
                    plan.outcome.stale += 1
                    undo(&cells)
                } else if u == ou {
                    conflict("id \"\(e.id)\" already has another status or amount with the same updated_at")
                } else {
                    apply = true
                }
            } else if old.status != .pending && c.status == .pending {
                plan.outcome.stale += 1
                undo(&cells)
            } else {
                apply = true
            }
            guard apply else { continue }
            if old.status == c.status && old.amountMinor == e.amountMinor {
                plan.outcome.duplicate += 1
                undo(&cells)
            } else {
                // The event's new state is already summed: take the old one away.
                cells.add(e.cell & ~3 | UInt64(old.status.rawValue), count: -1, amount: -old.amountMinor)
                plan.outcome.moved += 1
            }
            latest[e.id] = v
            changed.insert(e.id)
        }
        plan.entries.reserveCapacity(order.count)
        for (shard, id) in order {
            plan.entries.append(LedgerPlan.Entry(shard: shard, id: id, expected: states[id], next: changed.contains(id) ? latest[id] : nil))
        }
        return plan
    }

    /// The KEYS and ARGV of ``Scripts/commit`` for this batch, without the fixed leading ARGV
    /// (worker, in-flight length, item count, time zone, currency, layout, time), which
    /// ``Redis/RedisClient/commitCommand(_:worker:inflightLength:items:meta:)`` adds.
    /// The layout is documented on ``Scripts/commit``. `plan` is this batch's ledger decisions
    /// (``decide(states:cutoff:methods:worker:raw:)``; empty for a batch without ids), `cutoff`
    /// the ledger window's start (``ledgerCutoff(calendar:now:)``), `sweep` the ledger shard
    /// this commit sweeps a step of (nil: none).
    public func commitArguments(
        keys layout: KeyLayout, worker: String, methods: [String], plan: LedgerPlan = LedgerPlan(), cutoff: Int64 = .min,
        sweep: Int? = nil
    ) -> (keys: [String], args: RedisCommand) {
        struct DTC: Hashable {
            var day: CivilDay
            var type: TransactionType
            var currency: Int
        }
        var dtcIndex: [DTC: Int] = [:]
        var dtcs: [DTC] = []
        var usedMethods = Set<Int>()
        // Every row's fields (an event's as the ledger decided) are summed per hash field here;
        // the script adds them as they are (hourly cells, the day's status fields, totals). A
        // cell whose corrections cancel out writes nothing. Field names are spelled once per
        // (method, status, hour) of the batch, not once per cell.
        struct Fields {
            var hourly: [(n: String, a: String, count: Int64, amount: Int64)] = []
            var status: [Int: (count: Int64, amount: Int64)] = [:] // method << 2 | status
            var totals: [Int: Int64] = [:] // method
        }
        var hourlyNames: [Int: (n: String, a: String)] = [:]
        // Indexed like `dtcs` (appended together), mutated in place: no copy per cell.
        var rowFields: [Fields] = []
        // swift-format-ignore: ReplaceForEachWithForLoop
        // CellTable is not a Sequence: its forEach visits the open-addressing slots in place.
        cells.forEach { key, cell in
            guard cell.count != 0 || cell.amount != 0 else { return }
            let c = Self.unpack(key)
            usedMethods.insert(c.method)
            let d = DTC(day: c.day, type: c.type, currency: c.currency)
            let j: Int
            if let known = dtcIndex[d] {
                j = known - 1
            } else {
                dtcs.append(d)
                rowFields.append(Fields())
                dtcIndex[d] = dtcs.count
                j = dtcs.count - 1
            }
            let nameKey = c.method << 7 | Int(c.status.rawValue) << 5 | c.hour
            let names: (n: String, a: String)
            if let known = hourlyNames[nameKey] {
                names = known
            } else {
                let m = methods[c.method]
                names = (
                    KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: true),
                    KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: false)
                )
                hourlyNames[nameKey] = names
            }
            rowFields[j].hourly.append((names.n, names.a, cell.count, cell.amount))
            rowFields[j].status[c.method << 2 | Int(c.status.rawValue), default: (0, 0)].count += cell.count
            rowFields[j].status[c.method << 2 | Int(c.status.rawValue), default: (0, 0)].amount += cell.amount
            if c.status == .success, cell.amount != 0 { rowFields[j].totals[c.method, default: 0] += cell.amount }
        }
        let shards = Set(plan.entries.map(\.shard) + (sweep.map { [$0] } ?? [])).sorted()
        let shardIndex = Dictionary(uniqueKeysWithValues: shards.enumerated().map { ($1, $0 + 1) })

        var keys = [
            layout.inflight(worker: worker), layout.workers, layout.dirty, layout.days, layout.methods,
            layout.version, layout.deadLetter, layout.meta, layout.currencies, layout.ledgerStats, layout.ledgerSweep,
        ]
        for s in shards { keys.append(layout.ledger(shard: s)) }
        var args = RedisCommand([String(shards.count)])
        args.append(sweep.map { shardIndex[$0]! } ?? 0)
        args.append(cutoff == .min ? "-1e18" : String(cutoff))
        args.append(min(5000, 2 * events.count + 100))
        args.append(plan.entries.count)
        for e in plan.entries {
            args.append(shardIndex[e.shard]!)
            args.append(e.id)
            args.append(e.expected ?? "")
            args.append(e.next ?? "")
        }
        let o = plan.outcome
        for n in [o.new, o.duplicate, o.stale, o.moved, o.expired, o.conflict] { args.append(n) }
        args.append(deadLetters.count)
        for d in deadLetters { args.append(d) }
        args.append(dtcs.count)
        for d in dtcs {
            let currency = Currency.all[d.currency]
            keys += layout.hashes(d.day, d.type, currency)
            args.append(d.day.description)
            args.append(Int(d.day.daysSinceEpoch))
            args.append(d.type.plural)
            args.append(currency.code)
        }
        for f in rowFields {
            args.append(2 * f.hourly.count)
            for h in f.hourly {
                args.append(h.n)
                args.append(h.count)
                args.append(h.a)
                args.append(h.amount)
            }
            args.append(2 * f.status.count)
            for (k, v) in f.status {
                let status = TransactionStatus(rawValue: UInt8(k & 3))!
                args.append(KeyLayout.statusField(method: methods[k >> 2], status: status, count: true))
                args.append(v.count)
                args.append(KeyLayout.statusField(method: methods[k >> 2], status: status, count: false))
                args.append(v.amount)
            }
            args.append(f.totals.count)
            for (m, amount) in f.totals {
                args.append(methods[m])
                args.append(amount)
            }
        }
        args.append(usedMethods.count)
        for m in usedMethods.sorted() { args.append(methods[m]) }
        return (keys, args)
    }
}
