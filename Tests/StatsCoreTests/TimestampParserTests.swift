import Foundation
import Testing

@testable import StatsCore

@Suite struct TimestampParserTests {
    /// Epoch seconds of a UTC wall time.
    private func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
        Int64(CivilDay(year: y, month: mo, day: d)!.daysSinceEpoch) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    private func parse(_ text: String, _ zone: String = "UTC") throws -> Result<Int64, RejectReason> {
        var cal = try BusinessCalendar(timeZoneIdentifier: zone)
        return TimestampParser.parse(text, calendar: &cal)
    }

    private func value(_ text: String, _ zone: String = "UTC") throws -> Int64? {
        try? parse(text, zone).get()
    }

    private func error(_ text: String, _ zone: String = "UTC") throws -> RejectReason? {
        if case .failure(let e) = try parse(text, zone) { return e }
        return nil
    }

    @Test func acceptedForms() throws {
        let t = utc(2026, 1, 15, 10, 20, 30)
        #expect(try value("2026-01-15T10:20:30Z") == t)
        #expect(try value("2026-01-15T10:20:30z") == t)
        #expect(try value("2026-01-15t10:20:30Z") == t)
        #expect(try value("2026-01-15 10:20:30") == t)
        #expect(try value("2026-01-15T10:20:30") == t)
        #expect(try value("2026-01-15T10:20") == utc(2026, 1, 15, 10, 20))
        #expect(try value("2026-01-15 10:20Z") == utc(2026, 1, 15, 10, 20))
        #expect(try value("2026-01-15") == utc(2026, 1, 15))
        #expect(try value("  2026-01-15T10:20:30Z  ") == t)
        #expect(try value("\t2026-01-15 10:20:30 ") == t)
        #expect(try value("1970-01-01T00:00:00Z") == 0)
        #expect(try value("2024-02-29T23:59:59Z") == utc(2024, 2, 29, 23, 59, 59))
        #expect(try value("0001-01-01T00:00:00Z") == utc(1, 1, 1))
        #expect(try value("9999-12-31T23:59:59Z") == utc(9999, 12, 31, 23, 59, 59))
    }

    @Test func fractionsTruncateToTheEarlierSecond() throws {
        let t = utc(2026, 1, 15, 10, 20, 30)
        for fraction in ["0", "5", "999", "123456", "999999999", "000000001"] {
            #expect(try value("2026-01-15T10:20:30.\(fraction)Z") == t, "\(fraction)")
            #expect(try value("2026-01-15 10:20:30.\(fraction)") == t, "\(fraction)")
            #expect(try value("2026-01-15T10:20:30.\(fraction)+02:00") == t - 7200, "\(fraction)")
        }
        #expect(try value("1969-12-31T23:59:59.9Z") == -1)
        #expect(try value("1969-12-31T23:59:58.999+00:00") == -2)
    }

    @Test func offsets() throws {
        let t = utc(2026, 1, 15, 10, 20, 30)
        #expect(try value("2026-01-15T12:20:30+02:00") == t)
        #expect(try value("2026-01-15T12:20:30+0200") == t)
        #expect(try value("2026-01-15T12:20:30+02") == t)
        #expect(try value("2026-01-15T05:20:30-05:00") == t)
        #expect(try value("2026-01-15T05:20:30-0500") == t)
        #expect(try value("2026-01-15T05:20:30-05") == t)
        #expect(try value("2026-01-15T15:50:30+05:30") == t)
        #expect(try value("2026-01-15T10:20:30+00:00") == t)
        #expect(try value("2026-01-15T10:20:30-00:00") == t)
        #expect(try value("2026-01-15T10:20+01:00") == t - 30 - 3600)
        #expect(try value("2026-01-16T00:20:30+14:00") == t)
        #expect(try value("2026-01-15T00:00:00+01:00") == utc(2026, 1, 14, 23))
        // An explicit offset wins over the business zone.
        #expect(try value("2026-01-15T12:20:30+02:00", "America/New_York") == t)
        #expect(try value("2026-01-15T10:20:30Z", "Asia/Kolkata") == t)
        // Cross-check against Foundation.
        let f = ISO8601DateFormatter()
        for text in ["2026-07-01T23:59:59+09:00", "2000-02-29T12:00:00-03:30", "1999-12-31T23:00:00Z"] {
            #expect(try value(text) == Int64(f.date(from: text)!.timeIntervalSince1970), "\(text)")
        }
    }

