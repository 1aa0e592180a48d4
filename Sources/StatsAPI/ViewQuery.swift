import Hummingbird
import Foundation
import StatsCore

/// Query parameters of the `/api/v1/stats/*` views, each validated with a `detail` naming it.
struct ViewQuery {
    let request: Request
    let maxDays: Int

    func date(_ name: String) throws -> CivilDay { try DateRangeQuery.date(request, name) }

    func optionalString(_ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    func range(_ fromName: String = "startDate", _ toName: String = "endDate") throws -> (CivilDay, CivilDay) {
        let r = try DateRangeQuery(request, fromName: fromName, toName: toName, maxDays: maxDays)
        return (r.from, r.to)
    }

    /// `week=YYYY-Www`: Monday to Sunday of that ISO week.
    func week() throws -> (CivilDay, CivilDay, String)? {
        guard let text = optionalString("week") else { return nil }
        let p = text.split(separator: "-")
        guard p.count == 2, p[1].hasPrefix("W"), let y = Int(p[0]), p[0].count == 4, let w = Int(p[1].dropFirst()),
              let start = CivilDay.isoWeekStart(year: y, week: w) else {
            throw ApiError.badRequest("week must be an ISO week YYYY-Www (e.g. 2026-W01) that exists; got \(JSONText.quote(String(text.prefix(20))))")
        }
        return (start, start.adding(days: 6), text)
    }

    /// `month=YYYY-MM`.
    func month() throws -> (CivilDay, CivilDay, String) {
        guard let text = optionalString("month") else { throw ApiError.badRequest("month is required, as YYYY-MM") }
        let p = text.split(separator: "-")
        guard p.count == 2, p[0].count == 4, p[1].count == 2, let y = Int(p[0]), let m = Int(p[1]),
              let first = CivilDay.firstOfMonth(year: y, month: m) else {
            throw ApiError.badRequest("month must be YYYY-MM; got \(JSONText.quote(String(text.prefix(20))))")
        }
        return (first, first.adding(days: first.daysInMonth - 1), text)
    }

    /// `days=N`, 1...maxDays.
    func days(default d: Int) throws -> Int {
        guard let text = optionalString("days") else { return d }
        guard let n = Int(text), n >= 1, n <= maxDays else {
            throw ApiError.badRequest("days must be a whole number from 1 to \(maxDays); got \(JSONText.quote(String(text.prefix(20))))")
        }
        return n
    }

    /// `type=`, `method=`, `status=`.
    func filter() throws -> StatsFilter {
        var f = StatsFilter()
        if let t = optionalString("type") {
            guard let type = TransactionType(text: t) else { throw ApiError.badRequest("type must be deposit or withdrawal; got \(JSONText.quote(String(t.prefix(20))))") }
            f.type = type
        }
        if let s = optionalString("status") {
            guard let status = TransactionStatus(text: s) else { throw ApiError.badRequest("status must be success, failed or pending; got \(JSONText.quote(String(s.prefix(20))))") }
            f.status = status
        }
        if let m = optionalString("method") {
            switch PaymentMethodName.normalize(m) {
            case .success(let name): f.method = name
            case .failure(let reason): throw ApiError.badRequest("method: \(reason.message)")
            }
        }
        return f
    }
}
