import Foundation

/// Maps instants to business days and hours in one IANA time zone, and local wall-clock times back
/// to instants.
///
/// A value type with caches inside: each worker owns its copy and the caching methods are
/// `mutating`. Per local day, the zone's offsets are read through Foundation once (on the first
/// use of that day) and kept in a dictionary; a one-entry "last day" slot in front of it makes
/// sorted input cost a range check and a division. In a UTC calendar no method calls Foundation.
///
/// A business day is the half-open range of instants [``DayInfo/start``, ``DayInfo/end``): from
/// local midnight (or the first instant of the day when a transition skips midnight) to the start
/// of the next day. Hours are counted as whole hours elapsed since that start, so a day has 23,
/// 24 or 25 distinct hours around daylight-saving changes (``DayInfo/hours``).
public struct BusinessCalendar: Sendable {
    /// What one local day looks like in the business time zone.
    public struct DayInfo: Sendable, Hashable {
        public let day: CivilDay
        /// Epoch seconds of local midnight, or of the first instant of the day if midnight is
        /// skipped by a transition.
        public let start: Int64
        /// Epoch seconds at which the next day starts (exclusive end of this day).
        public let end: Int64
        /// ceil((end - start) / 3600): 24 usually, 23 or 25 on DST change days (0 for a day that
        /// a zone skipped entirely, like Pacific/Apia's 2011-12-30).
        public let hours: Int
        /// UTC offset at ``start`` in seconds east of UTC (+3600 for CET).
        public let utcOffsetAtStart: Int

        // Offsets over the instants relevant to this day (from just before `start` to `end`):
        // `offset0` before `transition1`, `offset1` from `transition1` to `transition2`, `offset2`
        // after it. Absent transitions are Int64.max.
        let offset0: Int
        let transition1: Int64
        let offset1: Int
        let transition2: Int64
        let offset2: Int

        init(
            day: CivilDay, start: Int64, end: Int64, offset0: Int,
            transition1: Int64 = .max, offset1: Int = 0, transition2: Int64 = .max, offset2: Int = 0
        ) {
            self.day = day
            self.start = start
            self.end = end
            self.hours = end > start ? Int((end - start + 3599) / 3600) : 0
            self.offset0 = offset0
            self.transition1 = transition1
            self.offset1 = transition1 == .max ? offset0 : offset1
            self.transition2 = transition2
            self.offset2 = transition2 == .max ? self.offset1 : offset2
            self.utcOffsetAtStart = start < transition1 ? offset0 : (start < transition2 ? self.offset1 : self.offset2)
        }

        /// Length of the day in seconds.
        public var seconds: Int64 { end - start }

        /// Whether `epochSeconds` falls in this day.
        @inline(__always)
        public func contains(_ epochSeconds: Int64) -> Bool {
            epochSeconds >= start && epochSeconds < end
        }

        /// UTC offset (seconds east) at an instant of this day.
        @inline(__always)
        public func utcOffset(at epochSeconds: Int64) -> Int {
            epochSeconds < transition1 ? offset0 : (epochSeconds < transition2 ? offset1 : offset2)
        }

        /// Local wall clock `secondsOfDay` (0 ..< 86400) of this day as an instant. Ambiguous
        /// times (fall back) give the earlier instant; skipped times (spring forward) are moved
        /// forward by the length of the gap.
        func instant(secondsOfDay: Int) -> Int64 {
            let wall = Int64(day.daysSinceEpoch) * 86_400 + Int64(secondsOfDay)
            // Earliest segment whose offset maps `wall` into that segment.
            let c0 = wall - Int64(offset0)
            if c0 < transition1 { return c0 }
            if transition1 != .max {
                let c1 = wall - Int64(offset1)
                if c1 >= transition1, c1 < transition2 { return c1 }
                if transition2 != .max {
                    let c2 = wall - Int64(offset2)
                    if c2 >= transition2 { return c2 }
                }
                // In a gap: keep the offset from before the jump, which lands as far past the
                // transition as `wall` is past the last wall time before it.
                if transition2 != .max, wall >= transition2 + Int64(offset1), wall < transition2 + Int64(offset2) {
                    return wall - Int64(offset1)
                }
            }
            return c0
        }
    }

