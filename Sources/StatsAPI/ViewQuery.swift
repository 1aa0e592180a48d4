import Foundation
import Hummingbird
import StatsCore

/// Query parameters of the `/api/v1/stats/*` views, each validated with a `detail` naming it.
///
/// The rule, the same as the OpenAPI document's: a parameter that is absent takes its default;
/// a parameter that is present must be valid by itself, even when empty and even when another
/// parameter makes it unused (`compare?period=x&startDate=…` is refused for `period`).
/// Numbers are read as at most 7 ASCII digits and range-checked before any arithmetic, so no
/// value can overflow. Parameters the route does not know are ignored (and are not part of
/// the cache key).
struct ViewQuery {
    let request: Request
    let maxDays: Int

    /// The raw value of `name` if the query has it (empty included).
    func value(_ name: String) -> Substring? { request.uri.queryParameters.get(name).map { Substring($0) } }

    func has(_ name: String) -> Bool { value(name) != nil }

    func date(_ name: String) throws -> CivilDay { try DateRangeQuery.date(request, name) }

    /// A date if the query has one (checked), else nil.
    func optionalDate(_ name: String) throws -> CivilDay? {
        try value(name).map { try DateRangeQuery.parse($0, name) }
    }

    func range(_ fromName: String = "startDate", _ toName: String = "endDate") throws -> (CivilDay, CivilDay) {
        let r = try DateRangeQuery(request, fromName: fromName, toName: toName, maxDays: maxDays)
        return (r.from, r.to)
    }

    /// 1 to `maxDigits` ASCII digits, as a number (leading zeros allowed); nil for anything else.
    static func digits(_ text: some StringProtocol, maxDigits: Int = 7) -> Int? {
        let u = text.utf8
        guard !u.isEmpty, u.count <= maxDigits, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return u.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// `week=YYYY-Www`: Monday to Sunday of that ISO week (W01 to W52, or W53 in a long year).
    func week() throws -> (CivilDay, CivilDay, String)? {
        guard let text = value("week") else { return nil }
        let u = Array(text.utf8)
        guard u.count == 8, u[4] == UInt8(ascii: "-"), u[5] == UInt8(ascii: "W"), let y = Self.digits(text.prefix(4)),
            let w = Self.digits(text.suffix(2)), let start = CivilDay.isoWeekStart(year: y, week: w)
        else {
            throw ApiError.badRequest(
                "week must be an ISO week YYYY-Www (e.g. 2026-W01) that exists; got \(JSONText.quote(String(text.prefix(20))))")
        }
        return (start, start.adding(days: 6), String(text))
    }

    /// `month=YYYY-MM`.
    func month() throws -> (CivilDay, CivilDay, String) {
        guard let text = value("month") else { throw ApiError.badRequest("month is required, as YYYY-MM") }
        let u = Array(text.utf8)
        guard u.count == 7, u[4] == UInt8(ascii: "-"), let y = Self.digits(text.prefix(4)), let m = Self.digits(text.suffix(2)),
            let first = CivilDay.firstOfMonth(year: y, month: m)
        else {
            throw ApiError.badRequest("month must be YYYY-MM; got \(JSONText.quote(String(text.prefix(20))))")
        }
        return (first, first.adding(days: first.daysInMonth - 1), String(text))
    }

    /// `days=N`, 1...maxDays.
    func days(default d: Int) throws -> Int {
        guard let text = value("days") else { return d }
        guard let n = Self.digits(text), n >= 1, n <= maxDays else {
            throw ApiError.badRequest("days must be a whole number from 1 to \(maxDays); got \(JSONText.quote(String(text.prefix(20))))")
        }
        return n
    }

    /// `period=Nd` (compare): N from 1 to half the range limit, no sign, no leading zero, at most 7
    /// digits read before the limit is compared (no multiplication, no overflow); nil if absent.
    func period() throws -> (days: Int, label: String)? {
        guard let p = value("period") else { return nil }
        guard p.hasSuffix("d"), !p.hasPrefix("0"), let n = Self.digits(p.dropLast()), n >= 1, n <= maxDays / 2 else {
            throw ApiError.badRequest(
                "period must be a number of days like 1d, 7d or 30d (at most \(maxDays / 2)d); got \(JSONText.quote(String(p.prefix(20))))")
        }
        return (n, String(p))
    }

    /// `currency=`: an ISO 4217 code the table knows, in any case (`jpy` is JPY); absent, the
    /// default currency (`TXSTATS_CURRENCY`). Shared by every read route, `/stats` included.
    static func currency(_ request: Request, default fallback: Currency) throws -> Currency {
        guard let text = request.uri.queryParameters.get("currency") else { return fallback }
        let u = text.utf8
        guard u.count == 3, u.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }), let c = Currency(code: text) else {
            throw ApiError.badRequest(
                "currency must be an ISO 4217 code with a minor unit, such as USD, EUR or JPY; got \(JSONText.quote(String(text.prefix(20))))"
            )
        }
        return c
    }

    /// `type=`, `method=`, `status=`. Type and status are exactly one of their values. A method
    /// is normalised as at ingestion; a name that could never be stored (too long, a control
    /// character, `|`) is kept as given, so it matches nothing, like a method never seen.
    func filter() throws -> StatsFilter {
        var f = StatsFilter()
        if let t = value("type") {
            switch t {
            case "deposit": f.type = .deposit
            case "withdrawal": f.type = .withdrawal
            default: throw ApiError.badRequest("type must be deposit or withdrawal; got \(JSONText.quote(String(t.prefix(20))))")
            }
        }
        if let s = value("status") {
            switch s {
            case "success": f.status = .success
            case "failed": f.status = .failed
            case "pending": f.status = .pending
            default: throw ApiError.badRequest("status must be success, failed or pending; got \(JSONText.quote(String(s.prefix(20))))")
            }
        }
        if let m = value("method") {
            guard !m.isEmpty else { throw ApiError.badRequest("method must not be empty") }
            f.method = Self.methodName(m)
        }
        return f
    }

    /// The stored form of a payment method name, or the text itself when no stored name can
    /// equal it (it fails the normalisation every stored name passed).
    static func methodName(_ text: some StringProtocol) -> String {
        (try? PaymentMethodName.normalize(text).get()) ?? String(text)
    }
}

extension StatsFilter {
    /// The filter as part of a cache key.
    var cacheKey: String {
        "\(type.map { "\($0)" } ?? "*")|\(status.map { "\($0)" } ?? "*")|\(method.map { "m=\($0)" } ?? "*")"
    }
}
