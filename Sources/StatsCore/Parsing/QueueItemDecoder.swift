#if canImport(Glibc)
    import Glibc
#endif
/// Decodes one queue item, JSON object or TXB1 batch, into rows and rejects (see ``QueueItemSink``).
public enum QueueItemDecoder {
    /// How much of an oversized item is kept in its dead letter.
    public static let oversizedRawBytes = 4096

    public static func decode<Sink: QueueItemSink>(_ item: UnsafeRawBufferPointer, parser: inout TransactionParser, into sink: inout Sink) {
        // Dispatch on the first byte after an optional UTF-8 BOM and JSON whitespace.
        var lo = 0
        if item.count >= 3 && item[0] == 0xEF && item[1] == 0xBB && item[2] == 0xBF { lo = 3 }
        while lo < item.count, item[lo] == 0x20 || item[lo] == 0x09 || item[lo] == 0x0A || item[lo] == 0x0D { lo += 1 }
        let body = UnsafeRawBufferPointer(rebasing: item[lo...]).trimmedASCIISpaces
        if body.count >= 5, body.prefix(5).elementsEqual(CompactBatchWriter.magic) {
            decodeCompact(body, parser: &parser, into: &sink)
        } else if body.first == UInt8(ascii: "{") {
            if item.count > JSONItem.maxItemBytes {
                let reason = RejectReason.badItem(
                    "JSON item is \(item.count) bytes, more than the limit of \(JSONItem.maxItemBytes)"
                        + " (its first \(oversizedRawBytes) bytes are kept)")
                sink.reject(reason, raw: String(decoding: item.prefix(oversizedRawBytes), as: UTF8.self))
                return
            }
            switch JSONItem.parse(item, parser: &parser) {
            case .success(let r): sink.row(r)
            case .failure(let e): sink.reject(e, raw: String(decoding: item, as: UTF8.self))
            }
        } else {
            let reason = RejectReason.badItem("queue item is neither a JSON object nor a TXB1 batch")
            if item.count > JSONItem.maxItemBytes {
                sink.reject(reason, raw: String(decoding: item.prefix(oversizedRawBytes), as: UTF8.self))
            } else {
                sink.reject(reason, raw: String(decoding: item, as: UTF8.self))
            }
        }
    }

    static func decodeCompact<Sink: QueueItemSink>(_ item: UnsafeRawBufferPointer, parser: inout TransactionParser, into sink: inout Sink) {
        guard let headerEnd = item.firstIndex(of: 0x0A) else {
            sink.reject(.badItem("TXB1 batch has no header line"), raw: String(decoding: item.prefix(200), as: UTF8.self))
            return
        }
        let header = String(decoding: item[..<headerEnd], as: UTF8.self).split(separator: " ")
        guard header.count >= 2, let scale = Int(header[1]) else {
            sink.reject(.badItem("TXB1 batch header is malformed"), raw: String(decoding: item.prefix(200), as: UTF8.self))
            return
        }
        guard scale == parser.scale else {
            sink.reject(
                .scaleMismatch("batch amounts have scale \(scale), this worker uses \(parser.scale)"),
                raw: String(decoding: item, as: UTF8.self))
            return
        }
        var start = headerEnd + 1
        let base = item.baseAddress!
        while start < item.count {
            let end = memchr(base + start, 0x0A, item.count - start).map { $0 - UnsafeMutableRawPointer(mutating: base) } ?? item.count
            let line = UnsafeRawBufferPointer(rebasing: item[start..<end])
            start = end + 1
            if line.isEmpty { continue }
            switch decodeCompactRow(line, parser: &parser) {
            case .success(let r): sink.row(r)
            case .failure(let e): sink.reject(e, raw: String(decoding: line, as: UTF8.self))
            }
        }
    }

    @inline(__always)
    static func decodeCompactRow(_ line: UnsafeRawBufferPointer, parser: inout TransactionParser) -> Result<
        TransactionParser.Row, RejectReason
    > {
        // epoch \t type \t method \t status \t amount
        var fields: (Int, Int, Int, Int) = (0, 0, 0, 0) // positions of the four tabs
        var found = 0
        for i in 0..<line.count where line[i] == 0x09 {
            switch found {
            case 0: fields.0 = i
            case 1: fields.1 = i
            case 2: fields.2 = i
            case 3: fields.3 = i
            default: return .failure(.badItem("TXB1 row has more than 5 fields"))
            }
            found += 1
        }
        guard found == 4,
            let epoch = parseSignedInt(UnsafeRawBufferPointer(rebasing: line[0..<fields.0])),
            fields.1 == fields.0 + 2, let type = TransactionType(code: line[fields.0 + 1]),
            fields.3 == fields.2 + 2, let status = TransactionStatus(code: line[fields.2 + 1]),
            let amount = parseSignedInt(UnsafeRawBufferPointer(rebasing: line[(fields.3 + 1)...])),
            amount >= 0, amount <= TransactionParser.maxAmountMinor
        else { return .failure(.badItem("TXB1 row is malformed")) }
        if let e = parser.calendar.rejectOutOfRange(epochSeconds: epoch) { return .failure(e) }
        switch parser.methods.index(of: UnsafeRawBufferPointer(rebasing: line[(fields.1 + 1)..<fields.2])) {
        case .success(let m):
            return .success(.init(epochSeconds: epoch, type: type, method: m, status: status, amountMinor: amount, sleepMs: 0))
        case .failure(let e):
            return .failure(e)
        }
    }

    /// `-?[0-9]+` as an Int64; nil for anything else, more than 19 bytes, or an overflow.
    @inline(__always)
    static func parseSignedInt(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard !raw.isEmpty, raw.count <= 19 else { return nil }
        var i = 0
        let negative = raw[0] == UInt8(ascii: "-")
        if negative {
            if raw.count == 1 { return nil }
            i = 1
        }
        var v: Int64 = 0
        while i < raw.count {
            let d = raw[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }
}