    /// The IANA identifier this calendar was made with.
    public let timeZoneIdentifier: String
    /// The Foundation zone (used on cache misses only; unused in a UTC calendar).
    public let timeZone: TimeZone
    /// True for UTC and its aliases: everything is integer arithmetic, nothing is cached.
    public let isUTC: Bool

    private var cache: [Int32: DayInfo] = [:]
    private var last: DayInfo

    /// Past this many cached days the cache starts over (about 100 bytes a day).
    static let maxCachedDays = 200_000

    static let utcIdentifiers: Set<String> = [
        "UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
        "GMT0", "GMT+0", "GMT-0", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Greenwich", "Etc/Greenwich",
    ]

    /// A UTC calendar.
    public static var utc: BusinessCalendar { try! BusinessCalendar(timeZoneIdentifier: "UTC") }

    /// Throws ``RejectReason`` with code `unknown_time_zone` naming `timeZoneIdentifier` when
    /// Foundation does not know it.
    public init(timeZoneIdentifier: String) throws {
        let isUTC = BusinessCalendar.utcIdentifiers.contains(timeZoneIdentifier)
        guard let zone = isUTC ? TimeZone(secondsFromGMT: 0) : TimeZone(identifier: timeZoneIdentifier) else {
            throw RejectReason(
                "unknown_time_zone",
                "unknown time zone \"\(timeZoneIdentifier)\": expected an IANA identifier such as \"UTC\", "
                    + "\"Europe/Berlin\" or \"America/New_York\"")
        }
        self.timeZoneIdentifier = timeZoneIdentifier
        self.timeZone = zone
        self.isUTC = isUTC
        // A real day, so the "last day" slot needs no validity flag.
        self.last =
            isUTC
            ? DayInfo(day: .epoch, start: 0, end: 86_400, offset0: 0)
            : BusinessCalendar.computeDayInfo(.epoch, zone: zone)
    }

    // MARK: Instants to buckets

    /// The business day of an instant and the whole hours elapsed since that day's start
    /// (0 ..< ``DayInfo/hours``: 0...22 on a 23-hour day, 0...24 on a 25-hour day).
    @inline(__always)
    public mutating func bucket(epochSeconds t: Int64) -> (day: CivilDay, hour: Int) {
        if isUTC {
            let (d, s) = BusinessCalendar.floorDivMod(t, 86_400)
            return (CivilDay(daysSinceEpoch: Int32(clamping: d)), Int(s / 3600))
        }
        if t >= last.start, t < last.end {
            return (last.day, Int((t - last.start) / 3600))
        }
        return bucketSlow(t)
    }

    @inline(never)
    private mutating func bucketSlow(_ t: Int64) -> (day: CivilDay, hour: Int) {
        // Another cached day, guessed with the last day's offset (no Foundation call).
        let guess = BusinessCalendar.floorDivMod(t &+ Int64(last.utcOffsetAtStart), 86_400).quotient
        if let info = cache[Int32(clamping: guess)], info.contains(t) {
            last = info
            return (info.day, Int((t - info.start) / 3600))
        }
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
        var d = Int32(clamping: BusinessCalendar.floorDivMod(t &+ Int64(offset), 86_400).quotient)
        var info = dayInfo(d)
        // The wall-clock day is the answer except when a transition makes wall time run backwards
        // over midnight; days are contiguous ranges, so step to the one that holds `t`.
        var steps = 0
        while !info.contains(t), steps < 8 {
            d = t < info.start ? d &- 1 : d &+ 1
            info = dayInfo(d)
            steps += 1
        }
        last = info
        let hour = info.contains(t) ? Int((t - info.start) / 3600) : 0
        return (info.day, hour)
    }

