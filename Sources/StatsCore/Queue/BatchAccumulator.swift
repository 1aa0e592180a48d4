import Redis

/// Sums a batch of rows in memory per (day, type, currency, method, hour, status) cell, and
/// collects the rows that carry an id as ledger events, then renders the whole batch as one
/// atomic ``Scripts/commit`` call: a few hundred HINCRBYs however many thousand rows the batch
/// held. Rows without an id are final here; rows with one are decided by the script against
/// the ledger (new, resent, stale, moved), in the order they were added.
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

    /// A row with an id, waiting for the ledger's decision in the commit script.
    public struct LedgerEvent: Sendable, Equatable {
        /// The cell key of this event (its status included).
        public var cell: UInt64
        public var id: String
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
        if let id = row.id {
            events.append(
                LedgerEvent(
                    cell: k, id: id, epochSeconds: row.epochSeconds, amountMinor: row.amountMinor, updatedMicros: row.updatedMicros,
                    item: item, span: span))
        } else {
            cells.add(k, count: 1, amount: row.amountMinor)
        }
        rows += 1
    }

    /// The start of the ledger window: the first instant of the business day `ledgerDays`
    /// before today. Events of transactions before it are outside the window.
    public func ledgerCutoff(calendar: inout BusinessCalendar, now: Int64) -> Int64 {
        calendar.dayInfo(calendar.bucket(epochSeconds: now).day.adding(days: -ledgerDays)).start
    }

    /// The KEYS and ARGV of ``Scripts/commit`` for this batch, without the fixed leading ARGV
    /// (worker, in-flight length, item count, time zone, currency, layout, time), which
    /// ``Redis/RedisConnection/commitCommand(_:worker:inflightLength:items:meta:)`` adds.
    /// The layout is documented on ``Scripts/commit``. `cutoff` is ``ledgerCutoff(calendar:now:)``;
    /// `sweep` the ledger shard this commit sweeps a step of (nil: none).
    public func commitArguments(
        keys layout: KeyLayout, worker: String, methods: [String], cutoff: Int64 = .min, sweep: Int? = nil
    ) -> (keys: [String], args: RedisCommand) {
        struct DTC: Hashable {
            var day: CivilDay
            var type: TransactionType
            var currency: Int
        }
        var dtcIndex: [DTC: Int] = [:]
        var dtcs: [DTC] = []
        var groupIndex: [UInt64: Int] = [:]
        var groups: [UInt64] = []
        var usedMethods = Set<Int>()
        /// The (day, type, currency) of a cell, registered on first sight (1-based).
        func dtc(_ c: CellParts) -> Int {
            usedMethods.insert(c.method)
            let d = DTC(day: c.day, type: c.type, currency: c.currency)
            if let j = dtcIndex[d] { return j }
            dtcs.append(d)
            dtcIndex[d] = dtcs.count
            return dtcs.count
        }
        /// A ledger event's cell without its status (1-based): the script picks the status cell.
        func group(_ cell: UInt64) -> Int {
            let g = cell & ~3
            if let i = groupIndex[g] { return i }
            _ = dtc(Self.unpack(g))
            groups.append(g)
            groupIndex[g] = groups.count
            return groups.count
        }
        // Rows without id are final: their fields are spelled here, summed per hash field, and
        // the script adds them as they are (the hourly cells, the day's status fields, totals).
        struct Fields {
            var hourly: [(String, Int64)] = []
            var status: [String: Int64] = [:]
            var totals: [String: Int64] = [:]
        }
        // Indexed like `dtcs` (appended together), mutated in place: no copy per cell.
        var rowFields: [Fields] = []
        // swift-format-ignore: ReplaceForEachWithForLoop
        // CellTable is not a Sequence: its forEach visits the open-addressing slots in place.
        cells.forEach { key, cell in
            let c = Self.unpack(key)
            let j = dtc(c) - 1
            while rowFields.count < dtcs.count { rowFields.append(Fields()) }
            let m = methods[c.method]
            rowFields[j].hourly.append((KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: true), cell.count))
            rowFields[j].hourly.append((KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: false), cell.amount))
            rowFields[j].status[KeyLayout.statusField(method: m, status: c.status, count: true), default: 0] += cell.count
            rowFields[j].status[KeyLayout.statusField(method: m, status: c.status, count: false), default: 0] += cell.amount
            if c.status == .success, cell.amount != 0 { rowFields[j].totals[m, default: 0] += cell.amount }
        }
        let eventGroups = events.map { group($0.cell) }
        let eventShards = events.map { LedgerEntry.shard(of: $0.id) }
        let shards = Set(eventShards + (sweep.map { [$0] } ?? [])).sorted()
        let shardIndex = Dictionary(uniqueKeysWithValues: shards.enumerated().map { ($1, $0 + 1) })

        var keys = [
            layout.inflight(worker: worker), layout.workers, layout.dirty, layout.days, layout.methods,
            layout.version, layout.deadLetter, layout.meta, layout.currencies, layout.ledgerStats, layout.ledgerSweep,
        ]
        var args = RedisCommand([String(deadLetters.count)])
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
        for s in shards { keys.append(layout.ledger(shard: s)) }
        args.append(groups.count)
        for g in groups {
            let c = Self.unpack(g)
            args.append(dtcIndex[DTC(day: c.day, type: c.type, currency: c.currency)]!)
            args.append(methods[c.method])
            args.append(c.hour < 10 ? "0\(c.hour)" : String(c.hour))
        }
        for j in dtcs.indices {
            let f = j < rowFields.count ? rowFields[j] : Fields()
            for list in [f.hourly, f.status.map { ($0.key, $0.value) }, f.totals.map { ($0.key, $0.value) }] {
                args.append(list.count)
                for (field, value) in list {
                    args.append(field)
                    args.append(value)
                }
            }
        }
        args.append(shards.count)
        args.append(sweep.map { shardIndex[$0]! } ?? 0)
        args.append(cutoff == .min ? "-1e18" : String(cutoff))
        args.append(min(5000, 2 * events.count + 100))
        args.append(events.count)
        for ((e, g), shard) in zip(zip(events, eventGroups), eventShards) {
            let c = Self.unpack(e.cell)
            let entry = LedgerEntry(
                epochSeconds: e.epochSeconds, type: c.type, currency: Currency.all[c.currency], method: methods[c.method],
                status: c.status, amountMinor: e.amountMinor, updatedMicros: e.updatedMicros)
            args.append(shardIndex[shard]!)
            args.append(e.id)
            args.append(entry.value)
            args.append(entry.immutableLength)
            args.append(g)
            args.append(Int(c.status.rawValue) + 1)
            args.append(e.amountMinor)
            args.append(entry.updatedKey)
            args.append(e.item)
            args.append(e.span.lowerBound)
            args.append(e.span.count)
            args.append(e.epochSeconds < cutoff ? 1 : 0)
        }
        args.append(usedMethods.count)
        for m in usedMethods.sorted() { args.append(methods[m]) }
        return (keys, args)
    }
}