    @Test func rejections() throws {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("    ", "empty"),
            ("2026-13-01T00:00:00Z", "month 13"),
            ("2026-00-01", "month 0"),
            ("2026-02-30", "day 30"),
            ("2026-02-29T10:00:00", "day 29"),
            ("2026-04-31 10:00", "day 31"),
            ("2026-01-15T24:00:00", "hour 24"),
            ("2026-01-15T24:00:00Z", "hour 24"),
            ("2026-01-15T23:60:00", "minute 60"),
            ("2026-01-15T23:59:60Z", "second 60"),
            ("2026-01-15T10:00:00Zjunk", "after the UTC offset"),
            ("2026-01-15T10:00:00 UTC", "after the time"),
            ("2026-01-15T10:00:00x", "after the time"),
            ("2026-01-15x", "after the date"),
            ("2026-01-15Z", "after the date"),
            ("2026-01-15T10", "HH:MM"),
            ("2026-01-15T1:00", "HH:MM"),
            ("2026-01-15T10:0", "HH:MM"),
            ("2026-01-15T10:00:0", "seconds"),
            ("2026-01-15T10:00:00.", "digits after the decimal point"),
            ("2026-01-15T10:00:00.1234567890", "at most 9"),
            ("2026-01-15T10:00:00+25:00", "out of range"),
            ("2026-01-15T10:00:00+01:60", "out of range"),
            ("2026-01-15T10:00:00+1", "UTC offset"),
            ("2026-01-15T10:00:00+01:", "UTC offset"),
            ("2026-01-15T10:00:00+01:0", "UTC offset"),
            ("2026-01-15T10:00:00+010", "after the UTC offset"),
            ("15/01/2026", "expected YYYY-MM-DD"),
            ("2026-1-15", "expected YYYY-MM-DD"),
            ("20260115T100000Z", "expected YYYY-MM-DD"),
            ("abcd-ef-gh", "expected YYYY-MM-DD"),
            ("1736936400", "expected YYYY-MM-DD"),
        ]
        for (text, what) in cases {
            let e = try error(text)
            #expect(e?.code == "bad_timestamp", "\(text)")
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            #expect(e?.message.contains("\"\(trimmed)\"") == true, "\(text): \(e?.message ?? "accepted")")
            #expect(e?.message.contains(what) == true, "\(text): \(e?.message ?? "accepted")")
        }
        // Long junk is quoted, shortened.
        let long = String(repeating: "9", count: 500)
        let e = try error(long)
        #expect(e != nil && e!.message.count < 200)
    }

    @Test func berlinLocalTimesInGapAndOverlap() throws {
        // Spring forward 2026-03-29: 02:00 CET → 03:00 CEST.
        #expect(try value("2026-03-29 01:59:59", "Europe/Berlin") == utc(2026, 3, 29, 0, 59, 59))
        #expect(try value("2026-03-29 02:30:00", "Europe/Berlin") == utc(2026, 3, 29, 1, 30)) // = 03:30 CEST
        #expect(try value("2026-03-29 03:30:00", "Europe/Berlin") == utc(2026, 3, 29, 1, 30))
        // Fall back 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens twice, the earlier wins.
        #expect(try value("2026-10-25 02:30:00", "Europe/Berlin") == utc(2026, 10, 25, 0, 30))
        #expect(try value("2026-10-25T02:30:00+01:00", "Europe/Berlin") == utc(2026, 10, 25, 1, 30))
        #expect(try value("2026-10-25T02:30:00+02:00", "Europe/Berlin") == utc(2026, 10, 25, 0, 30))
        #expect(try value("2026-10-25", "Europe/Berlin") == utc(2026, 10, 24, 22))
        #expect(try value("2026-01-15T10:20", "Europe/Berlin") == utc(2026, 1, 15, 9, 20))
    }

    @Test func newYorkNearMidnight() throws {
        var cal = try BusinessCalendar(timeZoneIdentifier: "America/New_York")
        let t = try TimestampParser.parse("2026-01-14 22:30:00", calendar: &cal).get()
        #expect(t == utc(2026, 1, 15, 3, 30))
        #expect(cal.bucket(epochSeconds: t) == (CivilDay(year: 2026, month: 1, day: 14)!, 22))
        #expect(try TimestampParser.parse("2026-01-15", calendar: &cal).get() == utc(2026, 1, 15, 5))
        #expect(try TimestampParser.parse("2026-01-15T03:30:00Z", calendar: &cal).get() == t)
        #expect(try TimestampParser.parse("2026-01-14T23:59:59.999", calendar: &cal).get() == utc(2026, 1, 15, 4, 59, 59))
    }

    @Test func rawBytesAndSubstrings() throws {
        var cal = BusinessCalendar.utc
        let line = "id-1,2026-01-15T10:20:30Z,deposit"
        let field = line.split(separator: ",")[1]
        #expect(try TimestampParser.parse(field, calendar: &cal).get() == utc(2026, 1, 15, 10, 20, 30))
        let bytes = Array(line.utf8)
        let r = bytes.withUnsafeBytes { raw in
            TimestampParser.parse(UnsafeRawBufferPointer(rebasing: raw[5..<25]), calendar: &cal)
        }
        #expect(try r.get() == utc(2026, 1, 15, 10, 20, 30))
        let empty = TimestampParser.parse(UnsafeRawBufferPointer(start: nil, count: 0), calendar: &cal)
        #expect(throws: RejectReason.self) { try empty.get() }
    }
}
