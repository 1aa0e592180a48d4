import Testing

@testable import StatsCore

/// Collects what the decoder produces.
struct CollectingSink: QueueItemSink {
    var rows: [TransactionParser.Row] = []
    var rejects: [(RejectReason, String)] = []
    mutating func row(_ row: TransactionParser.Row, span: Range<Int>) { rows.append(row) }
    mutating func reject(_ reason: RejectReason, raw: String) { rejects.append((reason, raw)) }
}

@Suite("Queue item formats")
struct QueueItemTests {
    func decode(_ text: String) -> (CollectingSink, TransactionParser) {
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var sink = CollectingSink()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { QueueItemDecoder.decode(UnsafeRawBufferPointer($0), parser: &parser, into: &sink) }
        return (sink, parser)
    }

    @Test("a TXB2 batch written by the importer decodes to the same rows")
    func compactRoundTrip() {
        var writer = CompactBatchWriter(source: "src", firstLine: 2)
        var rng = SplitMix64(seed: 1)
        var expected: [(Int64, TransactionType, String, TransactionStatus, Int64)] = []
        for _ in 0..<500 {
            let e = (
                Int64(rng.next() % 4_000_000_000) - 1_000_000_000, rng.next() % 2 == 0 ? TransactionType.deposit : .withdrawal,
                ["visa", "paypal", "apple pay"][Int(rng.next() % 3)], TransactionStatus(rawValue: UInt8(rng.next() % 3))!,
                Int64(rng.next() % 1_000_000_000_000)
            )
            expected.append(e)
            var m = e.2
            m.withUTF8 {
                writer.append(
                    epochSeconds: e.0, type: e.1, method: UnsafeRawBufferPointer($0), status: e.3, amountMinor: e.4,
                    currency: Currency.usd.index,
                    id: nil,
                    updatedMicros: nil)
            }
        }
        #expect(writer.rows == 500)
        let (sink, parser) = decode(String(decoding: writer.buffer, as: UTF8.self))
        #expect(sink.rejects.isEmpty)
        #expect(sink.rows.count == 500)
        for (row, e) in zip(sink.rows, expected) {
            #expect(
                row.epochSeconds == e.0 && row.type == e.1 && parser.methods.names[row.method] == e.2 && row.status == e.3
                    && row.amountMinor == e.4)
        }
    }

    @Test("TXB2 rows carry their currency, id and update time through the queue")
    func compactCarriesLedgerFields() {
        var writer = CompactBatchWriter(source: "src", firstLine: 2)
        let rows: [(Currency, String?, Int64?)] = [(.jpy, "a-1", 1_767_225_600_250_000), (.kwd, nil, nil), (.usd, "é/2", nil)]
        for (c, id, updated) in rows {
            var m = "card"
            m.withUTF8 {
                writer.append(
                    epochSeconds: 1_767_225_600, type: .deposit, method: UnsafeRawBufferPointer($0), status: .pending, amountMinor: 1500,
                    currency: c.index, id: id, updatedMicros: updated)
            }
        }
        let (sink, _) = decode(String(decoding: writer.buffer, as: UTF8.self))
        #expect(sink.rejects.isEmpty)
        #expect(sink.rows.map(\.currency) == rows.map(\.0.index))
        #expect(sink.rows.map(\.id) == rows.map(\.1))
        #expect(sink.rows.map(\.updatedMicros) == rows.map(\.2))
    }

    @Test("JSON items: currency (any case) with its own minor unit, id and updated_at; bad ones refused with their reason")
    func jsonLedgerFields() {
        let base = #""timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa""#
        let (jpy, _) = decode("{\(base),\"amount\":\"1500\",\"currency\":\"jpy\",\"id\":\"t-1\",\"updated_at\":\"2026-01-01T00:00:01.5Z\"}")
        #expect(jpy.rows.first?.amountMinor == 1500 && jpy.rows.first?.currency == Currency.jpy.index)
        #expect(jpy.rows.first?.id == "t-1" && jpy.rows.first?.updatedMicros == 1_767_225_601_500_000)
        let (kwd, _) = decode("{\(base),\"amount\":\"12.345\",\"Currency\":\"KWD\"}")
        #expect(kwd.rows.first?.amountMinor == 12345 && kwd.rows.first?.id == nil)
        for (field, code) in [
            (#""amount":"12.345""#, "bad_amount"), (#""amount":"1","currency":"XAU""#, "bad_currency"),
            (#""amount":"1","currency":"usdx""#, "bad_currency"), (#""amount":"1","id":"a\tb""#, "bad_id"),
            (#""amount":"1","id":"\#(String(repeating: "x", count: 129))""#, "bad_id"),
            (#""amount":"1","updated_at":"yesterday""#, "bad_timestamp"),
        ] {
            let (sink, _) = decode("{\(base),\(field)}")
            #expect(sink.rejects.map(\.0.code) == [code], "\(field)")
        }
    }

    @Test("a TXB1 batch of another scale is refused whole, never reinterpreted")
    func scaleMismatch() {
        let (sink, _) = decode("TXB1 3 s 2\n0\td\tvisa\ts\t1000\n")
        #expect(sink.rows.isEmpty)
        #expect(sink.rejects.map(\.0.code) == ["scale_mismatch"])
    }

    @Test("JSON amounts are read from their text: 0.1 and 0.2 are exactly 10 and 20 cents")
    func jsonExact() {
        let (a, _) = decode(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"Visa","amount":0.1}"#)
        let (b, _) = decode(
            #"{"Timestamp":"2026-01-01T00:00:00Z","Type":"deposit","PaymentMethod":"visa","Amount":"0.20","Status":"Completed"}"#)
        #expect(a.rows.first?.amountMinor == 10)
        #expect(b.rows.first?.amountMinor == 20)
        #expect(b.rows.first?.status == .success)
        let (c, _) = decode(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":0.001}"#)
        #expect(c.rejects.first?.0.code == "bad_amount")
    }

    @Test("JSON: numeric epoch timestamps, escapes, nested values skipped; bad JSON and missing fields rejected")
    func jsonShapes() {
        let (a, p) = decode(#"{"timestamp":86400,"type":"withdrawal","method":"caf\u00e9 \"x\"","amount":"1","meta":{"k":[1,{"z":"}"}]}}"#)
        #expect(a.rows.first?.epochSeconds == 86400)
        #expect(a.rows.first.map { p.methods.names[$0.method] } == "café \"x\"")
        #expect(decode(#"{"timestamp":1,"type":"deposit","amount":"1"}"#).0.rejects.first?.1.contains("amount") == true)
        #expect(decode(#"{"timestamp":1,"type":"deposit","amount":"1"}"#).0.rejects.first?.0.message.contains("payment_method") == true)
        #expect(decode(#"{"timestamp":1,"#).0.rejects.first?.0.code == "bad_item")
        #expect(decode("plain text").0.rejects.first?.0.code == "bad_item")
        #expect(decode(#"{"a":1} trailing"#).0.rejects.first?.0.code == "bad_item")
    }

    @Test("payment methods are trimmed and lower-cased; '|' and control characters are refused")
    func methods() throws {
        var table = MethodTable()
        let a = try? table.index(of: " PayPal ").get()
        let b = try? table.index(of: "paypal").get()
        #expect(a != nil && a == b)
        #expect(table.names == ["paypal"])
        #expect(throws: RejectReason.self) { try table.index(of: "a|b").get() }
        #expect(throws: RejectReason.self) { try table.index(of: "a\u{1}").get() }
        #expect(throws: RejectReason.self) { try table.index(of: "  ").get() }
        for i in 0..<40 { _ = table.index(of: "m\(i)") } // past the linear-scan fast path
        #expect(try table.index(of: "M7").get() == table.names.firstIndex(of: "m7"))
    }
}
