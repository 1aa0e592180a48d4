import Hummingbird
import StatsCore

/// `compare?period=30d` (or 7d, 1d, any Nd; or startDate/endDate): the current period against
/// the previous one of the same length, per type, status and payment method, with absolute and
/// percentage changes (null when the previous value is zero) and success/failure rates.
extension StatsApp {
    func compare(_ request: Request) async throws -> Response {
        let q = query(request)
        let filter = try q.filter()
        var explicit: (CivilDay, CivilDay)?
        var days = 30
        var label = "30d"
        // Checked even when the dates make it unused: a present parameter must be valid.
        if let p = try q.period() {
            days = p.days
            label = p.label
        }
        if q.has("startDate") || q.has("endDate") {
            // Both days are within 0000...9999 and the range within maxRangeDays, so the
            // previous period starts at most maxRangeDays before 0000-01-01: no overflow.
            let r = try q.range()
            explicit = r
            days = r.0.days(to: r.1) + 1
            label = "custom"
        }
        let (from, to) = explicit ?? lastDays(days)
        let fixedDays = days
        let fixedLabel = label
        return try await cachedView(request, key: "compare|\(label)|\(from)|\(to)|\(filter.cacheKey)") { reader, currency in
            let days = fixedDays
            let label = fixedLabel
            let prevFrom = from.adding(days: -days)
            let prevTo = from.adding(days: -1)
            let all = try reader.read(from: prevFrom, to: to, view: .status, currency: currency)
            let current = all.filter { $0.key >= from }
            let previous = all.filter { $0.key < from }
            let cur = StatsSums.blocks(current, filter: filter)
            let prev = StatsSums.blocks(previous, filter: filter)
            let curM = StatsSums.byMethod(current, filter: filter)
            let prevM = StatsSums.byMethod(previous, filter: filter)
            let methods = Set(curM.keys).union(prevM.keys).sorted()

            func summary(_ f: CivilDay, _ t: CivilDay, _ b: [TransactionType: StatusBlock], _ m: [String: [TransactionType: StatusBlock]])
                -> JSONValue
            {
                .object(
                    [("startDate", .string(f.description)), ("endDate", .string(t.description))] + StatsSums.typesJSON(b)
                        + [
                            ("rates", .object(named(b).map { ($0.0, rates($0.1)) })),
                            ("byMethod", .object(methods.map { name in (name, .object(StatsSums.typesJSON(filled(m[name])))) })),
                        ])
            }
            func filled(_ b: [TransactionType: StatusBlock]?) -> [TransactionType: StatusBlock] {
                Dictionary(uniqueKeysWithValues: filter.types.map { ($0, b?[$0] ?? StatusBlock()) })
            }
            var change: [(String, JSONValue)] = named(cur).map { name, block in
                let type: TransactionType = name == "transactions" ? .deposit : .withdrawal
                return (name, diff(block, prev[type] ?? StatusBlock()))
            }
            change.append(
                (
                    "byMethod",
                    .object(
                        methods.map { name in
                            (
                                name,
                                .object(
                                    filter.types.map { t in
                                        (
                                            t == .deposit ? "transactions" : "withdrawals",
                                            diff(curM[name]?[t] ?? StatusBlock(), prevM[name]?[t] ?? StatusBlock())
                                        )
                                    })
                            )
                        })
                ))
            return .object([
                ("period", .string(label)), ("days", .int(Int64(days))),
                ("current", summary(from, to, cur, curM)), ("previous", summary(prevFrom, prevTo, prev, prevM)),
                ("change", .object(change)),
            ])
        }
    }

    private func named(_ b: [TransactionType: StatusBlock]) -> [(String, StatusBlock)] {
        TransactionType.allCases.compactMap { t in b[t].map { (t == .deposit ? "transactions" : "withdrawals", $0) } }
    }

    private func rates(_ b: StatusBlock) -> JSONValue {
        .object([
            ("successRate", Self.percent(b.success.count, of: b.total.count)),
            ("failureRate", Self.percent(b.failed.count, of: b.total.count)),
        ])
    }

    /// Per status: absolute change of count and amount, and their percentage change; plus the
    /// change of the success and failure rates in percentage points, and the trend of the
    /// successful amount.
    private func diff(_ c: StatusBlock, _ p: StatusBlock) -> JSONValue {
        func one(_ a: StatusBlock.Tally, _ b: StatusBlock.Tally) -> JSONValue {
            .object([
                ("count", .int(a.count - b.count)), ("amount", .amount(a.amount - b.amount)),
                ("countPercent", Self.percent(a.count - b.count, of: b.count)),
                ("amountPercent", Self.percent(a.amount - b.amount, of: b.amount)),
            ])
        }
        var fields: [(String, JSONValue)] = TransactionStatus.allCases.map { ($0.name, one(c[$0], p[$0])) }
        fields.append(("total", one(c.total, p.total)))
        fields.append(("successRatePoints", Self.points(c.success.count, c.total.count, p.success.count, p.total.count)))
        fields.append(("failureRatePoints", Self.points(c.failed.count, c.total.count, p.failed.count, p.total.count)))
        let d = c.success.amount - p.success.amount
        fields.append(("trend", .string(d > 0 ? "up" : d < 0 ? "down" : "flat")))
        return .object(fields)
    }

    /// 100 * part / whole with two decimals, or null when `whole` is zero. Ratios, not money:
    /// rounding here loses nothing that was exact.
    static func percent(_ part: Int64, of whole: Int64) -> JSONValue {
        guard whole != 0 else { return .null }
        return .number(twoDecimals(Double(part) / Double(whole) * 100))
    }

    static func points(_ a: Int64, _ at: Int64, _ b: Int64, _ bt: Int64) -> JSONValue {
        guard at != 0, bt != 0 else { return .null }
        return .number(twoDecimals((Double(a) / Double(at) - Double(b) / Double(bt)) * 100))
    }

    static func twoDecimals(_ v: Double) -> String {
        let hundredths = Int64((v * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let m = hundredths.magnitude
        return "\(sign)\(m / 100).\(m % 100 < 10 ? "0" : "")\(m % 100)"
    }
}
