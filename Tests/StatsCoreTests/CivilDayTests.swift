import Foundation
import Testing

@testable import StatsCore

@Suite struct CivilDayTests {
    private func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDay {
        CivilDay(year: y, month: m, day: d)!
    }

    @Test func epochAndKnownDays() {
        #expect(day(1970, 1, 1).daysSinceEpoch == 0)
        #expect(day(1970, 1, 2).daysSinceEpoch == 1)
        #expect(day(1969, 12, 31).daysSinceEpoch == -1)
        #expect(day(2000, 3, 1).daysSinceEpoch == 11_017)
        #expect(day(2026, 1, 15).daysSinceEpoch == 20_468)
        #expect(CivilDay(daysSinceEpoch: 20_468).description == "2026-01-15")
        #expect(CivilDay.epoch.weekday == 4) // Thursday
    }

    /// Every day from 1900 to 2200 against Foundation's Gregorian and ISO 8601 calendars in UTC.
    @Test func matchesFoundationFrom1900To2200() throws {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = TimeZone(identifier: "UTC")!
        let first = day(1900, 1, 1).daysSinceEpoch
        let last = day(2200, 12, 31).daysSinceEpoch
        var mismatches: [String] = []
        for d in first...last {
            let civil = CivilDay(daysSinceEpoch: d)
            let date = Date(timeIntervalSince1970: TimeInterval(Int64(d) * 86_400 + 43_200))
            let c = gregorian.dateComponents([.year, .month, .day, .weekday], from: date)
            let w = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            let (y, m, dd) = civil.components
            let isoWeekday = (c.weekday! + 5) % 7 + 1 // Foundation: Sunday = 1
            let text = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            if y != c.year || m != c.month || dd != c.day || civil.weekday != isoWeekday
                || civil.isoWeek.year != w.yearForWeekOfYear || civil.isoWeek.week != w.weekOfYear
                || civil.description != text || CivilDay.parse(text) != civil
                || CivilDay(year: y, month: m, day: dd) != civil
                || civil.year != y || civil.month != m || civil.day != dd
            {
                mismatches.append("\(d): \(civil) vs \(text)")
                if mismatches.count > 10 { break }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func leapYears() {
        #expect(CivilDay.isLeapYear(2000))
        #expect(CivilDay.isLeapYear(2024))
        #expect(!CivilDay.isLeapYear(1900))
        #expect(!CivilDay.isLeapYear(2100))
        #expect(!CivilDay.isLeapYear(2026))
        #expect(CivilDay(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDay(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDay(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDay(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDay(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDay.parse("2024-02-29") == day(2024, 2, 29))
        #expect(CivilDay.parse("2026-02-29") == nil)
        #expect(day(2024, 2, 1).daysInMonth == 29)
        #expect(day(2026, 2, 10).daysInMonth == 28)
        #expect(CivilDay.daysInMonth(year: 2026, month: 4) == 30)
        #expect(CivilDay.daysInMonth(year: 2026, month: 12) == 31)
        #expect(CivilDay.daysInMonth(year: 2026, month: 13) == 0)
        #expect(day(2024, 12, 31).dayOfYear == 366)
        #expect(day(2026, 12, 31).dayOfYear == 365)
        #expect(day(2024, 2, 28).adding(days: 1) == day(2024, 2, 29))
        #expect(day(2026, 2, 28).adding(days: 1) == day(2026, 3, 1))
    }

    @Test func isoWeeksAcrossYearEnds() {
        #expect(CivilDay.isoWeeksInYear(2020) == 53)
        #expect(CivilDay.isoWeeksInYear(2026) == 53)
        #expect(CivilDay.isoWeeksInYear(2025) == 52)
        #expect(CivilDay.isoWeeksInYear(2027) == 52)
        #expect(CivilDay.isoWeekStart(year: 2020, week: 53) == day(2020, 12, 28))
        #expect(day(2021, 1, 3).isoWeek == (2020, 53))
        #expect(day(2021, 1, 4).isoWeek == (2021, 1))
        #expect(day(2026, 1, 1).isoWeek == (2026, 1))
        #expect(day(2025, 12, 29).isoWeek == (2026, 1))
        #expect(CivilDay.isoWeekStart(year: 2026, week: 1) == day(2025, 12, 29))
        #expect(day(2027, 1, 1).isoWeek == (2026, 53))
        #expect(day(2027, 1, 3).isoWeek == (2026, 53))
        #expect(CivilDay.isoWeekStart(year: 2026, week: 53) == day(2026, 12, 28))
        #expect(day(2008, 12, 29).isoWeek == (2009, 1))
        #expect(day(2010, 1, 3).isoWeek == (2009, 53))
        // Invalid weeks.
        #expect(CivilDay.isoWeekStart(year: 2025, week: 53) == nil)
        #expect(CivilDay.isoWeekStart(year: 2026, week: 54) == nil)
        #expect(CivilDay.isoWeekStart(year: 2026, week: 0) == nil)
        #expect(CivilDay.isoWeekStart(year: 2026, week: -1) == nil)
        // Every week 1950...2100 round trips, starts on a Monday and spans 7 days.
        for year in 1950...2100 {
            for week in 1...CivilDay.isoWeeksInYear(year) {
                let monday = CivilDay.isoWeekStart(year: year, week: week)!
                #expect(monday.weekday == 1)
                #expect(monday.isoWeek == (year, week))
                #expect(monday.adding(days: 6).isoWeek == (year, week))
            }
        }
    }

    @Test func months() {
        #expect(CivilDay.firstOfMonth(year: 2026, month: 3) == day(2026, 3, 1))
        #expect(CivilDay.firstOfMonth(year: 2026, month: 0) == nil)
        #expect(CivilDay.firstOfMonth(year: 2026, month: 13) == nil)
        #expect(day(2026, 3, 31).firstOfMonth == day(2026, 3, 1))
        #expect(day(2026, 3, 1).firstOfMonth == day(2026, 3, 1))
    }

    @Test func invalidInputs() {
        #expect(CivilDay(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDay(year: 2026, month: 0, day: 1) == nil)
        #expect(CivilDay(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDay(year: 2026, month: 1, day: 0) == nil)
        #expect(CivilDay(year: 2026, month: 1, day: 32) == nil)
        #expect(CivilDay(year: 10_000_000, month: 1, day: 1) == nil)
        for text in [
            "", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-01", "2026-01-1",
            " 2026-01-01", "2026-01-01 ", "2026/01/01", "20260101", "2026-01-01T00:00", "abcd-ef-gh",
            "-2026-01-01", "2026-04-31", "２０２６-01-01", "2026-0a-01",
        ] {
            #expect(CivilDay.parse(text) == nil, "\(text)")
        }
        #expect(CivilDay.parse("2026-01-01"[...]) == day(2026, 1, 1))
    }

    @Test func descriptionEdges() {
        #expect(day(0, 1, 1).description == "0000-01-01")
        #expect(day(9999, 12, 31).description == "9999-12-31")
        #expect(day(1, 2, 3).description == "0001-02-03")
        #expect(day(-1, 12, 31).description == "-0001-12-31")
        #expect(day(10_000, 1, 1).description == "+10000-01-01")
        #expect(CivilDay.parse("0000-01-01") == day(0, 1, 1))
        #expect(CivilDay.parse("9999-12-31") == day(9999, 12, 31))
        #expect("\(day(2026, 10, 25))" == "2026-10-25")
    }

    @Test func orderingArithmeticAndCodable() throws {
        let a = day(2026, 1, 31)
        let b = day(2026, 2, 1)
        #expect(a < b)
        #expect(a.adding(days: 1) == b)
        #expect(b.adding(days: -1) == a)
        #expect(a.days(to: b) == 1)
        #expect(day(2026, 1, 1).days(to: day(2027, 1, 1)) == 365)
        #expect([b, a].sorted() == [a, b])
        #expect(Set([a, b, a.adding(days: 1)]).count == 2)

        let json = try JSONEncoder().encode([a, b])
        #expect(String(decoding: json, as: UTF8.self) == #"["2026-01-31","2026-02-01"]"#)
        #expect(try JSONDecoder().decode([CivilDay].self, from: json) == [a, b])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDay].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }
}
