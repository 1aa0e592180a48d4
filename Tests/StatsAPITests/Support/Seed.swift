import StatsCore

/// The rows the suite imports, and the figures every view must give for them, computed here
/// from the rows alone (plain loops over plain values; nothing from StatsCore).
///
/// The business zone is UTC and "today" is fixed at 2026-01-20 with a 7-day cut-off, so days
/// before 2026-01-13 are moved to MongoDB by the dumper and later ones stay in Redis.
enum Seed {
    static let today = Day(2026, 1, 20)
    static let cutoffDays = 7
    /// Every view's range limit in these tests (so `compare` takes at most 46d).
    static let maxRangeDays = 92

    /// December (previous periods of `compare`, a method seen only then) and January up to today.
    static let days: [Day] = (10...20).map { Day(2025, 12, $0) } + (5...20).map { Day(2026, 1, $0) }

    /// Deterministic rows: a few per day, every type, method, status (and the importer's status
    /// aliases), hours 0 to 23, amounts from 0.01 to 5000.00, plus fixed ones with easy values.
    static let rows: [Row] = {
        var rng = SplitMix64(seed: 20_260_120)
        var rows: [Row] = []
        for day in days {
            let december = day.month == 12
            let methods = december ? ["visa", "paypal", "wire"] : ["visa", "paypal", "crypto"]
            for _ in 0..<(december ? 4 : 7 + Int(rng.next() % 4)) {
                let roll = rng.next() % 100
                let (status, csv): (Status, String) =
                    roll < 70
                    ? (.success, "success")
                    : roll < 75
                        ? (.success, "Completed")
                        : roll < 87 ? (.failed, "failed") : roll < 90 ? (.failed, "rejected") : (.pending, "pending")
                rows.append(
                    Row(
                        day: day, second: Int(rng.next() % 86_400), kind: rng.next() % 100 < 55 ? .deposit : .withdrawal,
                        method: methods[Int(rng.next() % UInt64(methods.count))], cents: 1 + Int64(rng.next() % 500_000),
                        status: status, csvStatus: csv))
            }
        }
        // Amounts that print short (10, 0.3, 0.05), the first and last second of a day.
        rows.append(
            Row(day: Day(2026, 1, 18), second: 0, kind: .deposit, method: "visa", cents: 30, status: .success, csvStatus: "success"))
        rows.append(
            Row(
                day: Day(2026, 1, 18), second: 86_399, kind: .deposit, method: "crypto", cents: 1000, status: .success, csvStatus: "success"
            ))
        rows.append(
            Row(
                day: Day(2026, 1, 8), second: 3_600 * 13, kind: .withdrawal, method: "paypal", cents: 5, status: .pending,
                csvStatus: "pending"))
        return rows
    }()

    /// Rows in other currencies than the default (USD), on days and methods the USD rows also
    /// have, so that a sum across currencies would show: JPY (no decimals) and KWD (three) on a
    /// Redis day and on a MongoDB day, and CHF only on a December day, whose code Redis later
    /// forgets (the currencies list must still name it, from MongoDB).
    static let foreignRows: [Row] = [
        Row(
            day: Day(2026, 1, 18), second: 3_600 * 9, kind: .deposit, method: "visa", cents: 1500, status: .success, csvStatus: "success",
            currency: "JPY"),
        Row(
            day: Day(2026, 1, 18), second: 3_600 * 9 + 60, kind: .deposit, method: "visa", cents: 700, status: .failed,
            csvStatus: "failed", currency: "JPY"),
        Row(
            day: Day(2026, 1, 8), second: 3_600 * 13, kind: .deposit, method: "visa", cents: 2_000_000, status: .success,
            csvStatus: "success", currency: "JPY"),
        Row(
            day: Day(2026, 1, 18), second: 3_600 * 20, kind: .withdrawal, method: "crypto", cents: 12345, status: .success,
            csvStatus: "success", currency: "KWD"),
        Row(
            day: Day(2026, 1, 8), second: 3_600 * 2, kind: .withdrawal, method: "paypal", cents: 5, status: .pending,
            csvStatus: "pending", currency: "KWD"),
        Row(
            day: Day(2025, 12, 15), second: 3_600 * 12, kind: .deposit, method: "wire", cents: 4210, status: .success,
            csvStatus: "success", currency: "CHF"),
    ]

