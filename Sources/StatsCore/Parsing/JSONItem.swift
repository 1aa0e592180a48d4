/// One transaction as a flat JSON object, the queue format for other producers:
///
///     {"timestamp": "2026-01-15T10:30:00Z", "type": "deposit", "payment_method": "paypal",
///      "amount": "1234.56", "status": "success", "id": "tx-1", "currency": "EUR",
///      "updated_at": "2026-01-15T10:31:02.250Z"}
///
/// Keys are matched case-insensitively, ignoring `_` (so the original's `PaymentMethod` and
/// `Timestamp` work too; `method` and `provider` are accepted for the method). `amount` may be a
/// JSON number or a string; either way its text is read exactly, never through a Double.
/// `timestamp` may also be a number of seconds since 1970-01-01 UTC. Unknown keys are ignored.
///
/// The whole item must be strict RFC 8259 JSON (see ``Scanner``); anything else is refused with
/// `bad_item` (`bad_utf8` for bytes that are not UTF-8), never repaired.
public enum JSONItem {
    /// Largest JSON item accepted, in bytes (a real one is a few hundred).
    public static let maxItemBytes = 1 << 20
    /// Deepest nesting accepted anywhere in an item; the item's own object is level 1.
    public static let maxDepth = 32

    enum Field: Int, CaseIterable {
        case timestamp, type, method, amount, status, id, sleep, currency, updatedAt

