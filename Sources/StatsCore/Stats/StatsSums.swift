/// Sums of cells into blocks. Works on day-level fields (`method|status|n|a`) and hourly ones
/// (`method|status|HH|n|a`) alike: the status is the second part, n/a the last.
public enum StatsSums {
    /// One block per type, over all the given days.
    public static func blocks(_ days: StatsReader.Days, filter: StatsFilter) -> [TransactionType: StatusBlock] {
        var out: [TransactionType: StatusBlock] = [:]
        for t in filter.types { out[t] = StatusBlock() }
        for (_, types) in days {
            for (t, cells) in types where out[t] != nil { add(cells, into: &out[t]!, filter: filter) }
        }
        return out
    }

    /// Per payment method, per type.
    public static func byMethod(_ days: StatsReader.Days, filter: StatsFilter) -> [String: [TransactionType: StatusBlock]] {
        var out: [String: [TransactionType: StatusBlock]] = [:]
        for (_, types) in days {
            for (t, cells) in types where filter.type == nil || filter.type == t {
                for (k, v) in cells {
                    let p = k.split(separator: "|", omittingEmptySubsequences: false)
                    guard p.count >= 3, let s = TransactionStatus(text: p[1]), filter.admits(method: p[0], status: s) else { continue }
                    var block = out[String(p[0]), default: [:]][t, default: StatusBlock()]
                    if p.last == "n" { block[s].count += v } else { block[s].amount += v }
                    out[String(p[0]), default: [:]][t] = block
                }
            }
        }
        return out
    }

    /// Hourly cells of one day: hour -> type -> block.
    public static func hourly(_ cells: [TransactionType: [String: Int64]], hours: Int, filter: StatsFilter) -> [[TransactionType:
        StatusBlock]]
    {
        var out = Array(repeating: Dictionary(uniqueKeysWithValues: filter.types.map { ($0, StatusBlock()) }), count: max(hours, 1))
        for (t, fields) in cells where filter.type == nil || filter.type == t {
            for (k, v) in fields {
                guard let f = HourlyField(k), filter.admits(method: Substring(f.method), status: f.status) else { continue }
                guard f.hour >= 0 else { continue }
                while f.hour >= out.count { out.append(Dictionary(uniqueKeysWithValues: filter.types.map { ($0, StatusBlock()) })) }
                if f.isCount { out[f.hour][t]![f.status].count += v } else { out[f.hour][t]![f.status].amount += v }
            }
        }
        return out
    }

    static func add(_ cells: [String: Int64], into block: inout StatusBlock, filter: StatsFilter) {
        for (k, v) in cells {
            let p = k.split(separator: "|", omittingEmptySubsequences: false)
            guard p.count >= 3, let s = TransactionStatus(text: p[1]), filter.admits(method: p[0], status: s) else { continue }
            if p.last == "n" { block[s].count += v } else { block[s].amount += v }
        }
    }

    /// `{"transactions": block, "withdrawals": block}` — deposits are `transactions`, as in the
    /// statistics services this API follows.
    public static func typesJSON(_ blocks: [TransactionType: StatusBlock]) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        if let d = blocks[.deposit] { out.append(("transactions", d.json)) }
        if let w = blocks[.withdrawal] { out.append(("withdrawals", w.json)) }
        return out
    }
}
