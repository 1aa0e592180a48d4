/// One (day, type, currency)'s aggregates at the finest grain: the hourly cells exactly as Redis holds
/// them (`method|status|HH|n` → count, `…|a` → amount in minor units). Every other view —
/// per-method totals, status breakdowns, hourly profiles — is a sum of these.
public struct DayAggregate: Sendable, Equatable {
    public var day: CivilDay
    public var type: TransactionType
    /// Amounts are minor units of this currency; aggregates of two currencies are never added.
    public var currency: Currency
    public var cells: [String: Int64]

    public init(day: CivilDay, type: TransactionType, currency: Currency, cells: [String: Int64] = [:]) {
        self.day = day
        self.type = type
        self.currency = currency
        self.cells = cells
    }

    public var isEmpty: Bool { cells.allSatisfy { $0.value == 0 } }

    /// Adds another set of cells (a late delta) to these.
    public mutating func add(_ other: [String: Int64]) {
        for (k, v) in other { cells[k, default: 0] += v }
    }

    /// Payment method → amount of successful transactions: the original `/stats` view.
    public var successTotals: [String: Int64] {
        var out: [String: Int64] = [:]
        for (k, v) in cells {
            guard let f = HourlyField(k), f.status == .success, !f.isCount else { continue }
            out[f.method, default: 0] += v
        }
        return out.filter { $0.value != 0 }
    }

    /// `method|status|n` and `method|status|a` summed over the hours.
    public var statusTotals: [String: Int64] {
        var out: [String: Int64] = [:]
        for (k, v) in cells {
            guard let f = HourlyField(k) else { continue }
            out[KeyLayout.statusField(method: f.method, status: f.status, count: f.isCount), default: 0] += v
        }
        return out
    }

    /// Parses hourly cells from an HGETALL-style reply.
    public static func cells(from pairs: [(String, String)]) -> [String: Int64] {
        var out: [String: Int64] = [:]
        out.reserveCapacity(pairs.count)
        for (k, v) in pairs { if let n = Int64(v) { out[k] = n } }
        return out
    }
}
