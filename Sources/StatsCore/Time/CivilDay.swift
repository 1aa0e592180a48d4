/// A calendar day in the proleptic Gregorian calendar, with no time zone attached: the business
/// day that transactions are bucketed into.
///
/// Stored as a count of days since 1970-01-01 (day 0), so it hashes, compares and subtracts as a
/// plain integer. Conversions use Howard Hinnant's `days_from_civil` / `civil_from_days`
/// (http://howardhinnant.github.io/date_algorithms.html): pure integer arithmetic, no Foundation.
///
/// Supported range: years -5,000,000 ... 5,000,000 (the initializers refuse anything outside it);
/// ``description`` and ``parse(_:)`` use the 4-digit form for years 0000 ... 9999.
public struct CivilDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int32

    /// 1970-01-01.
    public static let epoch = CivilDay(daysSinceEpoch: 0)

    static let yearRange = -5_000_000...5_000_000

    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Nil unless `month` is 1...12 and `day` exists in that month (leap years included).
    public init?(year: Int, month: Int, day: Int) {
        guard CivilDay.yearRange.contains(year), month >= 1, month <= 12, day >= 1,
            day <= CivilDay.daysInMonth(year: year, month: month)
        else { return nil }
        self.daysSinceEpoch = Int32(CivilDay.daysFromCivil(year, month, day))
    }

    // MARK: Components

    /// Year, month (1...12) and day of month (1...31) in one conversion.
    public var components: (year: Int, month: Int, day: Int) {
        CivilDay.civilFromDays(Int(daysSinceEpoch))
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// ISO weekday: Monday = 1 ... Sunday = 7.
    public var weekday: Int { CivilDay.weekday(ofDays: Int(daysSinceEpoch)) }

    /// Day of the year, 1 ... 366.
    public var dayOfYear: Int {
        let y = year
        return Int(daysSinceEpoch) - CivilDay.daysFromCivil(y, 1, 1) + 1
    }

    /// Number of days in this day's month.
    public var daysInMonth: Int {
        let c = components
        return CivilDay.daysInMonth(year: c.year, month: c.month)
    }

    /// The first day of this day's month.
    public var firstOfMonth: CivilDay {
        CivilDay(daysSinceEpoch: daysSinceEpoch - Int32(day - 1))
    }

    // MARK: Arithmetic

    /// This day moved by `days` (negative moves back). Traps if the result leaves `Int32` days.
    public func adding(days: Int) -> CivilDay {
        CivilDay(daysSinceEpoch: Int32(Int(daysSinceEpoch) + days))
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDay) -> Int {
        Int(other.daysSinceEpoch) - Int(daysSinceEpoch)
    }

    public static func < (lhs: CivilDay, rhs: CivilDay) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    // MARK: ISO 8601 weeks

    /// ISO 8601 week-numbering year and week (1 ... 53). Week 1 is the week with the year's first
    /// Thursday; weeks start on Monday. Near the year's ends the week year can differ from ``year``
    /// (2027-01-01 is in 2026-W53).
    public var isoWeek: (year: Int, week: Int) {
        let d = Int(daysSinceEpoch)
        let thursday = d - (CivilDay.weekday(ofDays: d) - 1) + 3
        let weekYear = CivilDay.civilFromDays(thursday).year
        return (weekYear, (thursday - CivilDay.daysFromCivil(weekYear, 1, 1)) / 7 + 1)
    }

    /// The Monday that starts ISO week `week` of ISO week-year `year`; nil unless `week` is in
    /// 1 ... ``isoWeeksInYear(_:)``.
    public static func isoWeekStart(year: Int, week: Int) -> CivilDay? {
        guard yearRange.contains(year), week >= 1, week <= isoWeeksInYear(year) else { return nil }
        let jan4 = daysFromCivil(year, 1, 4) // always in week 1
        let monday = jan4 - (weekday(ofDays: jan4) - 1) + (week - 1) * 7
        return CivilDay(daysSinceEpoch: Int32(monday))
    }

    /// 53 when the year starts on a Thursday, or on a Wednesday in a leap year; else 52.
    public static func isoWeeksInYear(_ year: Int) -> Int {
        let jan1 = weekday(ofDays: daysFromCivil(year, 1, 1))
        return jan1 == 4 || (jan1 == 3 && isLeapYear(year)) ? 53 : 52
    }

    // MARK: Months and years

    /// The first day of `month` in `year`; nil for a month outside 1...12.
    public static func firstOfMonth(year: Int, month: Int) -> CivilDay? {
        CivilDay(year: year, month: month, day: 1)
    }

    /// Days in `month` of `year` (28 ... 31); 0 for a month outside 1...12.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    /// Gregorian rule: every 4th year, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    // MARK: Text

    /// `YYYY-MM-DD` (years 0000 ... 9999); outside that range an ISO 8601 expanded year with its
    /// sign and at least 4 digits (`-0001-12-31`, `+10000-01-01`).
    public var description: String {
        let (y, m, d) = components
        guard y >= 0, y <= 9999 else { return CivilDay.expandedDescription(y, m, d) }
        // 10 UTF-8 bytes fit a small string: no heap allocation.
        return String(unsafeUninitializedCapacity: 10) { buf in
            CivilDay.writeDigits(y, m, d, into: buf.baseAddress!)
            return 10
        }
    }

    /// Writes `YYYY-MM-DD` (10 bytes) for a year in 0...9999.
    @inline(__always)
    static func writeDigits(_ y: Int, _ m: Int, _ d: Int, into p: UnsafeMutablePointer<UInt8>) {
        p[0] = UInt8(truncatingIfNeeded: 48 + y / 1000)
        p[1] = UInt8(truncatingIfNeeded: 48 + (y / 100) % 10)
        p[2] = UInt8(truncatingIfNeeded: 48 + (y / 10) % 10)
        p[3] = UInt8(truncatingIfNeeded: 48 + y % 10)
        p[4] = UInt8(ascii: "-")
        p[5] = UInt8(truncatingIfNeeded: 48 + m / 10)
        p[6] = UInt8(truncatingIfNeeded: 48 + m % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = UInt8(truncatingIfNeeded: 48 + d / 10)
        p[9] = UInt8(truncatingIfNeeded: 48 + d % 10)
    }

    private static func expandedDescription(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return (y < 0 ? "-" : "+") + pad(abs(y), 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Strict `YYYY-MM-DD`: exactly 10 ASCII bytes, 4-digit year, 2-digit month and day, and a
    /// date that exists (2026-02-30 and 2026-13-01 are refused). No surrounding spaces.
    public static func parse(_ text: some StringProtocol) -> CivilDay? {
        if let r = text.utf8.withContiguousStorageIfAvailable({ parse(utf8: UnsafeRawBufferPointer($0)) }) {
            return r
        }
        return Array(text.utf8).withUnsafeBytes { parse(utf8: $0) }
    }

    /// ``parse(_:)`` on raw UTF-8 bytes.
    public static func parse(utf8 bytes: UnsafeRawBufferPointer) -> CivilDay? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let v = Int(bytes[i]) &- 48
            return v >= 0 && v <= 9 ? v : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
            let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9)
        else { return nil }
        return CivilDay(year: y0 * 1000 + y1 * 100 + y2 * 10 + y3, month: m0 * 10 + m1, day: d0 * 10 + d1)
    }

    // MARK: Codable: the `YYYY-MM-DD` string

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = CivilDay.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a date as YYYY-MM-DD, got \"\(text)\"")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: Hinnant's algorithms (Int arithmetic; callers keep years within `yearRange`)

    /// Days since 1970-01-01 of a valid civil date.
    @inline(__always)
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400 // [0, 399]
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1 // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// Civil date of a day count since 1970-01-01.
    @inline(__always)
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097 // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365 // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100) // [0, 365]
        let mp = (5 * doy + 2) / 153 // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1 // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9 // [1, 12]
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO weekday (Monday = 1) of a day count; 1970-01-01 was a Thursday.
    @inline(__always)
    static func weekday(ofDays days: Int) -> Int {
        let r = (days + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }
}
