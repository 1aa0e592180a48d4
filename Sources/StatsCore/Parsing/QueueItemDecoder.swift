#if canImport(Glibc)
    import Glibc
#endif
/// Decodes one queue item, JSON object or TXB batch, into rows and rejects (see ``QueueItemSink``).
public enum QueueItemDecoder {
    /// How much of an oversized item is kept in its dead letter.
    public static let oversizedRawBytes = 4096

    public static func decode<Sink: QueueItemSink>(_ item: UnsafeRawBufferPointer, parser: inout TransactionParser, into sink: inout Sink) {
        // Dispatch on the first byte after an optional UTF-8 BOM and JSON whitespace.
        var lo = 0
        if item.count >= 3 && item[0] == 0xEF && item[1] == 0xBB && item[2] == 0xBF { lo = 3 }
        while lo < item.count, item[lo] == 0x20 || item[lo] == 0x09 || item[lo] == 0x0A || item[lo] == 0x0D { lo += 1 }
        let body = UnsafeRawBufferPointer(rebasing: item[lo...]).trimmedASCIISpaces
        let bodyStart = body.isEmpty ? 0 : body.baseAddress! - item.baseAddress!
        if body.count >= 5, body.prefix(5).elementsEqual(CompactBatchWriter.magic) {
            decodeCompact(item, body: bodyStart..<(bodyStart + body.count), version: 2, parser: &parser, into: &sink)
        } else if body.count >= 5, body.prefix(5).elementsEqual(CompactBatchWriter.magicV1) {
            decodeCompact(item, body: bodyStart..<(bodyStart + body.count), version: 1, parser: &parser, into: &sink)
        } else if body.first == UInt8(ascii: "{") {
            if item.count > JSONItem.maxItemBytes {
                let reason = RejectReason.badItem(
                    "JSON item is \(item.count) bytes, more than the limit of \(JSONItem.maxItemBytes)"
                        + " (its first \(oversizedRawBytes) bytes are kept)")
                sink.reject(reason, raw: String(decoding: item.prefix(oversizedRawBytes), as: UTF8.self))
                return
            }
            switch JSONItem.parse(item, parser: &parser) {
            case .success(let r): sink.row(r, span: 0..<item.count)
            case .failure(let e): sink.reject(e, raw: String(decoding: item, as: UTF8.self))
            }
        } else {
            let reason = RejectReason.badItem("queue item is neither a JSON object nor a TXB batch")
            if item.count > JSONItem.maxItemBytes {
                sink.reject(reason, raw: String(decoding: item.prefix(oversizedRawBytes), as: UTF8.self))
            } else {
                sink.reject(reason, raw: String(decoding: item, as: UTF8.self))
            }
        }
    }

    /// A TXB batch at `body` in `item` (without any BOM and surrounding white space).
    static func decodeCompact<Sink: QueueItemSink>(
        _ item: UnsafeRawBufferPointer, body: Range<Int>, version: Int, parser: inout TransactionParser, into sink: inout Sink
    ) {
        let name = "TXB\(version)"
        let from = body.lowerBound
        let batch = UnsafeRawBufferPointer(rebasing: item[body])
        guard let headerEnd = batch.firstIndex(of: 0x0A) else {
            sink.reject(.badItem("\(name) batch has no header line"), raw: String(decoding: batch.prefix(200), as: UTF8.self))
            return
        }
        let header = String(decoding: batch[..<headerEnd], as: UTF8.self).split(separator: " ")
        if version == 1 {
            // TXB1 rows are in the queue's default currency, in minor units of the header's scale.
            guard header.count >= 2, let scale = Int(header[1]) else {
                sink.reject(.badItem("TXB1 batch header is malformed"), raw: String(decoding: batch.prefix(200), as: UTF8.self))
                return
            }
            guard scale == parser.currency.exponent else {
                sink.reject(
                    .scaleMismatch(
                        "batch amounts have scale \(scale), this worker's default currency \(parser.currency.code) has \(parser.currency.exponent)"
                    ),
                    raw: String(decoding: batch, as: UTF8.self))
                return
            }
        }
        var start = headerEnd + 1
        let base = batch.baseAddress!
        while start < batch.count {
            let end = memchr(base + start, 0x0A, batch.count - start).map { $0 - UnsafeMutableRawPointer(mutating: base) } ?? batch.count
            let line = UnsafeRawBufferPointer(rebasing: batch[start..<end])
            let span = (from + start)..<(from + end)
            start = end + 1
            if line.isEmpty { continue }
            switch decodeCompactRow(line, version: version, parser: &parser) {
            case .success(let r): sink.row(r, span: span)
            case .failure(let e): sink.reject(e, raw: String(decoding: line, as: UTF8.self))
            }
        }
    }