    // MARK: Days

    /// Start, end, length in hours and offset of a local day (computed once per day, then cached).
    public mutating func dayInfo(_ day: CivilDay) -> DayInfo {
        dayInfo(day.daysSinceEpoch)
    }

    @inline(__always)
    private mutating func dayInfo(_ d: Int32) -> DayInfo {
        if isUTC {
            let start = Int64(d) * 86_400
            return DayInfo(day: CivilDay(daysSinceEpoch: d), start: start, end: start + 86_400, offset0: 0)
        }
        if last.day.daysSinceEpoch == d { return last }
        if let info = cache[d] { return info }
        let info = BusinessCalendar.computeDayInfo(CivilDay(daysSinceEpoch: d), zone: timeZone)
        if cache.count >= BusinessCalendar.maxCachedDays { cache.removeAll(keepingCapacity: true) }
        cache[d] = info
        return info
    }

    // MARK: Wall clock to instants

    /// The instant of local wall-clock time `secondsOfDay` (0 ..< 86400; other values roll over
    /// into neighbouring days) on `day`. In an overlap (fall back) the earlier instant; in a gap
    /// (spring forward) the time moves forward by the gap: 02:30 in a 02:00→03:00 gap is 03:30.
    @inline(__always)
    public mutating func epochSeconds(day: CivilDay, secondsOfDay: Int) -> Int64 {
        var d = day.daysSinceEpoch
        var s = secondsOfDay
        if s < 0 || s >= 86_400 {
            let (q, r) = BusinessCalendar.floorDivMod(Int64(s), 86_400)
            d = Int32(clamping: Int64(d) + q)
            s = Int(r)
        }
        if isUTC { return Int64(d) * 86_400 + Int64(s) }
        if last.day.daysSinceEpoch == d { return last.instant(secondsOfDay: s) }
        let info = dayInfo(d)
        last = info
        return info.instant(secondsOfDay: s)
    }

    // MARK: Labels

    /// Epoch seconds at which hour `hour` (as returned by ``bucket(epochSeconds:)``) of `day` starts.
    public mutating func hourStart(day: CivilDay, hour: Int) -> Int64 {
        dayInfo(day).start + Int64(hour) * 3600
    }

