import Hummingbird
import StatsCore

/// `from_date` / `to_date` (both inclusive), validated with a `detail` that names the problem.
struct DateRangeQuery {
    let from: CivilDay
    let to: CivilDay

    init(_ request: Request, fromName: String = "from_date", toName: String = "to_date", maxDays: Int) throws {
        from = try Self.date(request, fromName)
        to = try Self.date(request, toName)
        guard from <= to else { throw ApiError.badRequest("\(fromName) (\(from)) is after \(toName) (\(to))") }
        let days = from.days(to: to) + 1
        guard days <= maxDays else {
            throw ApiError.badRequest("the range \(from)..\(to) spans \(days) days; at most \(maxDays) are allowed")
        }
    }

    static func date(_ request: Request, _ name: String) throws -> CivilDay {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else {
            throw ApiError.badRequest("\(name) is required, as a date YYYY-MM-DD")
        }
        guard let day = CivilDay.parse(text) else {
            throw ApiError.badRequest("\(name) must be a date YYYY-MM-DD; got \(JSONText.quote(String(text.prefix(40))))")
        }
        return day
    }
}
