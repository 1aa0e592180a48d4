import Hummingbird
import StatsCore

/// `from_date` / `to_date` (both inclusive), validated with a `detail` that names the problem.
/// A parameter that is present must be valid, even when empty (`from_date=` is not a date).
struct DateRangeQuery {
    let from: CivilDay
    let to: CivilDay

    /// Days a request may name: 0000-01-01 to 9999-12-31, the four-digit years of RFC 3339
    /// `full-date` (the OpenAPI `format: date`).
    static let firstDay = CivilDay(year: 0, month: 1, day: 1)!
    static let lastDay = CivilDay(year: 9999, month: 12, day: 31)!

    init(_ request: Request, fromName: String = "from_date", toName: String = "to_date", maxDays: Int) throws {
        from = try Self.date(request, fromName)
        to = try Self.date(request, toName)
        guard from <= to else { throw ApiError.badRequest("\(fromName) (\(from)) is after \(toName) (\(to))") }
        // Both days are within 0000...9999, so this difference is at most 3.7 million.
        let days = from.days(to: to) + 1
        guard days <= maxDays else {
            throw ApiError.badRequest("the range \(from)..\(to) spans \(days) days; at most \(maxDays) are allowed")
        }
    }

    static func date(_ request: Request, _ name: String) throws -> CivilDay {
        guard let text = request.uri.queryParameters.get(name) else {
            throw ApiError.badRequest("\(name) is required, as a date YYYY-MM-DD")
        }
        return try parse(text, name)
    }

    /// A `YYYY-MM-DD` day from 0000-01-01 to 9999-12-31.
    static func parse(_ text: some StringProtocol, _ name: String) throws -> CivilDay {
        guard let day = CivilDay.parse(text), day >= firstDay, day <= lastDay else {
            throw ApiError.badRequest("\(name) must be a date YYYY-MM-DD; got \(JSONText.quote(String(text.prefix(40))))")
        }
        return day
    }
}
