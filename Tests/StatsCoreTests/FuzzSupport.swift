import Foundation
import StatsCore

/// Shared pieces of the fuzz suites: a seeded generator and an independent model of what the
/// input rules accept (written from the README, not from the parsers).
struct Fuzz {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(rng.next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    // MARK: Civil time (Hinnant's algorithm, own copy)

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Instants whose UTC day lies in years 0001-9999 (the business zone of the suites is UTC).
    static let validEpochs: Range<Int64> = Int64(daysFromCivil(1, 1, 1)) * 86_400..<Int64(daysFromCivil(10_000, 1, 1)) * 86_400

    // MARK: Payment-method names

    /// Upper/lower pairs for names whose normal form the generator knows without lowercased().
    static let letters: [(String, String)] = [
        ("a", "a"), ("B", "b"), ("c", "c"), ("Z", "z"), ("7", "7"), ("-", "-"), (".", "."), ("_", "_"), ("é", "é"), ("É", "é"),
        ("Ω", "ω"), ("ж", "ж"), ("Ж", "ж"), ("中", "中"), ("ß", "ß"), ("💳", "💳"), ("$", "$"), ("\u{A0}", "\u{A0}"),
    ]

    /// Spaces trimmed around a name (Unicode White_Space that is not a control character).
    static let pads = [" ", "\t", "\u{A0}", "\u{2003}", "\u{3000}", "\u{202F}"]

    /// A method as typed (with padding) and its normal form; the name may be over 64 bytes,
    /// which the caller checks with ``methodIsValid(_:)``.
    mutating func method() -> (raw: String, name: String) {
        if chance(0.6) {
            return pick([
                ("visa", "visa"), ("Visa", "visa"), ("PayPal", "paypal"), ("apple pay", "apple pay"), ("CAFÉ", "café"),
                ("カード", "カード"), ("💳card", "💳card"), ("crypto", "crypto"),
            ])
        }
        var raw = ""
        var name = ""
        let n = chance(0.05) ? int(30...40) : int(1...12)
        for i in 0..<n {
            var l = pick(Self.letters)
            if i == 0 || i == n - 1, l.0 == "\u{A0}" { l = ("x", "x") }
            raw += l.0
            name += l.1
        }
        var padded = raw
        for _ in 0..<int(0...2) { padded = pick(Self.pads) + padded }
        for _ in 0..<int(0...2) { padded += pick(Self.pads) }
        return (padded, name)
    }

    /// Whether a generated name (from ``method()``) fits the 64-byte limit (measured as typed,
    /// after trimming, before lower-casing).
    static func methodIsValid(raw: String) -> Bool {
        var s = Substring(raw)
        while let f = s.unicodeScalars.first, pads.contains(String(f)) { s = Substring(s.unicodeScalars.dropFirst()) }
        while let l = s.unicodeScalars.last, pads.contains(String(l)) { s = Substring(s.unicodeScalars.dropLast()) }
        return !s.isEmpty && s.utf8.count <= 64
    }

    /// Invalid UTF-8 sequences of each kind.
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0x80], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0xAF],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC3], [0xFE],
    ]

    /// Names refused by the method rule (C0, DEL, C1 controls, '|', empty, line breaks).
    static let badMethods = [
        "", "  ", "\u{A0}\u{3000}", "a|b", "|", "a\u{85}b", "\u{9B}x", "x\u{80}", "x\u{1}", "DEL\u{7F}", "tab\u{0B}",
        String(repeating: "m", count: 65), String(repeating: "é", count: 33), "visa\u{85}", "\u{85}visa",
    ]

    // MARK: Amounts

    /// Minor units at scale 2, mostly small, sometimes at the 10^15 limit.
    mutating func minor() -> Int64 {
        switch int(0...9) {
        case 0: return int64(0...99)
        case 1: return pick([0, 1, 10, 100, 1_000_000_000_000_000, 999_999_999_999_999])
        case 2: return int64(0...1_000_000_000_000_000)
        default: return int64(0...10_000_000)
        }
    }

    /// One of the decimal spellings of `minor` at scale 2 that the README accepts.
    mutating func amountText(_ minor: Int64) -> String {
        let whole = minor / 100
        let cents = minor % 100
        let two = cents < 10 ? "0\(cents)" : "\(cents)"
        var forms = ["\(whole).\(two)", "+\(whole).\(two)", "00\(whole).\(two)"]
        if cents % 10 == 0 { forms.append("\(whole).\(cents / 10)") }
        if cents == 0 { forms += ["\(whole)", "\(whole).", "\(whole).0"] }
        if whole == 0 { forms.append(".\(two)") }
        var text = pick(forms)
        if chance(0.1) { text = " " + text + "\t" }
        return text
    }

    static let badAmounts = [
        "12.345", "-1", "-0.01", "1e5", "1E2", "1,000", "", " ", "abc", "1.2.3", "1 000", "0x10", "١٢", "+", ".", "--1",
        "10000000000000.01", "99999999999999999999999", "1_000", "€5",
    ]

    // MARK: Timestamps

    /// A timestamp text in one of the README's forms and its instant (UTC business zone), which
    /// may fall outside 0001-9999 when the year is at an edge.
    mutating func timestamp() -> (text: String, epoch: Int64) {
        let year: Int
        switch int(0...19) {
        case 0: year = pick([1, 2, 9998, 9999])
        case 1: year = int(1...9999)
        default: year = int(1970...2100)
        }
        let month = chance(0.1) ? pick([1, 12]) : int(1...12)
        let day = chance(0.1) ? pick([1, Self.daysInMonth(year, month)]) : int(1...Self.daysInMonth(year, month))
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        let days = Int64(Self.daysFromCivil(year, month, day))
        if chance(0.05) { return (date, days * 86_400) }
        let hour = int(0...23)
        let minute = int(0...59)
        let withSeconds = chance(0.9)
        let second = withSeconds ? int(0...59) : 0
        var text = date + pick(["T", "T", "T", " ", "t"]) + "\(pad(hour, 2)):\(pad(minute, 2))"
        if withSeconds {
            text += ":\(pad(second, 2))"
            if chance(0.2) { text += "." + String((0..<int(1...9)).map { _ in Character(String(int(0...9))) }) }
        }
        var offset = 0
        switch int(0...5) {
        case 0: break
        case 1: text += pick(["Z", "z"])
        default:
            let oh = chance(0.1) ? pick([0, 23]) : int(0...14)
            let om = chance(0.1) ? 59 : pick([0, 0, 30, 45])
            let sign = chance(0.5) ? 1 : -1
            offset = sign * (oh * 3600 + om * 60)
            let s = sign > 0 ? "+" : "-"
            switch int(0...2) {
            case 0: text += "\(s)\(pad(oh, 2)):\(pad(om, 2))"
            case 1: text += "\(s)\(pad(oh, 2))\(pad(om, 2))"
            default:
                text += "\(s)\(pad(oh, 2))"
                offset = sign * oh * 3600
            }
        }
        if chance(0.05) { text = "  " + text + " " }
        return (text, days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset))
    }

    static let badTimestamps = [
        "2026-02-30T00:00:00", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-01-01T24:00:00",
        "2026-01-01T12:60", "2026-01-01T12:00:60", "garbage", "", "10000-01-01T00:00:00", "0000-06-01T00:00:00Z",
        "0000-12-31T23:59:59Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.1234567890", "2026-01-01T00:00:00 Z",
        "2026-01-01T00:00:00.", "2026/01/01", "2026-01-01X00:00", "١٩٧٠-01-01", "2026-01-01T00:00:00+01:60",
    ]

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    // MARK: Types and statuses

    static let types: [(String, TransactionType)] = [
        ("deposit", .deposit), ("Deposit", .deposit), ("DEPOSITS", .deposit), (" deposit\t", .deposit),
        ("withdrawal", .withdrawal), ("Withdrawal", .withdrawal), ("WITHDRAWALS", .withdrawal), ("withdraw", .withdrawal),
    ]
    static let badTypes = ["deposi", "", "credit", "déposit", "deposit s", "d"]
    static let statuses: [(String, TransactionStatus)] = [
        ("", .success), ("success", .success), ("Success", .success), ("completed", .success), ("OK", .success), ("settled", .success),
        ("failed", .failed), ("DECLINED", .failed), ("error", .failed), ("canceled", .failed),
        ("pending", .pending), ("processing", .pending), ("in_progress", .pending), (" queued ", .pending),
    ]
    static let badStatuses = ["maybe", "succes", "✓", "fail ed", "0"]
}

