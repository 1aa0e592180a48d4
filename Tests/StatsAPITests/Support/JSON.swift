/// A JSON value as written: objects keep their key order and numbers their text, so that an
/// amount can be checked digit for digit (no Double in between) and key order can be checked.
/// Written here, not taken from the code under test.
indirect enum JSON: Equatable, CustomStringConvertible {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .object(let f): "{" + f.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .string(let s): "\"\(s)\""
        case .number(let n): n
        case .bool(let b): String(b)
        case .null: "null"
        }
    }

    /// The value of `key` in an object (nil otherwise or when absent).
    subscript(_ key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    subscript(_ index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    var keys: [String] {
        guard case .object(let fields) = self else { return [] }
        return fields.map(\.0)
    }

    var items: [JSON] {
        guard case .array(let items) = self else { return [] }
        return items
    }

    var string: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    var numberText: String? {
        guard case .number(let n) = self else { return nil }
        return n
    }

    /// A whole number.
    var int: Int64? { numberText.flatMap { Int64($0) } }

    /// An amount with at most two fraction digits, in cents; nil for anything else (more
    /// digits, an exponent), so an inexact rendering fails the comparison.
    var cents: Int64? {
        guard let text = numberText else { return nil }
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit),
            parts[0] == "0" || !parts[0].hasPrefix("0"), let whole = Int64(parts[0])
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit), !f.hasSuffix("0") else { return nil } // shortest form
            fraction = Int64(f)! * (f.count == 1 ? 10 : 1)
        }
        let value = whole * 100 + fraction
        return negative ? -value : value
    }

    /// A number as hundredths (`12.5` -> 1250), for the rounded percentages.
    var hundredths: Int64? {
        guard let text = numberText else { return nil }
        let negative = text.hasPrefix("-")
        let parts = (negative ? text.dropFirst() : Substring(text)).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let f = Int64(parts[1]) else { return nil }
            fraction = f * (parts[1].count == 1 ? 10 : 1)
        }
        return (negative ? -1 : 1) * (whole * 100 + fraction)
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses a whole document (RFC 8259; strings with the usual escapes).
    static func parse(_ text: String) throws -> JSON {
        var p = Parser(bytes: Array(text.utf8))
        let value = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw ParseError(description: "trailing text at byte \(p.i) of \(text.prefix(200))") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        func fail(_ what: String) -> ParseError { ParseError(description: "\(what) at byte \(i)") }

        mutating func expect(_ literal: String) throws {
            let l = Array(literal.utf8)
            guard i + l.count <= bytes.count, Array(bytes[i..<(i + l.count)]) == l else { throw fail("expected \(literal)") }
            i += l.count
        }

        mutating func value() throws -> JSON {
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var fields: [(String, JSON)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(fields)
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    fields.append((key, try value()))
                    skipSpace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    try expect("}")
                    return .object(fields)
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(items)
                }
                while true {
                    items.append(try value())
                    skipSpace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            default:
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                guard i > start else { throw fail("unexpected character") }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            }
        }

        mutating func string() throws -> String {
            try expect("\"")
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw fail("unterminated escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                            throw fail("bad \\u escape")
                        }
                        i += 4
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                    default: out.append(e)
                    }
                default: out.append(b)
                }
            }
            throw fail("unterminated string")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension JSON {
    /// Like `==`, except that an expected `Expected.ratio(n, d)` (a string `≈n/d`) matches a
    /// number of hundredths `h` that is n/d rounded to the nearest hundredth: |h − n/d| ≤ ½.
    func matches(_ expected: JSON) -> Bool {
        switch (self, expected) {
        case (.number, .string(let e)) where e.hasPrefix("≈"):
            let p = e.dropFirst().split(separator: "/")
            guard p.count == 2, let n = Int64(p[0]), let d = Int64(p[1]), d > 0, let h = hundredths else { return false }
            return 2 * abs(h * d - n) <= d
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1.matches($1.1) }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        default:
            return self == expected
        }
    }
}