        var name: String {
            switch self {
            case .timestamp: "timestamp"
            case .type: "type"
            case .method: "payment_method"
            case .amount: "amount"
            case .status: "status"
            case .id: "id"
            case .sleep: "sleep_ms"
            case .currency: "currency"
            case .updatedAt: "updated_at"
            }
        }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, parser: inout TransactionParser)
        -> Result<TransactionParser.Row, RejectReason>
    {
        if bytes.count > maxItemBytes {
            return .failure(.badItem("JSON item is \(bytes.count) bytes, more than the limit of \(maxItemBytes)"))
        }
        var scanner = Scanner(bytes: bytes)
        do {
            try scanner.object()
        } catch {
            return .failure(error.reason)
        }
        let values = scanner.values
        guard let timestamp = values[.timestamp], let type = values[.type], let method = values[.method],
            let amount = values[.amount]
        else {
            let missing = [Field.timestamp, .type, .method, .amount].filter { values[$0] == nil }.map(\.name)
            return .failure(.badItem("JSON item lacks \(missing.joined(separator: ", "))"))
        }
        let status = values[.status]
        let currency = values[.currency]
        let id = values[.id]
        let updatedAt = values[.updatedAt]
        if let nested = scanner.nestedField {
            return .failure(.badItem("JSON item's \(nested.name) is an object or array, not a string or number"))
        }
        return scanner.scratch.withUnsafeBytes { scratch in
            @inline(__always) func text(_ v: Scanner.Value) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: (v.inScratch ? scratch : bytes)[v.start..<v.end])
            }
            func parseRow(timestamp ts: UnsafeRawBufferPointer) -> Result<TransactionParser.Row, RejectReason> {
                parser.parse(
                    .init(
                        timestamp: ts, type: text(type), method: text(method), amount: text(amount),
                        status: status.map(text), currency: currency.map(text), id: id.map(text),
                        updatedAt: updatedAt.map(text)))
            }
            guard timestamp.kind == .number else { return parseRow(timestamp: text(timestamp)) }
            // Seconds since 1970: only whole seconds, and only as far as the 64-bit day arithmetic
            // reaches (the parser then refuses years outside 0001-9999).
            let raw = text(timestamp)
            guard let epoch = QueueItemDecoder.parseSignedInt(raw), epoch > -10_000_000_000_000, epoch < 10_000_000_000_000
            else {
                let text = String(decoding: raw.prefix(40), as: UTF8.self)
                return .failure(.badTimestamp("timestamp \(text) is not whole seconds since 1970 within years 0001-9999"))
            }
            var iso = UTCTimestamp.iso8601(epoch)
            return iso.withUTF8 { parseRow(timestamp: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The field a key names: ASCII letters compared case-insensitively, `_` and `-` ignored.
    static func field(for key: UnsafeRawBufferPointer) -> Field? {
        guard let first = key.first(where: { $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "-") }) else { return nil }
        switch first | 0x20 {
        case UInt8(ascii: "t"):
            if matches(key, "timestamp") || matches(key, "time") { return .timestamp }
            if matches(key, "type") || matches(key, "transactiontype") { return .type }
            if matches(key, "transactionid") { return .id }
        case UInt8(ascii: "d"): if matches(key, "datetime") { return .timestamp }
        case UInt8(ascii: "c"):
            if matches(key, "createdat") { return .timestamp }
            if matches(key, "currency") || matches(key, "currencycode") { return .currency }
        case UInt8(ascii: "u"): if matches(key, "updatedat") || matches(key, "updated") { return .updatedAt }
        case UInt8(ascii: "p"): if matches(key, "paymentmethod") || matches(key, "provider") { return .method }
        case UInt8(ascii: "m"): if matches(key, "method") { return .method }
        case UInt8(ascii: "a"): if matches(key, "amount") { return .amount }
        case UInt8(ascii: "s"):
            if matches(key, "status") { return .status }
            if matches(key, "sleepms") { return .sleep }
        case UInt8(ascii: "i"): if matches(key, "id") { return .id }
        default: break
        }
        return nil
    }

    /// Whether `key` without `_`/`-`, ASCII upper case folded, is exactly `word` (lower case).
    private static func matches(_ key: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        let n = word.utf8CodeUnitCount
        var j = 0
        for b in key where b != UInt8(ascii: "_") && b != UInt8(ascii: "-") {
            guard j < n else { return false }
            let lowered = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if lowered != w[j] { return false }
            j += 1
        }
        return j == n
    }

    struct ScanError: Error {
        enum Kind { case syntax, utf8, duplicate, depth }
        var kind: Kind
        var message: String

        var reason: RejectReason {
            switch kind {
            case .utf8: .badUTF8("JSON item is not valid UTF-8: \(message)")
            case .duplicate: .badItem("JSON item is ambiguous: \(message)")
            case .syntax, .depth: .badItem("invalid JSON: \(message)")
            }
        }
    }

    /// A strict RFC 8259 reader for one object, allocation-free unless a wanted string has escapes.
    ///
    /// - The item is one object, with optional whitespace (space, tab, LF, CR) around it and an
    ///   optional UTF-8 byte order mark before it (RFC 8259 §8.1 allows ignoring it).
    /// - Numbers follow the RFC grammar exactly: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    /// - Strings: no raw control characters (< 0x20); escapes only `\" \\ \/ \b \f \n \r \t` and
    ///   `\u` with exactly four hex digits; a surrogate pair is one scalar, a lone or reversed
    ///   surrogate is an error; raw bytes must be well-formed UTF-8 (no overlong forms, no
    ///   encoded surrogates, nothing above U+10FFFF).
    /// - Values of unknown keys, nested ones included, are checked by the same grammar (no
    ///   trailing commas, brackets must match), at most ``JSONItem/maxDepth`` levels deep.
    /// - Duplicate keys: a field we read (see ``JSONItem/field(for:)``) named twice, under any of
    ///   its spellings, is refused as ambiguous (parsers disagree on which one wins, so no choice
    ///   here would be safe). Repeated unknown keys are not checked: they are ignored anyway.
    struct Scanner {
        enum Kind: Equatable { case string, number, literal, null, nested }

        /// A top-level value of a field we read: its text in the input, or in `scratch` when it
        /// was a string with escapes (decoded there).
        struct Value {
            var kind: Kind
            var start: Int
            var end: Int
            var inScratch: Bool
        }

        /// The fields found, by ``Field``.
        struct Values {
            var slots: (Value?, Value?, Value?, Value?, Value?, Value?, Value?, Value?, Value?) = (
                nil, nil, nil, nil, nil, nil, nil, nil, nil
            )

            subscript(_ field: Field) -> Value? {
                get {
                    switch field {
                    case .timestamp: slots.0
                    case .type: slots.1
                    case .method: slots.2
                    case .amount: slots.3
                    case .status: slots.4
                    case .id: slots.5
                    case .sleep: slots.6
                    case .currency: slots.7
                    case .updatedAt: slots.8
                    }
                }
                set {
                    switch field {
                    case .timestamp: slots.0 = newValue
                    case .type: slots.1 = newValue
                    case .method: slots.2 = newValue
                    case .amount: slots.3 = newValue
                    case .status: slots.4 = newValue
                    case .id: slots.5 = newValue
                    case .sleep: slots.6 = newValue
                    case .currency: slots.7 = newValue
                    case .updatedAt: slots.8 = newValue
                    }
                }
            }
        }

        let bytes: UnsafeRawBufferPointer
        var i = 0
        /// Decoded text of wanted strings that had escapes.
        var scratch: [UInt8] = []
        var values = Values()
        /// The first field we read whose value is an object or array (refused after the scan).
        var nestedField: Field?
        private var seen: UInt16 = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        static let quote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")

        /// Reads the whole input as one object, filling `values`.
        mutating func object() throws(ScanError) {
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
            skipSpace()
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    try expectKey()
                    let keyAt = i
                    let scratchMark = scratch.count
                    let key = try string(store: true)
                    let field = withText(key) { JSONItem.field(for: $0) }
                    scratch.removeSubrange(scratchMark...)
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                    if let field {
                        let bit = UInt16(1) << field.rawValue
                        if seen & bit != 0 {
                            throw ScanError(kind: .duplicate, message: "\(field.name) is given more than once (again at byte \(keyAt))")
                        }
                        seen |= bit
                        let v = try value(store: true, depth: 1)
                        if v.kind != .null { values[field] = v }
                        if v.kind == .nested && field != .sleep && nestedField == nil { nestedField = field }
                    } else {
                        _ = try value(store: false, depth: 1)
                    }
                    skipSpace()
                    guard let c = peek() else { throw syntax("unexpected end, expected ',' or '}'") }
                    i += 1
                    if c == UInt8(ascii: "}") { break }
                    if c != UInt8(ascii: ",") { throw syntax("expected ',' or '}' at byte \(i - 1)") }
                }
            }
            skipSpace()
            if i != bytes.count { throw syntax("unexpected text after the object at byte \(i)") }
        }