    /// ISO 4217 exponents of the seed's currencies (written out here, not taken from StatsCore).
    static let exponents = ["USD": 2, "JPY": 0, "KWD": 3, "CHF": 2]

    /// A row the importer rejects (not an amount): the one dead letter, at this CSV line.
    static let badLine = "2026-01-15T10:00:00,deposit,visa,12.3.4,0,success"
    static var badLineNumber: Int { rows.count / 2 + 2 } // after the header, in the middle

    /// The CSV the importer reads: header, rows in order, the bad line in the middle.
    static var csv: String {
        var lines = rows.map(\.csvLine)
        lines.insert(badLine, at: badLineNumber - 2)
        return "timestamp,type,payment_method,amount,sleep_ms,status\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Queue items pushed after aggregation and never consumed: the queue length reported.
    static let pendingQueueItems = [
        #"{"timestamp":"2026-01-19T10:00:00","type":"deposit","payment_method":"visa","amount":"1.00"}"#,
        #"{"timestamp":"2026-01-19T11:00:00","type":"withdrawal","payment_method":"paypal","amount":"2.00"}"#,
        #"{"timestamp":"2026-01-19T12:00:00","type":"deposit","payment_method":"crypto","amount":"3.00"}"#,
    ]

    static var methods: [String] { Set(rows.map(\.method)).sorted() }

    /// Rows of one currency (USD: ``rows``; others: ``foreignRows``) in a range.
    static func rows(from: Day, to: Day, _ filter: Filter = Filter(), currency: String = "USD") -> [Row] {
        (currency == "USD" ? rows : foreignRows.filter { $0.currency == currency }).filter {
            $0.day >= from && $0.day <= to && filter.admits($0)
        }
    }

    /// The last `n` days up to today.
    static func lastDays(_ n: Int) -> (Day, Day) { (today.adding(-(n - 1)), today) }
}

enum Kind: String, CaseIterable, Sendable {
    case deposit, withdrawal
    /// The name in `/stats` (`deposits`) and in the view blocks (`transactions`).
    var plural: String { self == .deposit ? "deposits" : "withdrawals" }
    var blockName: String { self == .deposit ? "transactions" : "withdrawals" }
}

enum Status: String, CaseIterable, Sendable {
    case success, failed, pending
}

struct Row: Sendable {
    var day: Day
    /// Seconds since local (UTC) midnight.
    var second: Int
    var kind: Kind
    var method: String
    var cents: Int64
    var status: Status
    /// As written in the CSV (`Completed` and `rejected` are the importer's aliases).
    var csvStatus: String
    /// ISO 4217 code; `cents` are minor units of it (yen for JPY, fils for KWD).
    var currency = "USD"

    var hour: Int { second / 3600 }

    var csvLine: String {
        let t = String(format2: second / 3600) + ":" + String(format2: second / 60 % 60) + ":" + String(format2: second % 60)
        return "\(day)T\(t),\(kind.rawValue),\(method),\(cents / 100).\(String(format2: Int(cents % 100))),0,\(csvStatus)"
    }
}

/// The `type=`, `method=`, `status=` query filters.
struct Filter: Sendable {
    var kind: Kind?
    var method: String?
    var status: Status?

    var kinds: [Kind] { kind.map { [$0] } ?? Kind.allCases }

    func admits(_ r: Row) -> Bool {
        (kind == nil || r.kind == kind) && (method == nil || r.method == method) && (status == nil || r.status == status)
    }

