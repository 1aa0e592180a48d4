/// Parses transaction timestamps to epoch seconds, byte by byte (no DateFormatter, no allocation
/// unless the text is refused).
///
/// Accepted, after trimming ASCII spaces and tabs on both sides:
///
///     YYYY-MM-DD                      local midnight
///     YYYY-MM-DDTHH:MM                `T`, `t` or one space between date and time
///     YYYY-MM-DDTHH:MM:SS
///     YYYY-MM-DDTHH:MM:SS.fffffffff   1 to 9 fraction digits, truncated to the earlier second
///     any of the forms with a time, followed by Z, z, +HH:MM, -HH:MM, +HHMM, -HHMM, +HH or -HH
///
/// With a zone suffix the instant is absolute. Without one the time is a wall-clock time in the
/// calendar's business zone, converted by ``BusinessCalendar/epochSeconds(day:secondsOfDay:)``
/// (earlier instant in an overlap, shifted forward through a gap).
///
/// Refused with ``RejectReason/badTimestamp(_:)``: empty text, dates that do not exist
/// (2026-13-01, 2026-02-30), hour 24 (also 24:00:00), minute or second 60, a fraction of 10 or
/// more digits, offsets past ±23:59, anything after the timestamp.
public enum TimestampParser {
    /// Epoch seconds of a timestamp in UTF-8 `bytes`.
    @inline(__always)
    public static func parse(_ bytes: UnsafeRawBufferPointer, calendar: inout BusinessCalendar)
        -> Result<Int64, RejectReason>
    {
        var micros: Int64 = 0
        return parse(bytes, calendar: &calendar, micros: &micros)
    }

    /// Microseconds since 1970 (the fraction truncated after six digits): for `updated_at`,
    /// where the order of two events in the same second matters.
    public static func parseMicros(_ bytes: UnsafeRawBufferPointer, calendar: inout BusinessCalendar)
        -> Result<Int64, RejectReason>
    {
        var micros: Int64 = 0
        return parse(bytes, calendar: &calendar, micros: &micros).map { $0 * 1_000_000 + micros }
    }

    /// Epoch seconds; `micros` receives the fraction's first six digits (0 when there is none).
    static func parse(_ bytes: UnsafeRawBufferPointer, calendar: inout BusinessCalendar, micros: inout Int64)
        -> Result<Int64, RejectReason>
    {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(.badTimestamp("\"\": empty timestamp"))
        }
        // Trim ASCII spaces and tabs.
        var lo = 0
        var hi = bytes.count
        while lo < hi, base[lo] == 0x20 || base[lo] == 0x09 { lo += 1 }
        while hi > lo, base[hi - 1] == 0x20 || base[hi - 1] == 0x09 { hi -= 1 }
        let p = base + lo
        let n = hi - lo
        if n == 0 { return .failure(.badTimestamp("\"\": empty timestamp")) }

        @inline(__always) func digit(_ i: Int) -> Int {
            let v = Int(p[i]) &- 48
            return v >= 0 && v <= 9 ? v : -1
        }
        @inline(__always) func two(_ i: Int) -> Int {
            let a = digit(i)
            let b = digit(i + 1)
            return a < 0 || b < 0 ? -1 : a * 10 + b
        }