    /// One TXB row: `epoch \t type \t method \t status \t amount`, and in TXB2 then
    /// `\t currency \t id \t updated-µs` (TXB1 rows are in the default currency).
    @inline(__always)
    static func decodeCompactRow(_ line: UnsafeRawBufferPointer, version: Int, parser: inout TransactionParser) -> Result<
        TransactionParser.Row, RejectReason
    > {
        let fields = version == 1 ? 5 : 8
        var t: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0) // tab positions
        var found = 0
        var i = 0
        let n = line.count
        while i < n {
            if line[i] == 0x09 {
                guard found < fields - 1 else { return .failure(.badItem("TXB\(version) row has more than \(fields) fields")) }
                switch found {
                case 0: t.0 = i
                case 1: t.1 = i
                case 2: t.2 = i
                case 3: t.3 = i
                case 4: t.4 = i
                case 5: t.5 = i
                default: t.6 = i
                }
                found += 1
            }
            i += 1
        }
        guard found == fields - 1,
            let epoch = parseSignedInt(UnsafeRawBufferPointer(rebasing: line[0..<t.0])),
            t.1 == t.0 + 2, let type = TransactionType(code: line[t.0 + 1]),
            t.3 == t.2 + 2, let status = TransactionStatus(code: line[t.2 + 1]),
            let amount = parseSignedInt(UnsafeRawBufferPointer(rebasing: line[(t.3 + 1)..<(version == 1 ? n : t.4)])),
            amount >= 0, amount <= TransactionParser.maxAmountMinor
        else { return .failure(.badItem("TXB\(version) row is malformed")) }
        var currency = parser.currency.index
        var id: String?
        var updated: Int64?
        if version == 2 {
            guard let c = parser.currencyIndex(UnsafeRawBufferPointer(rebasing: line[(t.4 + 1)..<t.5])) else {
                return .failure(.badItem("TXB2 row is malformed"))
            }
            currency = c
            // The importer wrote these already validated: anything else in them is damage.
            let idBytes = UnsafeRawBufferPointer(rebasing: line[(t.5 + 1)..<t.6])
            if !idBytes.isEmpty {
                switch TransactionParser.parseId(idBytes) {
                case .success(let v): id = v
                case .failure(let e): return .failure(.badItem("TXB2 row's id is malformed: \(e.message)"))
                }
            }
            let updatedBytes = UnsafeRawBufferPointer(rebasing: line[(t.6 + 1)...])
            if !updatedBytes.isEmpty {
                guard let v = parseSignedInt(updatedBytes), parser.calendar.rejectOutOfRange(epochSeconds: v / 1_000_000) == nil else {
                    return .failure(.badItem("TXB2 row's update time is malformed"))
                }
                updated = v
            }
        }
        if let e = parser.calendar.rejectOutOfRange(epochSeconds: epoch) { return .failure(e) }
        switch parser.methods.index(of: UnsafeRawBufferPointer(rebasing: line[(t.1 + 1)..<t.2])) {
        case .success(let m):
            return .success(
                .init(
                    epochSeconds: epoch, type: type, method: m, status: status, amountMinor: amount, currency: currency, id: id,
                    updatedMicros: updated))
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
