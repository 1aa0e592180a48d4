import Foundation
import StatsCore

/// day -> type (`deposits`/`withdrawals`) -> payment method -> minor units.
typealias StatsCents = [String: [String: [String: Int64]]]

/// Checks `/stats` answers against the generated CSV, sharing no code with the api: the
/// expected side sums successful rows in integer cents from the CSV text; the answer's numbers
/// are read as decimal text straight into cents (never a Double).
struct StatsCheck {
    let expected: StatsCents

    /// Reads the generator's CSV (no quoting; timestamps without an offset, so the business
    /// day is the text before `T` in any time zone).
    init(csv path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchmarkError("cannot read \(path)") }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw BenchmarkError("\(path) is empty") }
        let header = lines.removeFirst().split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self).lowercased() }
        func column(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw BenchmarkError("\(path) has no \(name) column") }
            return i
        }
        let ts = try column("timestamp")
        let type = try column("type")
        let method = try column("payment_method")
        let amount = try column("amount")
        let status = header.firstIndex(of: "status")
        var out: StatsCents = [:]
        for (n, line) in lines.enumerated() {
            let f = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard f.count == header.count, f[ts].count >= 10 else { throw BenchmarkError("\(path) line \(n + 2): unexpected shape") }
            if let status {
                switch String(decoding: f[status], as: UTF8.self).lowercased() {
                case "", "success", "completed": break
                case "failed", "rejected", "pending": continue
                case let other: throw BenchmarkError("\(path) line \(n + 2): status \(other) not known to the check")
                }
            }
            let day = String(decoding: f[ts].prefix(10), as: UTF8.self)
            let kind: String
            switch String(decoding: f[type], as: UTF8.self) {
            case "deposit": kind = "deposits"
            case "withdrawal": kind = "withdrawals"
            case let other: throw BenchmarkError("\(path) line \(n + 2): type \(other) not known to the check")
            }
            let text = String(decoding: f[amount], as: UTF8.self)
            guard let cents = Self.cents(text) else { throw BenchmarkError("\(path) line \(n + 2): amount \(text) not exact in cents") }
            out[day, default: [:]][kind, default: [:]][String(decoding: f[method], as: UTF8.self), default: 0] += cents
        }
        expected = out
    }

    /// The expected answer for `from...to` (ISO dates compare as text).
    func expected(from: String, to: String) -> StatsCents {
        expected.filter { $0.key >= from && $0.key <= to }
    }

    /// Compares an answer with the CSV; returns the answer's grand total in cents, or throws
    /// a FAIL naming the first differences.
    func verify(body: String, from: String, to: String, what: String) throws -> (total: Int64, expected: Int64) {
        let got = try Self.parseAnswer(body)
        let want = expected(from: from, to: to)
        let total = Self.total(got)
        let wanted = Self.total(want)
        if got != want || total != wanted {
            var diffs: [String] = []
            for day in Set(got.keys).union(want.keys).sorted() {
                for type in Set((got[day] ?? [:]).keys).union((want[day] ?? [:]).keys).sorted() {
                    let g = got[day]?[type] ?? [:]
                    let w = want[day]?[type] ?? [:]
                    for m in Set(g.keys).union(w.keys).sorted() where g[m] != w[m] {
                        diffs.append("\(day) \(type) \(m): api \(g[m].map(String.init) ?? "-"), CSV \(w[m].map(String.init) ?? "-")")
                    }
                }
            }
            throw BenchmarkError(
                "FAIL: \(what) answer differs from the CSV (total \(total) vs \(wanted) cents); first differences:\n"
                    + diffs.prefix(10).joined(separator: "\n"))
        }
        return (total, wanted)
    }

    static func total(_ s: StatsCents) -> Int64 {
        s.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
    }

    /// `123`, `123.4`, `123.45` -> cents; anything else (sign, exponent, more digits) -> nil.
    static func cents(_ text: some StringProtocol) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            whole.count <= 15, let w = Int64(whole)
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit), let v = Int64(f) else { return nil }
            fraction = f.count == 1 ? v * 10 : v
        }
        return w * 100 + fraction
    }

    /// Reads `{"data":{"day":{"type":{"method":number,…},…},…}}` from its text: a small
    /// scanner for exactly this shape, numbers kept as text until turned into cents.
    static func parseAnswer(_ body: String) throws -> StatsCents {
        let s = Scanner(Array(body.utf8))
        var out: StatsCents = [:]
        try s.object { key in
            guard key == "data" else { throw BenchmarkError("answer has key \(key), not data: \(body.prefix(200))") }
            try s.object { day in
                try s.object { type in
                    try s.object { method in
                        let number = s.number()
                        guard let c = cents(number) else {
                            throw BenchmarkError("amount \(number) of \(day) \(type) \(method) is not exact in cents")
                        }
                        guard out[day]?[type]?[method] == nil else { throw BenchmarkError("answer repeats \(day) \(type) \(method)") }
                        out[day, default: [:]][type, default: [:]][method] = c
                    }
                }
            }
        }
        s.skipSpace()
        guard s.atEnd else { throw BenchmarkError("text after the answer's object: \(body.suffix(100))") }
        return out
    }

    /// A class: the nested closures of `object` all advance the same position.
    private final class Scanner {
        let bytes: [UInt8]
        var i = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { i >= bytes.count }

        func skipSpace() { while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 } }

        func expect(_ c: Character) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c.asciiValue! else { throw BenchmarkError("answer: expected \(c) at byte \(i)") }
            i += 1
        }

        /// `{ "key": <value read by body>, … }`
        func object(_ body: (String) throws -> Void) throws {
            try expect("{")
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                let key = try string()
                try expect(":")
                try body(key)
                skipSpace()
                guard i < bytes.count else { throw BenchmarkError("answer ends inside an object") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect("}")
                return
            }
        }

        /// A JSON string; the api escapes only what JSON requires, and these keys need none.
        func string() throws -> String {
            try expect("\"")
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") { throw BenchmarkError("answer: escaped key at byte \(i), not expected here") }
                i += 1
            }
            guard i < bytes.count else { throw BenchmarkError("answer ends inside a string") }
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        /// The raw text of a number (validated by `cents`).
        func number() -> String {
            skipSpace()
            let start = i
            while i < bytes.count,
                bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e")
                    || bytes[i] == UInt8(ascii: "E") || bytes[i] == UInt8(ascii: "+") || (0x30...0x39).contains(bytes[i])
            {
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