    /// As a query string (without `?`), empty without filters.
    var query: String {
        [kind.map { "type=\($0.rawValue)" }, method.map { "method=\($0)" }, status.map { "status=\($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: "&")
    }
}

struct Tally: Equatable, Sendable {
    var count: Int64 = 0
    var cents: Int64 = 0
}

/// What the rows of one type add up to, per status.
struct Block: Equatable, Sendable {
    var tallies: [Status: Tally] = [:]

    init(_ rows: [Row]) {
        for r in rows {
            tallies[r.status, default: Tally()].count += 1
            tallies[r.status, default: Tally()].cents += r.cents
        }
    }

    subscript(_ s: Status) -> Tally { tallies[s] ?? Tally() }
    var total: Tally {
        Tally(count: Status.allCases.map { self[$0].count }.reduce(0, +), cents: Status.allCases.map { self[$0].cents }.reduce(0, +))
    }
}

/// The JSON the api must answer, built from expected figures.
enum Expected {
    static func number(_ n: Int64) -> JSON { .number(String(n)) }

    /// Minor units as the shortest exact decimal with `exponent` fraction digits: with 2,
    /// 1000 -> 10, 30 -> 0.3, 5 -> 0.05; with 0, 1500 -> 1500; with 3, 12345 -> 12.345.
    static func amount(_ minor: Int64, exponent: Int = 2) -> JSON {
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = m / divisor
        var frac = String(m % divisor)
        guard exponent > 0, m % divisor != 0 else { return .number("\(sign)\(whole)") }
        frac = String(repeating: "0", count: exponent - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return .number("\(sign)\(whole).\(frac)")
    }

    /// A view's answer: `currency` first, then the view's own fields.
    static func view(_ fields: [(String, JSON)], currency: String = "USD") -> JSON {
        .object([("currency", .string(currency))] + fields)
    }

    static func tally(_ t: Tally, exponent: Int = 2) -> JSON {
        .object([("count", number(t.count)), ("amount", amount(t.cents, exponent: exponent))])
    }

    /// `{"success": …, "failed": …, "pending": …, "total": …}`.
    static func block(_ rows: [Row], exponent: Int = 2) -> JSON {
        let b = Block(rows)
        return .object(
            Status.allCases.map { ($0.rawValue, tally(b[$0], exponent: exponent)) } + [("total", tally(b.total, exponent: exponent))])
    }

    /// `"transactions": block, "withdrawals": block` for the filter's types.
    static func types(_ rows: [Row], _ filter: Filter, exponent: Int = 2) -> [(String, JSON)] {
        filter.kinds.map { k in (k.blockName, block(rows.filter { $0.kind == k && filter.admits($0) }, exponent: exponent)) }
    }

    /// `/stats`: day -> deposits/withdrawals -> method -> successful amount; empty ones left out,
    /// everything sorted. In one currency, with its exponent.
    static func stats(from: Day, to: Day, currency: String = "USD") -> JSON {
        let exponent = Seed.exponents[currency]!
        let ok = Seed.rows(from: from, to: to, currency: currency).filter { $0.status == .success }
        let days = Set(ok.map(\.day)).sorted()
        return .object([
            (
                "data",
                .object(
                    days.map { day in
                        (
                            day.description,
                            .object(
                                Kind.allCases.compactMap { k in
                                    let cells = ok.filter { $0.day == day && $0.kind == k }
                                    guard !cells.isEmpty else { return nil }
                                    return (
                                        k.plural,
                                        .object(
                                            Set(cells.map(\.method)).sorted().map { m in
                                                (
                                                    m,
                                                    amount(cells.filter { $0.method == m }.map(\.cents).reduce(0, +), exponent: exponent)
                                                )
                                            })
                                    )
                                })
                        )
                    })
            )
        ])
    }

    /// `startDate`, `endDate`, `daily` (every day of the range), `total`.
    static func daily(from: Day, to: Day, _ filter: Filter) -> [(String, JSON)] {
        let rows = Seed.rows(from: from, to: to, filter)
        var list: [JSON] = []
        var d = from
        while d <= to {
            let day = d
            list.append(.object([("date", .string(day.description))] + types(rows.filter { $0.day == day }, filter)))
            d = d.adding(1)
        }
        return [
            ("startDate", .string(from.description)), ("endDate", .string(to.description)), ("daily", .array(list)),
            ("total", .object(types(rows, filter))),
        ]
    }
}

/// A civil date as days since 1970-01-01 (Howard Hinnant's algorithms), independent of the
/// code under test and of Foundation's calendars.
struct Day: Comparable, Hashable, Sendable, CustomStringConvertible {
    let epochDay: Int

    init(epochDay: Int) { self.epochDay = epochDay }

    init(_ y: Int, _ m: Int, _ d: Int) {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        epochDay = era * 146_097 + doe - 719_468
    }

    var ymd: (year: Int, month: Int, day: Int) {
        let z = epochDay + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    var month: Int { ymd.month }

    func adding(_ days: Int) -> Day { Day(epochDay: epochDay + days) }

    var description: String {
        let (y, m, d) = ymd
        return "\(y)-\(String(format2: m))-\(String(format2: d))"
    }

    static func < (a: Day, b: Day) -> Bool { a.epochDay < b.epochDay }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
