import Redis

/// Sums a batch of rows in memory per (day, type, method, status, hour) cell, then renders the
/// whole batch as one atomic ``Scripts/commit`` call: a few hundred HINCRBYs however many
/// thousand rows the batch held.
public struct BatchAccumulator: Sendable {
    public private(set) var cells = CellTable()
    public private(set) var rows = 0
    public var deadLetters: [String] = []
    // One-entry cache: consecutive rows mostly fall in the same hour and cell.
    private var lastHourStart: Int64 = .max
    private var lastHourEnd: Int64 = .min
    private var lastDay = CivilDay(daysSinceEpoch: 0)
    private var lastHour = 0

    public init() {}

    public var isEmpty: Bool { rows == 0 && deadLetters.isEmpty }

    public mutating func reset() {
        cells.removeAll()
        deadLetters.removeAll(keepingCapacity: true)
        rows = 0
    }

    /// Cell key: day (32 bits, biased) | method (16) | hour (8) | type (1) and status (2).
    @inline(__always)
    static func key(day: CivilDay, method: Int, hour: Int, type: TransactionType, status: TransactionStatus) -> UInt64 {
        UInt64(UInt32(bitPattern: day.daysSinceEpoch)) << 32 | UInt64(method & 0xFFFF) << 16 | UInt64(hour & 0xFF) << 8
            | UInt64(type.rawValue) << 2 | UInt64(status.rawValue)
    }

    static func unpack(_ key: UInt64) -> (day: CivilDay, method: Int, hour: Int, type: TransactionType, status: TransactionStatus) {
        (
            CivilDay(daysSinceEpoch: Int32(bitPattern: UInt32(key >> 32))), Int(key >> 16 & 0xFFFF), Int(key >> 8 & 0xFF),
            TransactionType(rawValue: UInt8(key >> 2 & 1))!, TransactionStatus(rawValue: UInt8(key & 3))!
        )
    }

    @inline(__always)
    public mutating func add(_ row: TransactionParser.Row, calendar: inout BusinessCalendar) {
        if row.epochSeconds < lastHourStart || row.epochSeconds >= lastHourEnd {
            let b = calendar.bucket(epochSeconds: row.epochSeconds)
            lastDay = b.day
            lastHour = b.hour
            let info = calendar.dayInfo(b.day)
            lastHourStart = info.start + Int64(b.hour) * 3600
            lastHourEnd = min(lastHourStart + 3600, info.end)
        }
        let k = Self.key(day: lastDay, method: row.method, hour: lastHour, type: row.type, status: row.status)
        cells.add(k, count: 1, amount: row.amountMinor)
        rows += 1
    }

    /// The KEYS and ARGV of ``Scripts/commit`` for this batch: KEYS without the meta key, ARGV
    /// without its first five (worker, in-flight length, item count, amount scale, time zone),
    /// which ``Redis/RedisConnection/commitCommand(_:worker:inflightLength:items:meta:)`` adds.
    public func commitArguments(keys layout: KeyLayout, worker: String, methods: [String]) -> (keys: [String], args: RedisCommand) {
        // Group cells by (day, type) and fold the hour level into day-level fields.
        struct DayType: Hashable {
            var day: CivilDay
            var type: TransactionType
        }
        var totals: [DayType: [Int: Int64]] = [:]
        var status: [DayType: [String: Int64]] = [:]
        var hourly: [DayType: [(String, Int64)]] = [:]
        var usedMethods = Set<Int>()
        // swift-format-ignore: ReplaceForEachWithForLoop
        // CellTable is not a Sequence: its forEach visits the open-addressing slots in place.
        cells.forEach { key, cell in
            let c = Self.unpack(key)
            let dt = DayType(day: c.day, type: c.type)
            let m = methods[c.method]
            usedMethods.insert(c.method)
            if c.status == .success, cell.amount != 0 { totals[dt, default: [:]][c.method, default: 0] += cell.amount }
            status[dt, default: [:]][KeyLayout.statusField(method: m, status: c.status, count: true), default: 0] += cell.count
            status[dt, default: [:]][KeyLayout.statusField(method: m, status: c.status, count: false), default: 0] += cell.amount
            hourly[dt, default: []].append((KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: true), cell.count))
            hourly[dt, default: []].append((KeyLayout.hourlyField(method: m, status: c.status, hour: c.hour, count: false), cell.amount))
        }
        var keys = [
            layout.inflight(worker: worker), layout.workers, layout.dirty, layout.days, layout.methods,
            layout.version, layout.deadLetter,
        ]
        var args = RedisCommand([String(deadLetters.count)])
        for d in deadLetters { args.append(d) }
        let dayTypes = status.keys.sorted { ($0.day, $0.type.rawValue) < ($1.day, $1.type.rawValue) }
        for dt in dayTypes {
            if let t = totals[dt], !t.isEmpty {
                keys.append(layout.totals(dt.day, dt.type))
                args.append(t.count)
                for (m, v) in t {
                    args.append(methods[m])
                    args.append(v)
                }
            }
            let s = status[dt]!
            keys.append(layout.status(dt.day, dt.type))
            args.append(s.count)
            for (f, v) in s {
                args.append(f)
                args.append(v)
            }
            let h = hourly[dt]!
            keys.append(layout.hourly(dt.day, dt.type))
            args.append(h.count)
            for (f, v) in h {
                args.append(f)
                args.append(v)
            }
        }
        let days = Set(dayTypes.map(\.day)).sorted()
        args.append(days.count)
        for d in days {
            args.append(Int(d.daysSinceEpoch))
            args.append(d.description)
        }
        args.append(dayTypes.count)
        for dt in dayTypes { args.append(KeyLayout.dirtyMember(dt.day, dt.type)) }
        args.append(usedMethods.count)
        for m in usedMethods.sorted() { args.append(methods[m]) }
        return (keys, args)
    }
}
