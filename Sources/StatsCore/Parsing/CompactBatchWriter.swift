#if canImport(Glibc)
    import Glibc
#endif

/// The importer's compact queue item: many validated transactions in one list element, so one
/// queue operation moves hundreds of rows. Text, so it stays readable in `redis-cli`:
///
///     TXB2 <source-id> <first-line> <created-unix-ms>\n
///     <epoch-seconds>\t<d|w>\t<payment-method>\t<s|f|p>\t<amount-minor-units>\t<CUR>\t<id>\t<updated-µs>\n …
///
/// `id` and `updated-µs` (microseconds since 1970) may be empty. Amounts are in minor units of
/// the row's currency. The older `TXB1 <scale> …` form (five fields a row, all in the queue's
/// default currency) is still read. Other producers push one JSON object per transaction
/// instead (see ``JSONItem``).
public struct CompactBatchWriter: Sendable {
    public static let magic: [UInt8] = Array("TXB2 ".utf8)
    /// The first version's header: rows without currency, id or update time.
    public static let magicV1: [UInt8] = Array("TXB1 ".utf8)

    public private(set) var buffer: [UInt8] = []
    public private(set) var rows = 0

    public init(source: String, firstLine: Int, reserve: Int = 32 * 1024) {
        buffer.reserveCapacity(reserve)
        buffer.append(contentsOf: "TXB2 \(source) \(firstLine) \(Self.nowMs())\n".utf8)
    }

    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Creation time of a TXB item from its header (nil for other items).
    public static func createdMs(_ item: [UInt8]) -> Int64? {
        let field: Int
        if item.starts(with: magic) { field = 3 } else if item.starts(with: magicV1) { field = 4 } else { return nil }
        guard let end = item.prefix(200).firstIndex(of: 0x0A) else { return nil }
        let parts = String(decoding: item[..<end], as: UTF8.self).split(separator: " ")
        return parts.count > field ? Int64(parts[field]) : nil
    }

    /// One row; `currency` is a ``Currency/index``; `id` must already be validated (no tabs or line breaks: see ``TransactionParser``).
    public mutating func append(
        epochSeconds: Int64, type: TransactionType, method: UnsafeRawBufferPointer,
        status: TransactionStatus, amountMinor: Int64, currency: Int, id: String?, updatedMicros: Int64?
    ) {
        appendInteger(epochSeconds)
        buffer.append(0x09)
        buffer.append(type.code)
        buffer.append(0x09)
        buffer.append(contentsOf: method)
        buffer.append(0x09)
        buffer.append(status.code)
        buffer.append(0x09)
        appendInteger(amountMinor)
        buffer.append(0x09)
        let code = Currency.codeBytes[currency]
        buffer.append(code.0)
        buffer.append(code.1)
        buffer.append(code.2)
        buffer.append(0x09)
        if let id { buffer.append(contentsOf: id.utf8) }
        buffer.append(0x09)
        if let updatedMicros { appendInteger(updatedMicros) }
        buffer.append(0x0A)
        rows += 1
    }

    @inline(__always) private mutating func appendInteger(_ value: Int64) {
        var v = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
                n += 1
            } while v > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - n)...]))
        }
    }
}