        private func withText<R>(_ v: Value, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            if v.inScratch { return scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[v.start..<v.end])) } }
            return body(UnsafeRawBufferPointer(rebasing: bytes[v.start..<v.end]))
        }

        @inline(__always) func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        func syntax(_ message: String) -> ScanError { ScanError(kind: .syntax, message: message) }

        @inline(__always) mutating func skipSpace() {
            while i < bytes.count {
                let b = bytes[i]
                guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                i += 1
            }
        }

        @inline(__always) mutating func expect(_ c: UInt8) throws(ScanError) {
            guard peek() == c else {
                throw syntax(
                    peek() == nil
                        ? "unexpected end, expected '\(Character(Unicode.Scalar(c)))'"
                        : "expected '\(Character(Unicode.Scalar(c)))' at byte \(i)")
            }
            i += 1
        }

        /// A key string must come next.
        @inline(__always) func expectKey() throws(ScanError) {
            guard peek() == Self.quote else {
                throw syntax(peek() == nil ? "unexpected end, expected a key" : "expected a key string at byte \(i)")
            }
        }

        /// One value at nesting level `depth` (the level of the container holding it).
        mutating func value(store: Bool, depth: Int) throws(ScanError) -> Value {
            guard let c = peek() else { throw syntax("unexpected end, expected a value") }
            let start = i
            switch c {
            case Self.quote: return try string(store: store)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
                return Value(kind: .number, start: start, end: i, inScratch: false)
            case UInt8(ascii: "t"):
                try literal("true")
                return Value(kind: .literal, start: start, end: i, inScratch: false)
            case UInt8(ascii: "f"):
                try literal("false")
                return Value(kind: .literal, start: start, end: i, inScratch: false)
            case UInt8(ascii: "n"):
                try literal("null")
                return Value(kind: .null, start: start, end: i, inScratch: false)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try nested(depth: depth + 1)
                return Value(kind: .nested, start: start, end: i, inScratch: false)
            default:
                throw syntax("unexpected character at byte \(i), expected a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(ScanError) {
            let n = word.utf8CodeUnitCount
            let w = word.utf8Start
            guard i + n <= bytes.count else { throw syntax("unexpected character at byte \(i), expected a value") }
            for k in 0..<n where bytes[i + k] != w[k] { throw syntax("unexpected character at byte \(i), expected a value") }
            i += n
        }

        /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`
        mutating func number() throws(ScanError) {
            let start = i
            @inline(__always) func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] &- 0x30 < 10 }
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw syntax("number at byte \(start) lacks digits") }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
                if isDigit(i) { throw syntax("number at byte \(start) has a leading zero") }
            } else {
                while isDigit(i) { i += 1 }
            }
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard isDigit(i) else { throw syntax("number at byte \(start) lacks digits after '.'") }
                while isDigit(i) { i += 1 }
            }
            if i < bytes.count && bytes[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
                guard isDigit(i) else { throw syntax("number at byte \(start) lacks exponent digits") }
                while isDigit(i) { i += 1 }
            }
        }

        /// An object or array inside a value, at nesting level `depth`, checked and skipped.
        mutating func nested(depth: Int) throws(ScanError) {
            if depth > JSONItem.maxDepth {
                throw ScanError(kind: .depth, message: "nested deeper than \(JSONItem.maxDepth) levels at byte \(i)")
            }
            let isObject = bytes[i] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipSpace()
            if peek() == close {
                i += 1
                return
            }
            while true {
                skipSpace()
                if isObject {
                    try expectKey()
                    _ = try string(store: false)
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                }
                _ = try value(store: false, depth: depth)
                skipSpace()
                guard let c = peek() else { throw syntax("unexpected end, expected ',' or '\(Character(Unicode.Scalar(close)))'") }
                i += 1
                if c == close { return }
                if c != UInt8(ascii: ",") { throw syntax("expected ',' or '\(Character(Unicode.Scalar(close)))' at byte \(i - 1)") }
            }
        }

        /// A string at `i` (which holds the opening quote). Without escapes its text is a range of
        /// the input; with escapes and `store`, it is decoded into `scratch`.
        mutating func string(store: Bool) throws(ScanError) -> Value {
            i += 1
            let start = i
            let n = bytes.count
            // Fast path: plain text up to the closing quote.
            while i < n {
                let b = bytes[i]
                if b == Self.quote {
                    i += 1
                    return Value(kind: .string, start: start, end: i - 1, inScratch: false)
                }
                if b == Self.backslash { break }
                if b < 0x20 { throw syntax("control character 0x\(String(b, radix: 16)) in a string at byte \(i)") }
                if b < 0x80 { i += 1 } else { i += try utf8Sequence() }
            }
            guard i < n else { throw syntax("unterminated string starting at byte \(start - 1)") }
            // Slow path: escapes.
            let scratchStart = scratch.count
            if store { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i])) }
            while true {
                guard i < n else { throw syntax("unterminated string starting at byte \(start - 1)") }
                let b = bytes[i]
                if b == Self.quote {
                    i += 1
                    return store
                        ? Value(kind: .string, start: scratchStart, end: scratch.count, inScratch: true)
                        : Value(kind: .string, start: start, end: i - 1, inScratch: false)
                }
                if b < 0x20 { throw syntax("control character 0x\(String(b, radix: 16)) in a string at byte \(i)") }
                if b >= 0x80 {
                    let k = try utf8Sequence()
                    if store { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<i + k])) }
                    i += k
                    continue
                }
                if b != Self.backslash {
                    if store { scratch.append(b) }
                    i += 1
                    continue
                }
                let at = i
                guard i + 1 < n else { throw syntax("unterminated escape at byte \(at)") }
                let e = bytes[i + 1]
                i += 2
                var decoded: UInt8 = 0
                switch e {
                case Self.quote, Self.backslash, UInt8(ascii: "/"): decoded = e
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "u"):
                    var scalar = try hex4(escapeAt: at)
                    if scalar >= 0xDC00 && scalar <= 0xDFFF {
                        throw syntax("\\u escape at byte \(at) is a low surrogate without a high one before it")
                    }
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        guard i + 1 < n, bytes[i] == Self.backslash, bytes[i + 1] == UInt8(ascii: "u") else {
                            throw syntax("\\u escape at byte \(at) is a high surrogate without a low one after it")
                        }
                        let lowAt = i
                        i += 2
                        let low = try hex4(escapeAt: lowAt)
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw syntax("\\u escape at byte \(at) is a high surrogate without a low one after it")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    if store { appendUTF8(scalar) }
                    continue
                default:
                    throw syntax("invalid escape '\\\(Character(Unicode.Scalar(e)))' at byte \(at)")
                }
                if store { scratch.append(decoded) }
            }
        }

        /// Exactly four hex digits at `i` (no sign, no fewer).
        private mutating func hex4(escapeAt at: Int) throws(ScanError) -> UInt32 {
            guard i + 4 <= bytes.count else { throw syntax("\\u escape at byte \(at) needs four hex digits") }
            var v: UInt32 = 0
            for k in i..<i + 4 {
                let b = bytes[k]
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - 0x30
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - 0x61 + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - 0x41 + 10
                default: throw syntax("\\u escape at byte \(at) needs four hex digits")
                }
                v = v << 4 | UInt32(d)
            }
            i += 4
            return v
        }

        private mutating func appendUTF8(_ v: UInt32) {
            switch v {
            case 0..<0x80:
                scratch.append(UInt8(v))
            case 0x80..<0x800:
                scratch.append(0xC0 | UInt8(v >> 6))
                scratch.append(0x80 | UInt8(v & 0x3F))
            case 0x800..<0x10000:
                scratch.append(0xE0 | UInt8(v >> 12))
                scratch.append(0x80 | UInt8(v >> 6 & 0x3F))
                scratch.append(0x80 | UInt8(v & 0x3F))
            default:
                scratch.append(0xF0 | UInt8(v >> 18))
                scratch.append(0x80 | UInt8(v >> 12 & 0x3F))
                scratch.append(0x80 | UInt8(v >> 6 & 0x3F))
                scratch.append(0x80 | UInt8(v & 0x3F))
            }
        }

        /// Length of the well-formed UTF-8 sequence of 2 to 4 bytes at `i` (whose first byte is
        /// >= 0x80); throws for stray continuation bytes, overlong forms, encoded surrogates,
        /// values above U+10FFFF and truncated sequences.
        private func utf8Sequence() throws(ScanError) -> Int {
            let n = bytes.count
            let b = bytes[i]
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            let length: Int
            if b < 0xC2 {
                length = 0
            } else if b < 0xE0 {
                length = cont(1) ? 2 : 0
            } else if b < 0xF0 {
                let b1 = i + 1 < n ? bytes[i + 1] : 0
                length = cont(1) && cont(2) && !(b == 0xE0 && b1 < 0xA0) && !(b == 0xED && b1 >= 0xA0) ? 3 : 0
            } else if b < 0xF5 {
                let b1 = i + 1 < n ? bytes[i + 1] : 0
                length = cont(1) && cont(2) && cont(3) && !(b == 0xF0 && b1 < 0x90) && !(b == 0xF4 && b1 >= 0x90) ? 4 : 0
            } else {
                length = 0
            }
            if length == 0 {
                let hex = String(b, radix: 16, uppercase: true)
                throw ScanError(kind: .utf8, message: "byte 0x\(hex) at \(i) does not start a well-formed sequence")
            }
            return length
        }
    }
}