    /// Local wall-clock start of an hour bucket with its UTC offset, e.g.
    /// `2026-10-25T02:00:00+01:00` for hour 3 of that day in Europe/Berlin.
    public mutating func hourLabel(day: CivilDay, hour: Int) -> String {
        let info = dayInfo(day)
        let t = info.start + Int64(hour) * 3600
        return BusinessCalendar.isoString(epochSeconds: t, utcOffset: info.utcOffset(at: t))
    }

    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` of an instant at a given offset.
    static func isoString(epochSeconds t: Int64, utcOffset: Int) -> String {
        let (d, sod) = floorDivMod(t + Int64(utcOffset), 86_400)
        let (y, m, day) = CivilDay.civilFromDays(Int(d))
        let seconds = Int(sod)
        var out =
            y >= 0 && y <= 9999
            ? String(unsafeUninitializedCapacity: 10) { buf in
                CivilDay.writeDigits(y, m, day, into: buf.baseAddress!)
                return 10
            }
            : CivilDay(daysSinceEpoch: Int32(clamping: d)).description
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        out += "T" + two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60)
        let a = abs(utcOffset)
        out += (utcOffset < 0 ? "-" : "+") + two(a / 3600) + ":" + two(a / 60 % 60)
        if a % 60 != 0 { out += ":" + two(a % 60) }
        return out
    }

    // MARK: Foundation, once per day

    private static func offset(at t: Int64, zone: TimeZone) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    /// Offset changes over [a, b]: the first entry starts at `a`.
    private static func segments(from a: Int64, to b: Int64, zone: TimeZone) -> [(from: Int64, offset: Int)] {
        var segs: [(from: Int64, offset: Int)] = [(a, offset(at: a, zone: zone))]
        var cursor = Date(timeIntervalSince1970: TimeInterval(a))
        for _ in 0..<16 {
            guard let next = zone.nextDaylightSavingTimeTransition(after: cursor) else { break }
            let t = Int64(next.timeIntervalSince1970.rounded())
            if t > b || next <= cursor { break }
            let o = offset(at: t, zone: zone)
            if o != segs[segs.count - 1].offset { segs.append((t, o)) }
            cursor = next
        }
        // Safety net in case the transition API missed a change: bisect for it.
        for _ in 0..<4 {
            let lastSeg = segs[segs.count - 1]
            let ob = offset(at: b, zone: zone)
            guard ob != lastSeg.offset else { break }
            var lo = lastSeg.from
            var hi = b
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if offset(at: mid, zone: zone) == lastSeg.offset { lo = mid } else { hi = mid }
            }
            segs.append((hi, offset(at: hi, zone: zone)))
        }
        return segs
    }

    private static func computeDayInfo(_ day: CivilDay, zone: TimeZone) -> DayInfo {
        let wall0 = Int64(day.daysSinceEpoch) * 86_400
        let wall1 = wall0 + 86_400
        // Offsets stay within ±26 h, so this window holds every instant whose wall time is this
        // day, the next day's start, and the instants just before this day.
        let a = wall0 - 2 * 86_400
        let b = wall1 + 2 * 86_400
        let segs = segments(from: a, to: b, zone: zone)

        /// First instant whose wall-clock time is at least `wall`.
        func firstInstant(wallAtLeast wall: Int64) -> Int64 {
            for i in segs.indices {
                let hi = i + 1 < segs.count ? segs[i + 1].from : b + 1
                let c = max(segs[i].from, wall - Int64(segs[i].offset))
                if c < hi { return c }
            }
            return b
        }
        let start = firstInstant(wallAtLeast: wall0)
        let end = max(start, firstInstant(wallAtLeast: wall1))

        // Keep the segment holding `start - 1` and up to two changes before `end`.
        var i0 = 0
        while i0 + 1 < segs.count, segs[i0 + 1].from <= start - 1 { i0 += 1 }
        let later = segs[(i0 + 1)...].filter { $0.from < end }
        return DayInfo(
            day: day, start: start, end: end, offset0: segs[i0].offset,
            transition1: later.count > 0 ? later[later.startIndex].from : .max,
            offset1: later.count > 0 ? later[later.startIndex].offset : 0,
            transition2: later.count > 1 ? later[later.startIndex + 1].from : .max,
            offset2: later.count > 1 ? later[later.startIndex + 1].offset : 0)
    }

    @inline(__always)
    static func floorDivMod(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}

extension BusinessCalendar {
    /// Day names are `YYYY-MM-DD`, so a transaction's business day must lie in years 0001 to
    /// 9999. Instants a day or more inside those bounds pass without a calendar look-up; only
    /// those near the edges are bucketed to find their local day.
    static let safeEpochs: ClosedRange<Int64> = -62_135_510_400...253_402_128_000 // 0001-01-02Z ... 9999-12-30Z

    /// `nil` when the instant's business day can be named, else why not.
    @inline(__always)
    public mutating func rejectOutOfRange(epochSeconds t: Int64) -> RejectReason? {
        if t >= -62_135_510_400 && t <= 253_402_128_000 { return nil } // Self.safeEpochs, without a lazy global
        return rejectNearEdges(t)
    }

    @inline(never)
    mutating func rejectNearEdges(_ t: Int64) -> RejectReason? {
        // Beyond ±10^13 s the day arithmetic itself would overflow: out of range by any measure.
        guard t > -10_000_000_000_000, t < 10_000_000_000_000 else {
            return .badTimestamp("instant \(t) is outside years 0001-9999")
        }
        let year = bucket(epochSeconds: t).day.year
        return (1...9999).contains(year) ? nil : .badTimestamp("the business day of instant \(t) falls in year \(year), outside 0001-9999")
    }
}