/// What one generated input must come to: a row with these values, or a reject with this code.
enum Expected: Equatable, CustomStringConvertible {
    case row(epoch: Int64, type: TransactionType, method: String, status: TransactionStatus, amount: Int64)
    case reject(String)

    /// The same row with another method name (rejects stay as they are).
    func replacingMethod(_ name: String) -> Expected {
        guard case .row(let e, let t, _, let s, let a) = self else { return self }
        return .row(epoch: e, type: t, method: name, status: s, amount: a)
    }

    var description: String {
        switch self {
        case .row(let e, let t, let m, let s, let a): "row(\(e), \(t.name), \(m.debugDescription), \(s.name), \(a))"
        case .reject(let code): "reject(\(code))"
        }
    }
}

/// Records everything a decoder hands over, in order.
struct RecordingSink: QueueItemSink {
    enum Event {
        case row(TransactionParser.Row)
        case reject(RejectReason, raw: String)
    }

    var events: [Event] = []

    mutating func row(_ row: TransactionParser.Row, span: Range<Int>) { events.append(.row(row)) }
    mutating func reject(_ reason: RejectReason, raw: String) { events.append(.reject(reason, raw: raw)) }

    /// The events from `start` on, as ``Expected`` values (method names resolved in `names`).
    func outcomes(from start: Int = 0, names: [String]) -> [Expected] {
        events[start...].map { event in
            switch event {
            case .row(let r): .row(epoch: r.epochSeconds, type: r.type, method: names[r.method], status: r.status, amount: r.amountMinor)
            case .reject(let reason, _): .reject(reason.code)
            }
        }
    }
}

/// Sums of minor units and counts per payment method, for the "counted exactly" check.
struct MethodTotals: Equatable, CustomStringConvertible {
    var amounts: [String: Int64] = [:]
    var counts: [String: Int] = [:]

    mutating func add(_ method: String, _ amount: Int64) {
        amounts[method, default: 0] += amount
        counts[method, default: 0] += 1
    }

    var description: String {
        amounts.keys.sorted().prefix(20).map { "\($0.debugDescription): \(counts[$0]!) / \(amounts[$0]!)" }.joined(separator: ", ")
    }
}
