import Testing

@testable import StatsCore

/// Strict decoding of queue items and payment-method names ("hostile input"): every case here
/// was accepted, repaired or mis-split before.
@Suite("Strict decoding")
struct StrictDecodingTests {
    struct Outcome {
        var sink: CollectingSink
        var parser: TransactionParser
        var codes: [String] { sink.rejects.map(\.0.code) }
        var messages: [String] { sink.rejects.map(\.0.message) }
        var methods: [String] { sink.rows.map { parser.methods.names[$0.method] } }
        var only: String? { sink.rows.count == 1 && sink.rejects.isEmpty ? methods[0] : nil }
    }

    func decode(_ bytes: [UInt8]) -> Outcome {
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var sink = CollectingSink()
        bytes.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
        return Outcome(sink: sink, parser: parser)
    }

    func decode(_ text: String) -> Outcome { decode(Array(text.utf8)) }

    /// A JSON item with `method` spliced in as raw bytes (between the quotes).
    func item(method: [UInt8], extra: String = "") -> [UInt8] {
        Array(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","amount":"1.50"\#(extra),"payment_method":""#.utf8) + method
            + Array(#""}"#.utf8)
    }

    func item(method: String, extra: String = "") -> [UInt8] { item(method: Array(method.utf8), extra: extra) }

    /// A JSON item whose amount is the raw JSON text `amount`.
    func item(amount: String) -> String {
        #"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":\#(amount)}"#
    }

    /// A valid item with an extra key `x` whose value is the raw JSON text `value`.
    func item(x value: String) -> String {
        #"{"timestamp":"2026-01-01T00:00:00Z","x":\#(value),"type":"deposit","payment_method":"visa","amount":"1"}"#
    }

    // MARK: UTF-8

    @Test("invalid UTF-8 in a JSON string is dead-lettered as bad_utf8, never replaced by U+FFFD")
    func jsonInvalidUTF8() {
        let bad: [[UInt8]] = [
            Array("bad".utf8) + [0xFF],
            [0x80], // stray continuation byte
            [0xC0, 0xAF], // overlong '/'
            [0xE0, 0x80, 0xAF], // overlong 3-byte
            [0xF0, 0x80, 0x80, 0xAF], // overlong 4-byte
            [0xED, 0xA0, 0x80], // U+D800 encoded in UTF-8
            [0xED, 0xBF, 0xBF], // U+DFFF encoded in UTF-8
            [0xF4, 0x90, 0x80, 0x80], // U+110000
            [0xF5, 0x80, 0x80, 0x80],
            [0xE2, 0x82], // truncated before the closing quote
            [0xC3, 0x41], // lead byte without continuation
        ]
        for b in bad {
            let out = decode(item(method: b))
            #expect(out.sink.rows.isEmpty, "\(b)")
            #expect(out.codes == ["bad_utf8"], "\(b)")
        }
        // In an ignored value or in a key it is refused just the same.
        #expect(decode(Array(item(x: "\"ok\"").utf8).map { $0 == UInt8(ascii: "k") ? 0xFF : $0 }).codes == ["bad_utf8"])
        #expect(decode(Array(#"{"\#u{1}":1}"#.utf8).map { $0 == 1 ? 0xFE : $0 }).codes == ["bad_utf8"])
        // Well-formed multi-byte text is kept byte for byte.
        #expect(decode(item(method: "café 💳 カード")).only == "café 💳 カード")
        #expect(decode(item(method: [0xF4, 0x8F, 0xBF, 0xBF])).only == "\u{10FFFF}")
    }

    @Test("a TXB1 row whose method is not UTF-8 is refused as bad_utf8; the other rows of the batch count")
    func compactInvalidUTF8() {
        var batch = Array("TXB1 2 s 2\n".utf8)
        batch += Array("86400\td\tvisa\ts\t100\n".utf8)
        batch += Array("86400\td\tbad".utf8) + [0xFF] + Array("\ts\t200\n".utf8)
        batch += Array("86400\td\tx".utf8) + [0xC0, 0xAF] + Array("\ts\t300\n".utf8)
        batch += Array("86400\td\tx".utf8) + [0xED, 0xA0, 0x80] + Array("\ts\t400\n".utf8)
        batch += Array("86400\tw\tcafé\tf\t500\n".utf8)
        let out = decode(batch)
        #expect(out.codes == ["bad_utf8", "bad_utf8", "bad_utf8"])
        #expect(out.sink.rows.map(\.amountMinor) == [100, 500])
        #expect(out.methods == ["visa", "café"])
        #expect(out.parser.methods.names == ["visa", "café"])
    }

    @Test("TXB1 numbers that overflow 64 bits are malformed, not wrapped around")
    func compactOverflow() {
        let out = decode(
            "TXB1 2 s 2\n9223372036854775808\td\tvisa\ts\t1\n0\td\tvisa\ts\t9223372036854775808\n0\td\tvisa\ts\t9999999999999999999\n")
        #expect(out.codes == ["bad_item", "bad_item", "bad_item"])
        #expect(Array("9223372036854775807".utf8).withUnsafeBytes { QueueItemDecoder.parseSignedInt($0) } == Int64.max)
        #expect(Array("-922337203685477580".utf8).withUnsafeBytes { QueueItemDecoder.parseSignedInt($0) } == -922_337_203_685_477_580)
        #expect(Array("9223372036854775808".utf8).withUnsafeBytes { QueueItemDecoder.parseSignedInt($0) } == nil)
        #expect(Array("-".utf8).withUnsafeBytes { QueueItemDecoder.parseSignedInt($0) } == nil)
        #expect(Array("+1".utf8).withUnsafeBytes { QueueItemDecoder.parseSignedInt($0) } == nil)
    }

    // MARK: Escapes and surrogates

    @Test("a surrogate pair is one scalar: an escaped emoji and the raw emoji are one payment method")
    func surrogatePair() {
        let escaped = decode(item(method: #"pay\ud83d\ude00"#))
        #expect(escaped.only == "pay😀")
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var sink = CollectingSink()
        for m in [#"pay\ud83d\ude00"#, "pay😀", #"pay\uD83D\uDE00"#, #"\u0050ay😀"#] {
            item(method: m).withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
        }
        #expect(sink.rejects.isEmpty)
        #expect(parser.methods.names == ["pay😀"])
        #expect(Set(sink.rows.map(\.method)) == [0])
        // Escapes in keys are decoded before matching: "\u0061mount" is amount.
        #expect(
            decode(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"v","\u0061mount":"2"}"#).sink.rows.first?
                .amountMinor == 200)
    }

    @Test(
        "lone, reversed or broken surrogates are refused",
        arguments: [
            #"\ud83d"#, #"\ud83dx"#, #"\ud83d\u0041"#, #"\ud83d\ud83d"#, #"\ude00"#, #"\ude00\ud83d"#, #"\udbff"#, #"\ud800\"#,
        ])
    func loneSurrogates(_ m: String) {
        let out = decode(item(method: m))
        #expect(out.sink.rows.isEmpty)
        #expect(out.codes == ["bad_item"])
        #expect(out.messages.first?.contains("surrogate") == true || out.messages.first?.contains("escape") == true)
        // Inside an ignored value too.
        #expect(decode(item(x: "[\"\(m)\"]")).codes == ["bad_item"])
    }

    @Test(
        "\\u escapes take exactly four hex digits, no sign; unknown escapes are refused",
        arguments: [
            #"\u+041"#, #"\u-041"#, #"\u041"#, #"\u 041"#, #"\u00g1"#, #"\x41"#, #"\'"#, #"\a"#, #"\U0041"#, #"\u"#,
        ])
    func badEscapes(_ m: String) {
        #expect(decode(item(method: m)).codes == ["bad_item"])
        #expect(decode(item(x: "\"\(m)\"")).codes == ["bad_item"])
    }

    @Test("the RFC's escapes decode; an escaped control character is then refused as a method")
    func goodEscapes() {
        #expect(decode(item(method: #"a\"b\\c\/d\u00E9\u00e9"#)).only == #"a"b\c/déé"#)
        #expect(decode(item(method: #"a\u0001"#)).codes == ["bad_payment_method"])
        #expect(decode(item(method: #"a\nb"#)).codes == ["bad_payment_method"])
        #expect(decode(item(method: #"a\u0085b"#)).codes == ["bad_payment_method"])
        // Raw control characters are not allowed inside JSON strings at all.
        #expect(decode(item(method: [0x61, 0x09])).codes == ["bad_item"])
        #expect(decode(item(method: [0x61, 0x0A])).codes == ["bad_item"])
    }

    // MARK: Numbers

    @Test(
        "numbers outside the RFC grammar are refused, wherever they are",
        arguments: [
            "01.50", "00", "-01", "1.", "-", "1e", "1e+", "1E-", ".5", "+1", "--1", "0x10", "1.5.2", "1e5e5", "Infinity", "NaN", "-.5",
            "1.e5", "٣",
        ])
    func badNumbers(_ n: String) {
        #expect(decode(item(amount: n)).codes == ["bad_item"], "amount \(n)")
        #expect(decode(item(x: n)).codes == ["bad_item"], "value \(n)")
        #expect(decode(item(x: "[1,\(n)]")).codes == ["bad_item"], "nested \(n)")
    }

    @Test("numbers inside the RFC grammar are accepted; amounts keep their exact text")
    func goodNumbers() {
        for n in ["0", "-0", "12", "0.5", "-0.0", "1e5", "1E+10", "2.5e-3", "123456789012345678901234567890"] {
            #expect(decode(item(x: n)).sink.rows.count == 1, "\(n)")
        }
        #expect(decode(item(amount: "1.50")).sink.rows.first?.amountMinor == 150)
        #expect(decode(item(amount: "0")).sink.rows.first?.amountMinor == 0)
        // Valid JSON, but not an amount: refused by the amount rule, not by the JSON reader.
        #expect(decode(item(amount: "1e5")).codes == ["bad_amount"])
        #expect(decode(item(amount: "-1")).codes == ["bad_amount"])
    }

    @Test("numeric timestamps that do not fit are refused, never trapped on")
    func numericTimestamps() {
        func ts(_ t: String) -> Outcome {
            decode(#"{"timestamp":\#(t),"type":"deposit","payment_method":"visa","amount":"1"}"#)
        }
        for t in [
            "9223372036854775808", "-9223372036854775808", "9223372036854775807", "99999999999999999999", "1.5", "1e3",
            "253402300800", "-62135596801", "10000000000000", "-10000000000000",
        ] {
            #expect(ts(t).codes == ["bad_timestamp"], "\(t)")
        }
        #expect(ts("253402300799").sink.rows.first?.epochSeconds == 253_402_300_799) // 9999-12-31T23:59:59Z
        #expect(ts("-62135596800").sink.rows.first?.epochSeconds == -62_135_596_800) // 0001-01-01T00:00:00Z
        #expect(ts("-0").sink.rows.first?.epochSeconds == 0)
    }

    // MARK: Structure

    @Test(
        "skipped nested values are parsed by the same grammar",
        arguments: [
            "[1,2,]", "{\"a\":1,}", "[,1]", "{,}", "{]", "[}", "[1 2]", "{\"a\" 1}", "{\"a\"}", "{1:2}", "{\"a\":}", "[", "{", "[[]", "]",
            "{\"a\":[1,{\"b\":]}}", "tru", "nul", "True", "[true false]", "'a'", "[\"a\",]",
        ])
    func badNested(_ v: String) {
        let out = decode(item(x: v))
        #expect(out.sink.rows.isEmpty, "\(v)")
        #expect(out.codes == ["bad_item"], "\(v)")
        #expect(out.messages.first?.hasPrefix("invalid JSON") == true, "\(v)")
    }

    @Test("valid nested values of unknown keys are skipped")
    func goodNested() {
        for v in ["[]", "{}", "[[],[{}]]", "{\"a\":{\"b\":[1,\"}\",true,false,null,-0.5e+2]}}", " [ 1 , { \"k\" : \"]\" } ] ", "\"\\\"]\""]
        {
            #expect(decode(item(x: v)).sink.rows.count == 1, "\(v)")
        }
    }

    @Test("the object's own syntax: trailing commas, missing commas, text after it")
    func topLevel() {
        let good = #"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":"1"}"#
        #expect(decode(good).sink.rows.count == 1)
        for bad in [
            String(good.dropLast()) + ",}", String(good.dropLast()), good + "}", good + " x", good + ",", "{,}",
            good.replacing(",\"type\"", with: " \"type\""), "{\"timestamp\":\"2026-01-01T00:00:00Z\" : 1}",
        ] {
            #expect(decode(bad).codes == ["bad_item"], "\(bad)")
        }
    }

    @Test("nesting is limited to 32 levels; deeper input is refused quickly")
    func depth() {
        func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        #expect(decode(item(x: nested(31))).sink.rows.count == 1) // 31 + the item's own object = 32
        let deep = decode(item(x: nested(32)))
        #expect(deep.codes == ["bad_item"])
        #expect(deep.messages.first?.contains("deeper than 32") == true)
        #expect(decode(item(x: String(repeating: "{\"a\":", count: 31) + "1" + String(repeating: "}", count: 31))).sink.rows.count == 1)
        #expect(decode(item(x: String(repeating: "{\"a\":", count: 32) + "1" + String(repeating: "}", count: 32))).codes == ["bad_item"])
        let start = ContinuousClock.now
        let huge = decode(#"{"x":"# + String(repeating: "[", count: 500_000))
        #expect(huge.codes == ["bad_item"])
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("a known field named twice, under any spelling, is refused; repeated unknown keys are not")
    func duplicates() {
        let base = #""timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":"1""#
        for dup in [
            #","amount":"2""#, #","Amount":"1""#, #","method":"visa""#, #","provider":"x""#, #","status":"failed","status":"ok""#,
            #","time":1"#, #","id":1,"transaction_id":2"#,
        ] {
            let out = decode("{" + base + dup + "}")
            #expect(out.codes == ["bad_item"], "\(dup)")
            #expect(out.messages.first?.contains("more than once") == true, "\(dup)")
        }
        #expect(decode(#"{"status":null,"# + base + #","status":"failed"}"#).codes == ["bad_item"])
        #expect(decode("{" + base + #","x":1,"x":[2],"x":{}}"#).sink.rows.count == 1)
        let nested = decode(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":{"v":1}}"#)
        #expect(nested.codes == ["bad_item"])
        #expect(nested.messages.first?.contains("amount is an object or array") == true)
    }

    @Test("whitespace and a UTF-8 BOM before the item are accepted, for both formats")
    func leadingWhitespaceAndBOM() {
        let json = Array(#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":"1"}"#.utf8)
        let txb1 = Array("TXB1 2 s 2\n86400\td\tvisa\ts\t100\n".utf8)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        for prefix in [[], Array("\n".utf8), Array("\r\n\t  ".utf8), bom, bom + Array("\n ".utf8)] {
            for suffix in [[], Array("\n".utf8), Array(" \r\n\t".utf8)] {
                #expect(decode(prefix + json + suffix).sink.rows.count == 1, "\(prefix) \(suffix)")
            }
            #expect(decode(prefix + txb1).sink.rows.count == 1, "\(prefix)")
        }
        // Not whitespace by JSON's rules, or a second BOM: refused.
        for prefix in [[0x0B], [0x0C], [0xC2, 0xA0], bom + bom, Array("\n".utf8) + bom, [0x00]] as [[UInt8]] {
            let out = decode(prefix + json)
            #expect(out.sink.rows.isEmpty && out.codes == ["bad_item"], "\(prefix)")
        }
        #expect(decode([]).codes == ["bad_item"])
        #expect(decode(" \n").codes == ["bad_item"])
        #expect(decode(bom).codes == ["bad_item"])
    }

    @Test("items over 1 MiB are refused with the size in the detail, and only their head is kept")
    func sizeLimit() {
        let head = #"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"visa","amount":"1","note":""#
        let fits = head + String(repeating: "a", count: JSONItem.maxItemBytes - head.utf8.count - 2) + #""}"#
        #expect(fits.utf8.count == JSONItem.maxItemBytes)
        #expect(decode(fits).sink.rows.count == 1)
        let over = head + String(repeating: "a", count: JSONItem.maxItemBytes - head.utf8.count - 1) + #""}"#
        let out = decode(over)
        #expect(out.codes == ["bad_item"])
        #expect(out.messages.first?.contains("\(JSONItem.maxItemBytes + 1) bytes") == true)
        #expect(out.sink.rejects.first?.1.utf8.count == QueueItemDecoder.oversizedRawBytes)
        // A long method is refused by the method rule, a long ignored string is fine.
        #expect(decode(item(method: String(repeating: "m", count: 100_000))).codes == ["bad_payment_method"])
    }

    // MARK: Payment-method names

    @Test(
        "C0, DEL, C1 controls and '|' are refused in a method, wherever it comes from",
        arguments: [
            "a\u{85}b", "a\u{9B}b", "\u{80}x", "x\u{9F}", "a\u{7F}", "a\u{1}", "a|b", "|", "visa\n", "\nvisa", "vi\rsa", "\u{85}visa",
            "visa\u{0B}",
        ])
    func controlCharacters(_ m: String) {
        #expect(throws: RejectReason.self) { try PaymentMethodName.normalize(m).get() }
        var table = MethodTable()
        #expect((try? table.index(of: m).get()) == nil)
        #expect(table.names.isEmpty)
        #expect(decode(item(method: Array(m.utf8))).codes.count == 1)
        let csvLike = Array(m.utf8).withUnsafeBytes { PaymentMethodName.normalize(trimmed: $0) }
        guard case .failure(let reason) = csvLike else {
            Issue.record("accepted \(m.debugDescription)")
            return
        }
        #expect(reason.code == "bad_payment_method")
        #expect(!reason.message.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test("Unicode White_Space around a method is trimmed; the 64-byte limit applies after trimming")
    func trimming() throws {
        #expect(try PaymentMethodName.normalize("\u{A0}Visa\u{A0}").get() == "visa")
        #expect(try PaymentMethodName.normalize("\u{3000}\u{2003}\u{202F} Visa\t\u{205F}\u{1680}").get() == "visa")
        #expect(try PaymentMethodName.normalize("apple\u{A0}pay").get() == "apple\u{A0}pay") // inside: kept
        #expect(try PaymentMethodName.normalize("ÉCU Ωmega").get() == "écu ωmega")
        let pad = String(repeating: "\u{A0}", count: 10)
        #expect(try PaymentMethodName.normalize(pad + String(repeating: "a", count: 64) + pad).get().utf8.count == 64)
        #expect(throws: RejectReason.self) { try PaymentMethodName.normalize(String(repeating: "a", count: 65)).get() }
        #expect(try PaymentMethodName.normalize(String(repeating: "é", count: 32)).get().utf8.count == 64)
        #expect(throws: RejectReason.self) { try PaymentMethodName.normalize(String(repeating: "é", count: 32) + "a").get() }
        #expect(throws: RejectReason.self) { try PaymentMethodName.normalize("\u{A0}\u{3000}").get() }
        // One method however it is padded: the cache keys raw spellings, the names stay unique.
        var table = MethodTable()
        let indices = try ["visa", " Visa", "\u{A0}VISA", "visa\u{2009}", "\tvisa "].map { try table.index(of: $0).get() }
        #expect(Set(indices) == [0])
        #expect(table.names == ["visa"])
    }

    @Test("invalid UTF-8 given to the method rule directly is bad_utf8")
    func methodUTF8() {
        for bytes in [[0x76, 0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] as [[UInt8]] {
            let r = bytes.withUnsafeBytes { PaymentMethodName.normalize(trimmed: $0) }
            #expect((try? r.get()) == nil)
            if case .failure(let e) = r { #expect(e.code == "bad_utf8") }
        }
    }

    @Test("messages show C1 controls escaped")
    func escapedMessages() {
        #expect("a\u{85}b\u{1}".escapedForMessage == "a\\u{85}b\\u{1}")
        #expect("é😀".escapedForMessage == "é😀")
    }
}