        // Date: YYYY-MM-DD
        guard n >= 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") else {
            return fail(p, n, "expected YYYY-MM-DD[THH:MM[:SS[.fraction]][Z|±HH:MM]]")
        }
        let y0 = two(0)
        let y1 = two(2)
        let month = two(5)
        let day = two(8)
        guard y0 >= 0, y1 >= 0, month >= 0, day >= 0 else {
            return fail(p, n, "expected YYYY-MM-DD[THH:MM[:SS[.fraction]][Z|±HH:MM]]")
        }
        let year = y0 * 100 + y1
        guard month >= 1, month <= 12 else {
            return fail(p, n, "month \(month) is out of range 01...12")
        }
        let monthDays = CivilDay.daysInMonth(year: year, month: month)
        guard day >= 1, day <= monthDays else {
            return fail(p, n, "day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month), which has \(monthDays) days")
        }
        let civil = CivilDay(daysSinceEpoch: Int32(CivilDay.daysFromCivil(year, month, day)))
        if n == 10 {
            return .success(calendar.epochSeconds(day: civil, secondsOfDay: 0))
        }

        // Time: [T t ' ']HH:MM[:SS[.fraction]]
        let sep = p[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " ") else {
            return fail(p, n, "expected 'T' or a space after the date")
        }
        guard n >= 16, p[13] == UInt8(ascii: ":") else {
            return fail(p, n, "expected a time as HH:MM or HH:MM:SS after the date")
        }
        let hour = two(11)
        let minute = two(14)
        guard hour >= 0, minute >= 0 else {
            return fail(p, n, "expected a time as HH:MM or HH:MM:SS after the date")
        }
        guard hour <= 23 else { return fail(p, n, "hour \(hour) is out of range 00...23") }
        guard minute <= 59 else { return fail(p, n, "minute \(minute) is out of range 00...59") }
        var second = 0
        var i = 16
        if i < n, p[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, two(i + 1) >= 0 else {
                return fail(p, n, "expected two digits of seconds after HH:MM:")
            }
            second = two(i + 1)
            guard second <= 59 else { return fail(p, n, "second \(second) is out of range 00...59") }
            i += 3
            if i < n, p[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                var fraction: Int64 = 0
                while i < n, digit(i) >= 0 {
                    if i - fractionStart < 6 { fraction = fraction * 10 + Int64(digit(i)) }
                    i += 1
                }
                let digits = i - fractionStart
                for _ in min(digits, 6)..<6 { fraction *= 10 }
                micros = fraction
                guard digits >= 1, digits <= 9 else {
                    return fail(
                        p, n,
                        digits == 0
                            ? "expected digits after the decimal point"
                            : "fraction of a second has \(digits) digits, at most 9 are allowed")
                }
            }
        }
        let secondsOfDay = hour * 3600 + minute * 60 + second
        if i == n {
            return .success(calendar.epochSeconds(day: civil, secondsOfDay: secondsOfDay))
        }

        // Zone: Z | z | ±HH | ±HHMM | ±HH:MM
        var offset = 0
        let z = p[i]
        if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            i += 1
        } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            guard i + 3 <= n, two(i + 1) >= 0 else {
                return fail(p, n, "expected a UTC offset as Z, ±HH:MM, ±HHMM or ±HH")
            }
            let oh = two(i + 1)
            var om = 0
            i += 3
            if i < n, p[i] == UInt8(ascii: ":") {
                guard i + 3 <= n, two(i + 1) >= 0 else {
                    return fail(p, n, "expected a UTC offset as Z, ±HH:MM, ±HHMM or ±HH")
                }
                om = two(i + 1)
                i += 3
            } else if i + 2 <= n, two(i) >= 0 {
                om = two(i)
                i += 2
            }
            guard oh <= 23, om <= 59 else {
                return fail(p, n, "UTC offset is out of range -23:59...+23:59")
            }
            offset = (oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return fail(p, n, "unexpected text after the time (expected Z, ±HH:MM or the end)")
        }
        guard i == n else {
            return fail(p, n, "unexpected text after the UTC offset")
        }
        return .success(Int64(civil.daysSinceEpoch) * 86_400 + Int64(secondsOfDay - offset))
    }

    /// ``parse(_:calendar:)`` on a string.
    public static func parse(_ text: some StringProtocol, calendar: inout BusinessCalendar)
        -> Result<Int64, RejectReason>
    {
        if let r = text.utf8.withContiguousStorageIfAvailable({
            parse(UnsafeRawBufferPointer($0), calendar: &calendar)
        }) {
            return r
        }
        return Array(text.utf8).withUnsafeBytes { parse($0, calendar: &calendar) }
    }

    /// Builds the refusal: the (trimmed) text in quotes, then what is wrong with it.
    @inline(never)
    private static func fail(_ p: UnsafePointer<UInt8>, _ n: Int, _ what: String) -> Result<Int64, RejectReason> {
        let limit = 64
        var text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, limit)), as: UTF8.self)
        if n > limit { text += "…" }
        return .failure(.badTimestamp("\"\(text)\": \(what)"))
    }
}
