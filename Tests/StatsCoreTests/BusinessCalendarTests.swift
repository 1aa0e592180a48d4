import Foundation
import Testing

@testable import StatsCore

@Suite struct BusinessCalendarTests {
    private func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDay {
        CivilDay(year: y, month: m, day: d)!
    }

    /// Epoch seconds of a UTC wall time.
    private func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
        Int64(day(y, mo, d).daysSinceEpoch) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    private func calendar(_ id: String) throws -> BusinessCalendar {
        try BusinessCalendar(timeZoneIdentifier: id)
    }

    @Test func unknownZoneIsNamed() {
        do {
            _ = try BusinessCalendar(timeZoneIdentifier: "Mars/Olympus_Mons")
            Issue.record("no error")
        } catch let error as RejectReason {
            #expect(error.code == "unknown_time_zone")
            #expect(error.message.contains("\"Mars/Olympus_Mons\""))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: RejectReason.self) { try BusinessCalendar(timeZoneIdentifier: "") }
    }

    @Test func utc() throws {
        var cal = try calendar("UTC")
        #expect(cal.isUTC)
        #expect(BusinessCalendar.utc.isUTC)
        #expect(try calendar("Etc/UTC").isUTC)
        #expect(try !calendar("Europe/London").isUTC)
        #expect(cal.bucket(epochSeconds: 0) == (CivilDay.epoch, 0))
        #expect(cal.bucket(epochSeconds: -1) == (day(1969, 12, 31), 23))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 13, 59, 59)) == (day(2026, 1, 15), 13))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 23, 59, 59)) == (day(2026, 1, 15), 23))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 16)) == (day(2026, 1, 16), 0))
        let info = cal.dayInfo(day(2026, 1, 15))
        #expect(info.start == utc(2026, 1, 15))
        #expect(info.end == utc(2026, 1, 16))
        #expect(info.hours == 24)
        #expect(info.utcOffsetAtStart == 0)
        #expect(cal.epochSeconds(day: day(2026, 1, 15), secondsOfDay: 3661) == utc(2026, 1, 15, 1, 1, 1))
        #expect(cal.epochSeconds(day: day(2026, 1, 15), secondsOfDay: 86_400) == utc(2026, 1, 16))
        #expect(cal.epochSeconds(day: day(2026, 1, 15), secondsOfDay: -1) == utc(2026, 1, 14, 23, 59, 59))
        #expect(cal.hourLabel(day: day(2026, 1, 15), hour: 7) == "2026-01-15T07:00:00+00:00")
    }

    @Test func berlinSpringForward() throws {
        var cal = try calendar("Europe/Berlin")
        let d = day(2026, 3, 29)
        let info = cal.dayInfo(d)
        #expect(info.start == utc(2026, 3, 28, 23))
        #expect(info.end == utc(2026, 3, 29, 22))
        #expect(info.hours == 23)
        #expect(info.utcOffsetAtStart == 3600)
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 28, 22, 59, 59)) == (day(2026, 3, 28), 23))
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 28, 23)) == (d, 0))
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 29, 0, 59, 59)) == (d, 1)) // 01:59:59 CET
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 29, 1)) == (d, 2)) // 03:00 CEST
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 29, 21, 59, 59)) == (d, 22))
        #expect(cal.bucket(epochSeconds: utc(2026, 3, 29, 22)) == (day(2026, 3, 30), 0))
        // Wall clock to instant: 02:30 does not exist and moves forward by the gap to 03:30 CEST.
        #expect(cal.epochSeconds(day: d, secondsOfDay: 1 * 3600 + 59 * 60) == utc(2026, 3, 29, 0, 59))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 2 * 3600) == utc(2026, 3, 29, 1))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 2 * 3600 + 30 * 60) == utc(2026, 3, 29, 1, 30))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 3 * 3600) == utc(2026, 3, 29, 1))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 3 * 3600 + 30 * 60) == utc(2026, 3, 29, 1, 30))
        #expect(cal.hourLabel(day: d, hour: 1) == "2026-03-29T01:00:00+01:00")
        #expect(cal.hourLabel(day: d, hour: 2) == "2026-03-29T03:00:00+02:00")
        #expect(cal.hourLabel(day: d, hour: 22) == "2026-03-29T23:00:00+02:00")
    }

    @Test func berlinFallBack() throws {
        var cal = try calendar("Europe/Berlin")
        let d = day(2026, 10, 25)
        let info = cal.dayInfo(d)
        #expect(info.start == utc(2026, 10, 24, 22))
        #expect(info.end == utc(2026, 10, 25, 23))
        #expect(info.hours == 25)
        #expect(info.utcOffsetAtStart == 7200)
        #expect(info.utcOffset(at: utc(2026, 10, 25, 1)) == 3600)
        #expect(cal.bucket(epochSeconds: utc(2026, 10, 25, 0, 30)) == (d, 2)) // 02:30 CEST
        #expect(cal.bucket(epochSeconds: utc(2026, 10, 25, 1, 30)) == (d, 3)) // 02:30 CET
        #expect(cal.bucket(epochSeconds: utc(2026, 10, 25, 22, 59, 59)) == (d, 24))
        #expect(cal.bucket(epochSeconds: utc(2026, 10, 25, 23)) == (day(2026, 10, 26), 0))
        // Ambiguous 02:30 is the earlier (CEST) instant.
        #expect(cal.epochSeconds(day: d, secondsOfDay: 2 * 3600 + 30 * 60) == utc(2026, 10, 25, 0, 30))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 2 * 3600) == utc(2026, 10, 25, 0))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 3 * 3600) == utc(2026, 10, 25, 2))
        #expect(cal.epochSeconds(day: d, secondsOfDay: 1 * 3600 + 59 * 60) == utc(2026, 10, 24, 23, 59))
        #expect(cal.hourLabel(day: d, hour: 2) == "2026-10-25T02:00:00+02:00")
        #expect(cal.hourLabel(day: d, hour: 3) == "2026-10-25T02:00:00+01:00")
        #expect(cal.hourLabel(day: d, hour: 24) == "2026-10-25T23:00:00+01:00")
        #expect(cal.hourStart(day: d, hour: 3) == utc(2026, 10, 25, 1))
    }

    @Test func newYorkNearMidnight() throws {
        var cal = try calendar("America/New_York")
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 3, 30)) == (day(2026, 1, 14), 22))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 4, 59, 59)) == (day(2026, 1, 14), 23))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 5)) == (day(2026, 1, 15), 0))
        let info = cal.dayInfo(day(2026, 1, 14))
        #expect(info.start == utc(2026, 1, 14, 5))
        #expect(info.utcOffsetAtStart == -18_000)
        #expect(cal.epochSeconds(day: day(2026, 1, 14), secondsOfDay: 22 * 3600 + 1800) == utc(2026, 1, 15, 3, 30))
        #expect(cal.hourLabel(day: day(2026, 1, 14), hour: 22) == "2026-01-14T22:00:00-05:00")
    }

    @Test func kolkataHalfHourOffset() throws {
        var cal = try calendar("Asia/Kolkata")
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 18, 29, 59)) == (day(2026, 1, 15), 23))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 18, 30)) == (day(2026, 1, 16), 0))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 19, 29, 59)) == (day(2026, 1, 16), 0))
        #expect(cal.bucket(epochSeconds: utc(2026, 1, 15, 19, 30)) == (day(2026, 1, 16), 1))
        let info = cal.dayInfo(day(2026, 1, 16))
        #expect(info.start == utc(2026, 1, 15, 18, 30))
        #expect(info.hours == 24)
        #expect(info.utcOffsetAtStart == 19_800)
        #expect(cal.hourLabel(day: day(2026, 1, 16), hour: 5) == "2026-01-16T05:00:00+05:30")
        #expect(cal.epochSeconds(day: day(2026, 1, 16), secondsOfDay: 0) == utc(2026, 1, 15, 18, 30))
    }

    @Test func lordHoweHalfHourDST() throws {
        var cal = try calendar("Australia/Lord_Howe")
        // 2026-04-05 02:00 +11 falls back to 01:30 +10:30: 24.5 hours.
        let april = cal.dayInfo(day(2026, 4, 5))
        #expect(april.end - april.start == 24 * 3600 + 1800)
        #expect(april.hours == 25)
        // 2026-10-04 02:00 +10:30 springs to 02:30 +11: 23.5 hours.
        let october = cal.dayInfo(day(2026, 10, 4))
        #expect(october.end - october.start == 23 * 3600 + 1800)
        #expect(october.hours == 24)
        // 02:15 is in the gap: 02:45 +11.
        let t = cal.epochSeconds(day: day(2026, 10, 4), secondsOfDay: 2 * 3600 + 900)
        #expect(t == utc(2026, 10, 3, 15, 45))
        for info in [april, october] {
            var s = info.start - 3600
            while s < info.end + 3600 {
                let (d, h) = cal.bucket(epochSeconds: s)
                let i = cal.dayInfo(d)
                #expect(i.contains(s))
                #expect(h >= 0 && h < i.hours)
                _ = cal.hourLabel(day: d, hour: h)
                s += 600
            }
        }
        #expect(cal.hourLabel(day: day(2026, 10, 4), hour: 2) == "2026-10-04T02:30:00+11:00")
    }

    @Test func skippedMidnightAndSkippedDay() throws {
        // São Paulo 2018-11-04: 00:00 -03 jumped to 01:00 -02, so the day starts at 01:00.
        var sp = try calendar("America/Sao_Paulo")
        let d = day(2018, 11, 4)
        let info = sp.dayInfo(d)
        #expect(info.start == utc(2018, 11, 4, 3))
        #expect(info.utcOffsetAtStart == -7200)
        #expect(info.hours == 23)
        #expect(sp.epochSeconds(day: d, secondsOfDay: 0) == info.start)
        #expect(sp.epochSeconds(day: d, secondsOfDay: 1800) == utc(2018, 11, 4, 3, 30))
        #expect(sp.bucket(epochSeconds: utc(2018, 11, 4, 2, 59, 59)) == (day(2018, 11, 3), 23))
        #expect(sp.bucket(epochSeconds: utc(2018, 11, 4, 3)) == (d, 0))
        #expect(sp.hourLabel(day: d, hour: 0) == "2018-11-04T01:00:00-02:00")

        // Samoa skipped 2011-12-30 entirely (-10:00 to +14:00).
        var apia = try calendar("Pacific/Apia")
        let skipped = apia.dayInfo(day(2011, 12, 30))
        #expect(skipped.hours == 0)
        #expect(skipped.start == skipped.end)
        #expect(apia.bucket(epochSeconds: skipped.start - 1) == (day(2011, 12, 29), 23))
        #expect(apia.bucket(epochSeconds: skipped.start) == (day(2011, 12, 31), 0))
        #expect(apia.dayInfo(day(2011, 12, 31)).start == skipped.start)
    }

    /// Day starts and ends agree with Foundation's Calendar for every day of 2010...2030.
    @Test(arguments: [
        "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
        "America/Sao_Paulo", "Pacific/Chatham", "Asia/Tehran", "America/Havana", "America/Santiago",
        "Europe/London", "Pacific/Apia",
    ])
    func dayBoundariesMatchFoundation(_ id: String) throws {
        var cal = try calendar(id)
        var fc = Calendar(identifier: .gregorian)
        fc.timeZone = TimeZone(identifier: id)!
        var failures = 0
        for d in day(2010, 1, 1).daysSinceEpoch...day(2030, 12, 31).daysSinceEpoch {
            let civil = CivilDay(daysSinceEpoch: d)
            let info = cal.dayInfo(civil)
            guard info.hours > 0 else { continue } // a skipped day has no instant to ask Foundation about
            let interval = fc.dateInterval(of: .day, for: Date(timeIntervalSince1970: TimeInterval(info.start)))!
            let (y, m, dd) = civil.components
            let c = fc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(info.start)))
            if Int64(interval.start.timeIntervalSince1970) != info.start
                || Int64(interval.end.timeIntervalSince1970) != info.end
                || c.year != y || c.month != m || c.day != dd
            {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(id) \(civil): start \(info.start) end \(info.end) vs \(interval)")
                }
            }
        }
        #expect(failures == 0)
    }

    /// A year of instants (hourly, at :20:34) in several zones: buckets hold the instant, hours are
    /// within the day, the day is Foundation's local day, and wall clock → instant round-trips.
    @Test(arguments: [
        "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
        "Pacific/Chatham", "America/Sao_Paulo",
    ])
    func bucketAndEpochSecondsAreConsistent(_ id: String) throws {
        var cal = try calendar(id)
        var fc = Calendar(identifier: .gregorian)
        fc.timeZone = TimeZone(identifier: id)!
        let tz = fc.timeZone
        var instants: [Int64] = []
        var t = utc(2026, 1, 1) - 86_400 + 1234
        while t < utc(2027, 1, 2) {
            instants.append(t)
            t += 3600
        }
        var buckets: [(CivilDay, Int)] = []
        var previous: (CivilDay, Int)? = nil
        for t in instants {
            let (d, h) = cal.bucket(epochSeconds: t)
            buckets.append((d, h))
            let info = cal.dayInfo(d)
            #expect(info.contains(t))
            #expect(h == Int((t - info.start) / 3600))
            #expect(h >= 0 && h < info.hours)
            let date = Date(timeIntervalSince1970: TimeInterval(t))
            let c = fc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            #expect(CivilDay(year: c.year!, month: c.month!, day: c.day!) == d)
            let wall = c.hour! * 3600 + c.minute! * 60 + c.second!
            let back = cal.epochSeconds(day: d, secondsOfDay: wall)
            if back != t {
                // Only the later of two instants with the same wall time maps back differently.
                let fold = Int64(
                    tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(back)))
                        - tz.secondsFromGMT(for: date))
                #expect(back == t - fold && fold > 0, "\(id) \(t)")
            }
            if let (pd, ph) = previous {
                #expect(pd < d || (pd == d && ph < h), "\(id) \(t): buckets go backwards")
            }
            previous = (d, h)
        }
        // Random order, fresh calendar: same buckets (exercises the cache-miss paths).
        var shuffled = try calendar(id)
        var rng = SplitMix64(seed: 42)
        for i in instants.indices.shuffled(using: &rng) {
            let r = shuffled.bucket(epochSeconds: instants[i])
            #expect(r.day == buckets[i].0 && r.hour == buckets[i].1)
        }
    }

    @Test func copiesAreIndependent() throws {
        var a = try calendar("Europe/Berlin")
        _ = a.bucket(epochSeconds: utc(2026, 3, 29, 12))
        var b = a
        #expect(b.bucket(epochSeconds: utc(2026, 10, 25, 1, 30)) == (day(2026, 10, 25), 3))
        #expect(a.bucket(epochSeconds: utc(2026, 3, 29, 12)) == (day(2026, 3, 29), 13)) // 14:00 CEST, 23-hour day
    }
}

/// Deterministic generator for shuffles.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
