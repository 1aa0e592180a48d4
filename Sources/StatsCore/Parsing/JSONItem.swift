/// One transaction as a flat JSON object, the queue format for other producers:
///
///     {"timestamp": "2026-01-15T10:30:00Z", "type": "deposit", "payment_method": "paypal",
///      "amount": "1234.56", "status": "success", "id": "tx-1"}
///
/// Keys are matched case-insensitively, ignoring `_` (so the original's `PaymentMethod` and
/// `Timestamp` work too; `method` and `provider` are accepted for the method). `amount` may be a
/// JSON number or a string; either way its text is read exactly, never through a Double.
/// `timestamp` may also be a number of seconds since 1970-01-01 UTC. Unknown keys are ignored.
public enum JSONItem {
    enum Field { case timestamp, type, method, amount, status, id, sleep }

    public static func parse(_ bytes: UnsafeRawBufferPointer, parser: inout TransactionParser) -> Result<TransactionParser.Row, RejectReason> {
        var scanner = Scanner(bytes: bytes)
        var values: [Field: (text: [UInt8], isNumber: Bool)] = [:]
        do {
            try scanner.object { key, value in
                if let field = field(for: key) { values[field] = value }
            }
        } catch {
            return .failure(.badItem("invalid JSON: \(error.message)"))
        }
        var missing: [String] = []
        if values[.timestamp] == nil { missing.append("timestamp") }
        if values[.type] == nil { missing.append("type") }
        if values[.method] == nil { missing.append("payment_method") }
        if values[.amount] == nil { missing.append("amount") }
        if !missing.isEmpty { return .failure(.badItem("JSON item lacks \(missing.joined(separator: ", "))")) }

        var timestamp = values[.timestamp]!
        if timestamp.isNumber {
            guard let epoch = QueueItemDecoder.parseSignedInt(timestamp.text.withUnsafeBytes { $0 }) else {
                return .failure(.badTimestamp("timestamp \(String(decoding: timestamp.text, as: UTF8.self)) is not whole seconds since 1970"))
            }
            timestamp.text = Array(UTCTimestamp.iso8601(epoch).utf8)
        }
        let type = values[.type]!.text, method = values[.method]!.text, amount = values[.amount]!.text
        let status = values[.status]?.text
        return timestamp.text.withUnsafeBytes { ts in
            type.withUnsafeBytes { ty in
                method.withUnsafeBytes { me in
                    amount.withUnsafeBytes { am in
                        withOptionalBytes(status) { st in
                            parser.parse(.init(timestamp: ts, type: ty, method: me, amount: am, status: st))
                        }
                    }
                }
            }
        }
    }

    private static func withOptionalBytes<R>(_ a: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBytes { body($0) }
    }

    static func field(for key: [UInt8]) -> Field? {
        var k = ""
        for b in key where b != UInt8(ascii: "_") && b != UInt8(ascii: "-") { k.unicodeScalars.append(Unicode.Scalar(b | (b >= 65 && b <= 90 ? 0x20 : 0))) }
        switch k {
        case "timestamp", "time", "datetime", "createdat": return .timestamp
        case "type", "transactiontype": return .type
        case "paymentmethod", "method", "provider": return .method
        case "amount": return .amount
        case "status": return .status
        case "id", "transactionid": return .id
        case "sleepms": return .sleep
        default: return nil
        }
    }

    struct ScanError: Error { var message: String }

    /// A small JSON reader for one flat object: string, number, true/false/null values;
    /// nested values are skipped.
    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func object(_ visit: ([UInt8], (text: [UInt8], isNumber: Bool)) -> Void) throws(ScanError) {
            skipSpace()
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if peek() == UInt8(ascii: "}") { i += 1 } else {
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                    if let value = try value() { visit(key, value) }
                    skipSpace()
                    guard let c = peek() else { throw ScanError(message: "unexpected end") }
                    i += 1
                    if c == UInt8(ascii: "}") { break }
                    if c != UInt8(ascii: ",") { throw ScanError(message: "expected ',' or '}' at byte \(i - 1)") }
                }
            }
            skipSpace()
            if i != bytes.count { throw ScanError(message: "trailing characters after the object") }
        }

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws(ScanError) {
            guard peek() == c else { throw ScanError(message: "expected '\(Character(Unicode.Scalar(c)))' at byte \(i)") }
            i += 1
        }

        /// A scalar value's text, or nil for null and for skipped nested values.
        mutating func value() throws(ScanError) -> (text: [UInt8], isNumber: Bool)? {
            guard let c = peek() else { throw ScanError(message: "unexpected end") }
            switch c {
            case UInt8(ascii: "\""): return (try string(), false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                while i < bytes.count, let b = peek(), (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { i += 1 }
                return (Array(bytes[start..<i]), true)
            case UInt8(ascii: "t"): try literal("true"); return (Array("true".utf8), false)
            case UInt8(ascii: "f"): try literal("false"); return (Array("false".utf8), false)
            case UInt8(ascii: "n"): try literal("null"); return nil
            case UInt8(ascii: "{"), UInt8(ascii: "["): try skipNested(); return nil
            default: throw ScanError(message: "unexpected character at byte \(i)")
            }
        }

        mutating func literal(_ word: String) throws(ScanError) {
            for b in word.utf8 { try expect(b) }
        }

        mutating func skipNested() throws(ScanError) {
            var depth = 0
            repeat {
                guard let c = peek() else { throw ScanError(message: "unterminated nested value") }
                if c == UInt8(ascii: "\"") { _ = try string(); continue }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1 }
                i += 1
            } while depth > 0
        }

        mutating func string() throws(ScanError) -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while true {
                guard let c = peek() else { throw ScanError(message: "unterminated string") }
                i += 1
                if c == UInt8(ascii: "\"") { return out }
                if c < 0x20 { throw ScanError(message: "control character in string") }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard let e = peek() else { throw ScanError(message: "unterminated escape") }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw ScanError(message: "bad \\u escape")
                    }
                    i += 4
                    let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default: throw ScanError(message: "bad escape")
                }
            }
        }
    }
}
