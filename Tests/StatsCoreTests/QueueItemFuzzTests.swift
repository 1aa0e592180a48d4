import Testing

@testable import StatsCore

/// Generated queue items, valid and hostile, through `QueueItemDecoder.decode` as an aggregator
/// calls it. Each item's outcome is known beforehand: from the generator for the items it built
/// on purpose, from a separate reference reader (below) for randomly mutated ones.
@Suite("Fuzz: queue items")
struct QueueItemFuzzTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    // MARK: JSON generation

    struct JSONGen {
        var f: Fuzz

        static let spaces = ["", "", "", " ", "\n", "\t", "\r\n", "  "]

        mutating func ws() -> [UInt8] { Array(f.pick(Self.spaces).utf8) }

        /// A JSON string literal for `s`, escaping randomly (any scalar may come as \u, astral
        /// ones as a surrogate pair, '/' as \/).
        mutating func string(_ s: String, escapes: Double = 0.05) -> [UInt8] {
            var out: [UInt8] = [UInt8(ascii: "\"")]
            func hex4(_ v: UInt32) -> [UInt8] {
                let h = String(v, radix: 16, uppercase: f.chance(0.5))
                return Array(("\\u" + String(repeating: "0", count: 4 - h.count) + h).utf8)
            }
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += Array(#"\""#.utf8)
                case "\\": out += Array(#"\\"#.utf8)
                case "\u{8}" where f.chance(0.5): out += Array(#"\b"#.utf8)
                case "\u{C}" where f.chance(0.5): out += Array(#"\f"#.utf8)
                case "\n" where f.chance(0.5): out += Array(#"\n"#.utf8)
                case "\r" where f.chance(0.5): out += Array(#"\r"#.utf8)
                case "\t" where f.chance(0.5): out += Array(#"\t"#.utf8)
                case "/" where f.chance(0.3): out += Array(#"\/"#.utf8)
                default:
                    if scalar.value < 0x20 || f.chance(escapes) {
                        if scalar.value > 0xFFFF {
                            let v = scalar.value - 0x10000
                            out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                        } else {
                            out += hex4(scalar.value)
                        }
                    } else {
                        UTF8.encode(scalar) { out.append($0) }
                    }
                }
            }
            out.append(UInt8(ascii: "\""))
            return out
        }

        static let numbers = [
            "0", "-0", "1", "-1", "12.5", "0.001", "1e5", "1E+5", "2.5e-3", "-7.25E10", "123456789012345678901234567890", "1e400",
        ]

        mutating func number() -> [UInt8] {
            if f.chance(0.5) { return Array(f.pick(Self.numbers).utf8) }
            var s = f.chance(0.3) ? "-" : ""
            s += f.chance(0.2) ? "0" : String(f.int(1...9)) + String((0..<f.int(0...6)).map { _ in Character(String(f.int(0...9))) })
            if f.chance(0.4) { s += "." + String((0..<f.int(1...4)).map { _ in Character(String(f.int(0...9))) }) }
            if f.chance(0.2) { s += f.pick(["e", "E"]) + f.pick(["", "+", "-"]) + String(f.int(0...99)) }
            return Array(s.utf8)
        }

        /// A valid value for an unknown key, inside a container at nesting level `level`.
        mutating func value(level: Int, maxLevel: Int) -> [UInt8] {
            let k = level < maxLevel ? f.int(0...7) : f.int(0...4)
            switch k {
            case 0: return string(f.pick(["", "x", "}", "]", "\"", "a,b", "é€𝄞", "\\", "tab\there", "\u{0}", "\u{85}", "😀"]))
            case 1: return number()
            case 2: return Array(f.pick(["true", "false", "null"]).utf8)
            case 3, 4: return f.chance(0.5) ? string("text") : number()
            case 5:
                var out: [UInt8] = [UInt8(ascii: "[")] + ws()
                for i in 0..<f.int(0...3) {
                    if i > 0 { out += ws() + [UInt8(ascii: ",")] + ws() }
                    out += value(level: level + 1, maxLevel: maxLevel)
                }
                return out + ws() + [UInt8(ascii: "]")]
            default:
                var out: [UInt8] = [UInt8(ascii: "{")] + ws()
                for i in 0..<f.int(0...3) {
                    if i > 0 { out += ws() + [UInt8(ascii: ",")] + ws() }
                    out +=
                        string(f.pick(["k", "amount", "type", "", "ü"])) + ws() + [UInt8(ascii: ":")] + ws()
                        + value(level: level + 1, maxLevel: maxLevel)
                }
                return out + ws() + [UInt8(ascii: "}")]
            }
        }

        /// A chain of containers from level `from` to level `to`, valid inside.
        static func chain(from: Int, to: Int, objects: Bool) -> [UInt8] {
            let n = to - from + 1
            if objects { return Array((String(repeating: "{\"a\":", count: n) + "1" + String(repeating: "}", count: n)).utf8) }
            return Array((String(repeating: "[", count: n) + String(repeating: "]", count: n)).utf8)
        }
    }

    /// Spellings of the fields, as producers write them.
    static let timestampKeys = ["timestamp", "Timestamp", "time", "datetime", "created_at", "CreatedAt", "date-time"]
    static let typeKeys = ["type", "Type", "transaction_type", "TransactionType"]
    static let methodKeys = ["payment_method", "PaymentMethod", "method", "provider", "Payment_Method"]
    static let amountKeys = ["amount", "Amount", "AMOUNT"]
    static let statusKeys = ["status", "Status"]
    static let idKeys = ["id", "transaction_id"]

    enum JSONFault: CaseIterable {
        case utf8, surrogate, number, escape, trailingComma, brackets, depth, control, huge, duplicate, truncate, field, notObject, trailing
    }

    struct Member {
        var key: [UInt8]
        var value: [UInt8]
    }

    /// One generated JSON item and what it must come to.
    static func jsonItem(_ g: inout JSONGen, fault: JSONFault?) -> (bytes: [UInt8], expected: Expected) {
        let ts = g.f.timestamp()
        let asNumber = g.f.chance(0.15)
        let type = g.f.pick(Fuzz.types)
        var method = g.f.method()
        let minor = g.f.minor()
        let hasStatus = g.f.chance(0.7)
        let status = g.f.pick(Fuzz.statuses)
        var expected: Expected
        var epoch = ts.epoch
        if asNumber {
            epoch = g.f.chance(0.02) ? g.f.pick([-62_135_596_801, 253_402_300_800]) : g.f.int64(-62_135_596_800...253_402_300_799)
        }
        if !Fuzz.validEpochs.contains(epoch) {
            expected = .reject("bad_timestamp")
        } else if !Fuzz.methodIsValid(raw: method.raw) {
            expected = .reject("bad_payment_method")
        } else {
            expected = .row(epoch: epoch, type: type.1, method: method.name, status: hasStatus ? status.1 : .success, amount: minor)
        }
        if fault != nil, case .reject = expected {
            method = ("visa", "visa")
            epoch = 1_767_225_600
            expected = .row(epoch: epoch, type: type.1, method: "visa", status: hasStatus ? status.1 : .success, amount: minor)
        }
        let tsValue = asNumber || fault != nil && epoch == 1_767_225_600 ? Array(String(epoch).utf8) : g.string(ts.text)
        var members = [
            Member(key: g.string(g.f.pick(timestampKeys)), value: tsValue),
            Member(key: g.string(g.f.pick(typeKeys)), value: g.string(type.0)),
            Member(key: g.string(g.f.pick(methodKeys)), value: g.string(method.raw)),
        ]
        let whole = minor / 100
        let cents = minor % 100
        let amountNumber = cents == 0 && g.f.chance(0.5) ? "\(whole)" : "\(whole).\(cents < 10 ? "0" : "")\(cents)"
        members.append(
            Member(
                key: g.string(g.f.pick(amountKeys)),
                value: g.f.chance(0.4) ? Array(amountNumber.utf8) : g.string(g.f.amountText(minor))))
        if hasStatus {
            members.append(
                Member(
                    key: g.string(g.f.pick(statusKeys)),
                    value: status.1 == .success && g.f.chance(0.1) ? Array("null".utf8) : g.string(status.0)))
        }
        if g.f.chance(0.3) {
            members.append(Member(key: g.string(g.f.pick(idKeys)), value: g.f.chance(0.5) ? g.number() : g.string("tx-1")))
        }
        for _ in 0..<g.f.int(0...2) {
            members.append(
                Member(
                    key: g.string(g.f.pick(["meta", "extra", "tags", "note", "geo", "ü-key", ""])), value: g.value(level: 1, maxLevel: 6)))
        }
        // Shuffle.
        for i in stride(from: members.count - 1, to: 0, by: -1) { members.swapAt(i, g.f.int(0...i)) }

        func assemble(_ members: [Member], trailingComma: Bool = false) -> [UInt8] {
            var out: [UInt8] = []
            if g.f.chance(0.05) { out += bom }
            if g.f.chance(0.1) { out += Array(g.f.pick(["\n", " ", "\r\n\t", "\n\n"]).utf8) }
            out += [UInt8(ascii: "{")] + g.ws()
            for (i, m) in members.enumerated() {
                if i > 0 { out += g.ws() + [UInt8(ascii: ",")] + g.ws() }
                out += m.key + g.ws() + [UInt8(ascii: ":")] + g.ws() + m.value
            }
            if trailingComma { out += [UInt8(ascii: ",")] }
            out += g.ws() + [UInt8(ascii: "}")]
            if g.f.chance(0.1) { out += Array(g.f.pick(["\n", " ", "\r\n", "\t"]).utf8) }
            return out
        }

        /// An unknown member with this value text, at a random place.
        func insertUnknown(_ value: [UInt8], into members: inout [Member]) {
            members.insert(Member(key: Array("\"x\"".utf8), value: value), at: g.f.int(0...members.count))
        }

        guard let fault else { return (assemble(members), expected) }
        switch fault {
        case .utf8:
            let bad = g.f.pick(Fuzz.invalidUTF8)
            switch g.f.int(0...2) {
            case 0:
                let i = members.firstIndex { $0.value.first == UInt8(ascii: "\"") }!
                members[i].value.insert(contentsOf: bad, at: g.f.chance(0.5) ? 1 : members[i].value.count - 1)
            case 1: members[g.f.int(0...members.count - 1)].key.insert(contentsOf: bad, at: 1)
            default: insertUnknown(Array("[\"a".utf8) + bad + Array("b\"]".utf8), into: &members)
            }
            return (assemble(members), .reject("bad_utf8"))
        case .surrogate:
            let s = g.f.pick([
                #"\ud83d"#, #"\ud83dx"#, #"\ud83d\u0041"#, #"\ud83d\ud83d"#, #"\ude00"#, #"\ude00\ud83d"#, #"\uDBFF"#, #"\uDFFF\uDBFF"#,
            ])
            if g.f.chance(0.5) {
                members[members.firstIndex { $0.value.first == UInt8(ascii: "\"") }!].value.insert(contentsOf: Array(s.utf8), at: 1)
            } else {
                insertUnknown(Array("{\"k\":[\"".utf8) + Array(s.utf8) + Array("\"]}".utf8), into: &members)
            }
            return (assemble(members), .reject("bad_item"))
        case .number:
            let n = Array(
                g.f.pick([
                    "01.50", "1.", "-", "1e", "+1", ".5", "00", "1e+", "--1", "0x1F", "1.5.2", "NaN", "Infinity", "-.5", "1.e3", "0-1",
                ]).utf8)
            switch g.f.int(0...2) {
            case 0: members[members.firstIndex { isKey($0.key, amountKeys) }!].value = n
            case 1: insertUnknown(n, into: &members)
            default: insertUnknown(Array("[1, ".utf8) + n + Array("]".utf8), into: &members)
            }
            return (assemble(members), .reject("bad_item"))
        case .escape:
            let e = Array(
                g.f.pick([#"\u+041"#, #"\u-041"#, #"\u041"#, #"\u 041"#, #"\x41"#, #"\'"#, #"\U0041"#, #"\a"#, #"\u00G0"#, #"\0"#]).utf8)
            // Just before the closing quote, so that no hex digit follows a short \u.
            if g.f.chance(0.5) {
                let i = members.firstIndex { $0.value.first == UInt8(ascii: "\"") }!
                members[i].value.insert(contentsOf: e, at: members[i].value.count - 1)
            } else {
                let i = g.f.int(0...members.count - 1)
                members[i].key.insert(contentsOf: e, at: members[i].key.count - 1)
            }
            return (assemble(members), .reject("bad_item"))
        case .trailingComma:
            if g.f.chance(0.3) { return (assemble(members, trailingComma: true), .reject("bad_item")) }
            insertUnknown(
                Array(g.f.pick(["[1,2,]", "{\"a\":1,}", "[,]", "[1,,2]", "{,\"a\":1}", "[[1],]", "{\"a\":[1,],\"b\":2}"]).utf8),
                into: &members)
            return (assemble(members), .reject("bad_item"))
        case .brackets:
            insertUnknown(
                Array(
                    g.f.pick(["{]", "[}", "[1,2", "{\"a\":1", "[[]", "{\"a\":[}", "]", "}", "[{]}", "{\"a\"}", "{\"a\":}", "{1:2}"]).utf8),
                into: &members)
            return (assemble(members), .reject("bad_item"))
        case .depth:
            let deepest = g.f.pick([32, 33, 34, 40, 100, 5_000])
            insertUnknown(JSONGen.chain(from: 2, to: deepest, objects: g.f.chance(0.5)), into: &members)
            return (assemble(members), deepest <= 32 ? expected : .reject("bad_item"))
        case .control:
            let c = UInt8(g.f.int(0...31))
            if g.f.chance(0.5) {
                members[members.firstIndex { $0.value.first == UInt8(ascii: "\"") }!].value.insert(c, at: 1)
            } else {
                insertUnknown([UInt8(ascii: "\""), c, UInt8(ascii: "\"")], into: &members)
            }
            return (assemble(members), .reject("bad_item"))
        case .huge:
            switch g.f.int(0...39) {
            case 0:
                insertUnknown(
                    [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "a"), count: JSONItem.maxItemBytes) + [UInt8(ascii: "\"")],
                    into: &members)
                return (assemble(members), .reject("bad_item"))
            case 1...8:
                insertUnknown(
                    Array(("\"" + String(repeating: g.f.pick(["é", "a", "\\n", "😀"]), count: g.f.int(1_000...10_000)) + "\"").utf8),
                    into: &members)
                return (assemble(members), expected)
            default:
                let i = members.firstIndex { isKey($0.key, methodKeys) }!
                let unit = g.f.pick(["m", "é", "💳"])
                let length = unit.utf8.count * g.f.int(1...5_000)
                members[i].value = g.string(String(repeating: unit, count: length / unit.utf8.count))
                let name = String(repeating: unit, count: length / unit.utf8.count)
                return (assemble(members), length > 64 ? .reject("bad_payment_method") : expected.replacingMethod(name))
            }
        case .duplicate:
            let present = [timestampKeys, typeKeys, methodKeys, amountKeys, statusKeys, idKeys].filter { keys in
                members.contains { isKey($0.key, keys) }
            }
            members.insert(
                Member(key: g.string(g.f.pick(g.f.pick(present))), value: g.f.chance(0.2) ? Array("null".utf8) : g.string("1")),
                at: g.f.int(0...members.count))
            return (assemble(members), .reject("bad_item"))
        case .truncate:
            let item = assemble(members)
            let close = item.lastIndex(of: UInt8(ascii: "}"))!
            let cut = g.f.int(0...close - 1)
            let prefix = Array(item[..<cut])
            guard let open = prefix.firstIndex(of: UInt8(ascii: "{")) else { return (prefix, .reject("bad_item")) }
            let valid = String(validating: prefix[open...], as: UTF8.self) != nil
            return (prefix, .reject(valid ? "bad_item" : "bad_utf8"))
        case .field:
            switch g.f.int(0...9) {
            case 0:
                members[members.firstIndex { isKey($0.key, amountKeys) }!].value = g.string(g.f.pick(Fuzz.badAmounts))
                return (assemble(members), .reject("bad_amount"))
            case 1:
                members[members.firstIndex { isKey($0.key, typeKeys) }!].value = g.string(g.f.pick(Fuzz.badTypes))
                return (assemble(members), .reject("bad_type"))
            case 2:
                members.removeAll { isKey($0.key, statusKeys) }
                members.append(Member(key: g.string("status"), value: g.string(g.f.pick(Fuzz.badStatuses))))
                return (assemble(members), .reject("bad_status"))
            case 3:
                members[members.firstIndex { isKey($0.key, methodKeys) }!].value = g.string(g.f.pick(Fuzz.badMethods))
                return (assemble(members), .reject("bad_payment_method"))
            case 4:
                let names = g.f.pick([timestampKeys, typeKeys, methodKeys, amountKeys])
                if g.f.chance(0.5) {
                    members.removeAll { isKey($0.key, names) }
                } else {
                    members[members.firstIndex { isKey($0.key, names) }!].value = Array(g.f.pick(["null", "{}", "[1]", "{\"v\":1}"]).utf8)
                }
                return (assemble(members), .reject("bad_item"))
            case 5:
                members[members.firstIndex { isKey($0.key, timestampKeys) }!].value =
                    g.f.chance(0.5)
                    ? g.string(g.f.pick(Fuzz.badTimestamps))
                    : Array(
                        g.f.pick([
                            "1.5", "1e3", "99999999999999999999", "9223372036854775808", "-9223372036854775808", "10000000000000", "-0.0",
                        ]).utf8)
                return (assemble(members), .reject("bad_timestamp"))
            case 6:
                members[members.firstIndex { isKey($0.key, amountKeys) }!].value = Array(
                    g.f.pick(["true", "false", "-1", "1e2", "0.001"]).utf8)
                return (assemble(members), .reject("bad_amount"))
            default:
                // Escaped control characters are valid JSON but not valid names.
                members[members.firstIndex { isKey($0.key, methodKeys) }!].value =
                    g.string(g.f.pick(["a\u{85}b", "x\u{1}", "\u{9B}", "visa\n", "a|b"]), escapes: 0.5)
                return (assemble(members), .reject("bad_payment_method"))
            }
        case .notObject:
            let body = assemble(members)
            let options: [[UInt8]] = [
                [UInt8(ascii: "[")] + body + [UInt8(ascii: "]")], Array("\"str\"".utf8), [], Array("   ".utf8), Array("null".utf8),
                [0x0B] + body,
                [0xC2, 0xA0] + body, bom + bom + body, Array("TXB9 2 s 1\n".utf8), Array("txb1 2 s 1\n".utf8), Array("TXB1".utf8),
                [0x00] + body,
            ]
            return (g.f.pick(options), .reject("bad_item"))
        case .trailing:
            let body = assemble(members)
            return (body + Array(g.f.pick([" x", "}", ",", "{}", "\u{0}", "\u{FEFF}", "\u{A0}"]).utf8), .reject("bad_item"))
        }
    }

    static func isKey(_ encoded: [UInt8], _ names: [String]) -> Bool {
        guard let key = decodeSimpleString(encoded) else { return false }
        return names.contains(key)
    }

    /// The text of a generated key literal (which may contain \u escapes).
    static func decodeSimpleString(_ encoded: [UInt8]) -> String? {
        guard case .string(let s)? = try? ReferenceJSON.parse(encoded) else { return nil }
        return s
    }

    // MARK: The JSON suite

    @Test("50,000 JSON items, valid and hostile: each one row or one reject, as the generator says")
    func jsonItems() {
        let started = ContinuousClock.now
        var g = JSONGen(f: Fuzz(seed: 0x0051_7E47))
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var sink = RecordingSink()
        var expectedTotals = MethodTotals()
        var mismatches: [String] = []
        var faults: [JSONFault: Int] = [:]
        let count = 50_000
        for n in 0..<count {
            let fault = g.f.chance(0.5) ? g.f.pick(JSONFault.allCases) : nil
            if let fault { faults[fault, default: 0] += 1 }
            let (item, expected) = Self.jsonItem(&g, fault: fault)
            let before = sink.events.count
            item.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
            let got = sink.outcomes(from: before, names: parser.methods.names)
            if got != [expected] && mismatches.count < 10 {
                let message: String
                if case .reject(let r, _)? = sink.events.last { message = r.message } else { message = "" }
                let shown = String(decoding: item.prefix(300), as: UTF8.self).debugDescription
                mismatches.append("#\(n) \(fault.map { "\($0)" } ?? "valid"): got \(got) \(message), expected \(expected): \(shown)")
            }
            if case .row(_, _, let m, _, let a) = expected { expectedTotals.add(m, a) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(sink.events.count == count) // read = queued + rejected, one event per item
        var totals = MethodTotals()
        for case .row(_, _, let m, _, let a) in sink.outcomes(names: parser.methods.names) { totals.add(m, a) }
        #expect(totals == expectedTotals)
        #expect(expectedTotals.counts.values.reduce(0, +) > 20_000)
        #expect(Set(faults.keys) == Set(JSONFault.allCases))
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("8,000 randomly mutated JSON items agree with an independent reference reader")
    func mutatedJSON() {
        let started = ContinuousClock.now
        var g = JSONGen(f: Fuzz(seed: 0xB17_F11B))
        var mismatches: [String] = []
        var invalid = 0
        var valid = 0
        let interesting: [UInt8] =
            Array("\"\\{}[],:0-.eE+u \n\t".utf8)
            + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 0xEF, 0xBB]
        for n in 0..<8_000 {
            var (item, _) = Self.jsonItem(&g, fault: nil)
            for _ in 0..<g.f.int(1...3) where !item.isEmpty {
                let at = g.f.int(0...item.count - 1)
                switch g.f.int(0...4) {
                case 0: item[at] = g.f.pick(interesting)
                case 1: item[at] = UInt8(truncatingIfNeeded: g.f.rng.next())
                case 2: item.remove(at: at)
                case 3: item.insert(g.f.pick(interesting), at: at)
                default: item.insert(contentsOf: item[at..<min(item.count, at + g.f.int(1...8))], at: at)
                }
            }
            var parser = TransactionParser(calendar: .utc, currency: .usd)
            var sink = RecordingSink()
            item.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
            let got = sink.outcomes(names: parser.methods.names)
            let want: [Expected]
            let reference = ReferenceJSON.item(item)
            switch reference {
            case .invalid:
                invalid += 1
                // Any refusal as malformed (where it is refused depends on where it breaks).
                if got.count == 1, case .reject(let code) = got[0], code == "bad_item" || code == "bad_utf8" { continue }
                want = [.reject("bad_item or bad_utf8")]
            case .notObject:
                want = [.reject("bad_item")]
            case .object(let canonical):
                valid += 1
                // The same item written canonically must come to the same outcome.
                var p2 = TransactionParser(calendar: .utc, currency: .usd)
                var s2 = RecordingSink()
                canonical.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &p2, into: &s2) }
                want = s2.outcomes(names: p2.methods.names)
                if case .reject(let r, _)? = sink.events.first, r.message.hasPrefix("invalid JSON") || r.code == "bad_utf8" {
                    let shown = String(decoding: item, as: UTF8.self).debugDescription
                    mismatches.append("#\(n): refused as malformed (\(r.message)) but the reference reads it: \(shown)")
                }
            }
            if got != want && mismatches.count < 10 {
                let shown = String(decoding: item.prefix(300), as: UTF8.self).debugDescription
                mismatches.append("#\(n): got \(got), expected \(want): \(shown) \(item.prefix(300))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(invalid > 2_000 && valid > 500, "invalid \(invalid), valid \(valid)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    // MARK: TXB1

    @Test("1,500 TXB1 and TXB2 batches, intact and corrupted: every row counted exactly or rejected")
    func compactBatches() {
        let started = ContinuousClock.now
        var f = Fuzz(seed: 0x7A_B1B1)
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var sink = RecordingSink()
        var expectedTotals = MethodTotals()
        var mismatches: [String] = []
        var rowsSeen = 0
        for n in 0..<1_500 {
            // Even batches in the legacy TXB1 form (still read), odd ones as the importer writes them now.
            let legacy = n % 2 == 0
            var writer = CompactBatchWriter(source: "s\(n)", firstLine: n * 100 + 2)
            var v1 = Array("TXB1 2 s\(n) \(n * 100 + 2) 0\n".utf8)
            var expected: [Expected] = []
            for _ in 0..<f.int(1...80) {
                var epoch = f.int64(-62_135_596_800...253_402_300_799)
                if f.chance(0.7) { epoch = f.int64(1_700_000_000...1_800_000_000) }
                if f.chance(0.01) { epoch = f.pick([-62_135_596_801, 253_402_300_800, -10_000_000_000_000, 10_000_000_000_000]) }
                let m = f.method()
                let name = Fuzz.methodIsValid(raw: m.raw) ? m.name : "fallback"
                let type: TransactionType = f.chance(0.5) ? .deposit : .withdrawal
                let status = f.pick(TransactionStatus.allCases)
                let amount = f.minor()
                let bytes = Array(name.utf8)
                if legacy {
                    v1 += Array("\(epoch)\t".utf8) + [type.code, 0x09] + bytes + [0x09, status.code] + Array("\t\(amount)\n".utf8)
                } else {
                    let id = f.chance(0.5) ? "tx-\(f.rng.next() % 10_000)" : nil
                    let updated = f.chance(0.5) ? Int64(1_700_000_000_000_000) : nil
                    bytes.withUnsafeBytes {
                        writer.append(
                            epochSeconds: epoch, type: type, method: $0, status: status, amountMinor: amount,
                            currency: f.chance(0.5) ? Currency.usd.index : Currency.kwd.index, id: id, updatedMicros: updated)
                    }
                }
                expected.append(
                    Fuzz.validEpochs.contains(epoch)
                        ? .row(epoch: epoch, type: type, method: name, status: status, amount: amount) : .reject("bad_timestamp"))
            }
            var item = legacy ? v1 : writer.buffer
            let headerEnd = item.firstIndex(of: 0x0A)!
            var lineStarts: [Int] = []
            for i in headerEnd..<item.count - 1 where item[i] == 0x0A { lineStarts.append(i + 1) }
            // Targeted damage with a known effect, or random damage judged by the reference decoder.
            var known = true
            switch f.int(0...9) {
            case 0, 1, 2: break
            case 3:
                // One row's method made invalid, in one of several ways.
                let row = f.int(0...lineStarts.count - 1)
                var tabs = item[lineStarts[row]...].indices.filter { item[$0] == 0x09 }.prefix(3)
                let methodStart = tabs.removeFirst() + 3
                switch f.int(0...2) {
                case 0:
                    item.insert(contentsOf: f.pick(Fuzz.invalidUTF8), at: methodStart)
                    expected[row] = .reject(expected[row] == .reject("bad_timestamp") ? "bad_timestamp" : "bad_utf8")
                case 1:
                    item.insert(contentsOf: Array(f.pick(["\u{85}", "\u{9B}", "|", "\u{7F}", "\r"]).utf8), at: methodStart)
                    expected[row] = .reject(expected[row] == .reject("bad_timestamp") ? "bad_timestamp" : "bad_payment_method")
                default:
                    item.insert(contentsOf: Array(String(repeating: "x", count: 65).utf8), at: methodStart)
                    expected[row] = .reject(expected[row] == .reject("bad_timestamp") ? "bad_timestamp" : "bad_payment_method")
                }
            case 4:
                // One row made malformed.
                let row = f.int(0...lineStarts.count - 1)
                let start = lineStarts[row]
                let tabs = item[start...].indices.filter { item[$0] == 0x09 }.prefix(4)
                switch f.int(0...5) {
                case 0: item[tabs[tabs.startIndex] + 1] = UInt8(ascii: "x") // type code
                case 1: item[tabs[tabs.startIndex + 3] - 1] = UInt8(ascii: "q") // status code
                case 2: item.remove(at: tabs[tabs.startIndex + 1]) // a tab
                case 3: item.insert(contentsOf: Array("\tx".utf8), at: tabs[tabs.startIndex + 3])
                case 4: item.insert(contentsOf: Array("9999999999999999999".utf8), at: tabs[tabs.startIndex + 3] + 1)
                default: item.insert(contentsOf: Array("a".utf8), at: start) // epoch
                }
                expected[row] = .reject("bad_item")
            case 5:
                // The whole batch: another scale, a broken header (TXB1 only: TXB2's header names
                // no scale), no header line.
                switch legacy ? f.int(0...2) : 2 {
                case 0:
                    item.replaceSubrange(5..<6, with: Array(String(f.pick([0, 3, 4, 18])).utf8))
                    expected = [.reject("scale_mismatch")]
                case 1:
                    item.replaceSubrange(5..<6, with: Array(f.pick(["x", "", "2.0", "-"]).utf8))
                    expected = [.reject("bad_item")]
                default:
                    item = Array(item[..<headerEnd])
                    expected = [.reject("bad_item")]
                }
            default:
                known = false
                for _ in 0..<f.int(1...4) {
                    let at = f.int(6...item.count - 1)
                    switch f.int(0...4) {
                    case 0: item[at] = f.pick([0x09, 0x0A, 0x20, 0x2D, 0x30, 0x39, 0x64, 0x73, 0x7C, 0x80, 0xC3, 0xED, 0xFF, 0x0D])
                    case 1: item[at] = UInt8(truncatingIfNeeded: f.rng.next())
                    case 2: item.remove(at: at)
                    case 3: item = Array(item[..<at])
                    default: item.insert(f.pick([0x09, 0x0A, 0xC2, 0x85, 0xFF]), at: at)
                    }
                    if item.count <= 6 { break }
                }
            }
            let reference = ReferenceTXB1.decode(item, scale: 2)
            if known && reference != expected && mismatches.count < 10 {
                mismatches.append("#\(n): the reference decoder disagrees with the generator: \(reference) vs \(expected)")
            }
            let before = sink.events.count
            item.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
            let got = sink.outcomes(from: before, names: parser.methods.names)
            let want = known ? expected : reference
            if got != want && mismatches.count < 10 {
                let diff = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }
                let first = diff.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "-"
                let shown = String(decoding: item.prefix(400), as: UTF8.self).debugDescription
                mismatches.append("#\(n) known=\(known): \(got.count) events, expected \(want.count); first difference \(first): \(shown)")
            }
            rowsSeen += want.count
            for case .row(_, _, let m, _, let a) in want { expectedTotals.add(m, a) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(sink.events.count == rowsSeen)
        var totals = MethodTotals()
        for case .row(_, _, let m, _, let a) in sink.outcomes(names: parser.methods.names) { totals.add(m, a) }
        #expect(totals == expectedTotals)
        #expect(rowsSeen > 40_000)
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}

// MARK: - Reference readers (independent of the decoder: written from RFC 8259 and the README)

/// A plain recursive-descent JSON reader over Unicode scalars, used as the oracle for mutated
/// items. It decodes all of the item first (as UTF-8, strictly), then parses.
enum ReferenceJSON {
    indirect enum Value: Equatable {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case number(String)
        case literal(String)

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case (.array(let x), .array(let y)): x == y
            case (.string(let x), .string(let y)): x == y
            case (.number(let x), .number(let y)): x == y
            case (.literal(let x), .literal(let y)): x == y
            default: false
            }
        }
    }

    struct Invalid: Error {}

    enum Verdict {
        case invalid
        case notObject
        /// Valid: the same object written canonically (no whitespace, minimal escapes).
        case object([UInt8])
    }

    static func item(_ bytes: [UInt8]) -> Verdict {
        guard let value = try? parse(bytes) else { return .invalid }
        guard case .object = value else { return .notObject }
        return .object(Array(canonical(value).utf8))
    }

    static func parse(_ bytes: [UInt8]) throws -> Value {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else { throw Invalid() }
        var p = Parser(scalars: Array(text.unicodeScalars))
        p.space()
        let v = try p.value(level: 1)
        p.space()
        guard p.i == p.scalars.count else { throw Invalid() }
        return v
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0

        var current: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

        mutating func space() {
            while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1 }
        }

        mutating func eat(_ c: Unicode.Scalar) throws {
            guard current == c else { throw Invalid() }
            i += 1
        }

        mutating func value(level: Int) throws -> Value {
            guard let c = current else { throw Invalid() }
            switch c {
            case "{":
                guard level <= 32 else { throw Invalid() }
                i += 1
                space()
                var members: [(String, Value)] = []
                if current == "}" {
                    i += 1
                    return .object(members)
                }
                repeat {
                    space()
                    let key = try string()
                    space()
                    try eat(":")
                    space()
                    members.append((key, try value(level: level + 1)))
                    space()
                } while try comma(or: "}")
                return .object(members)
            case "[":
                guard level <= 32 else { throw Invalid() }
                i += 1
                space()
                var items: [Value] = []
                if current == "]" {
                    i += 1
                    return .array(items)
                }
                repeat {
                    space()
                    items.append(try value(level: level + 1))
                    space()
                } while try comma(or: "]")
                return .array(items)
            case "\"": return .string(try string())
            case "t", "f", "n":
                for word in ["true", "false", "null"] where scalars[i...].starts(with: word.unicodeScalars) {
                    i += word.unicodeScalars.count
                    return .literal(word)
                }
                throw Invalid()
            default: return .number(try number())
            }
        }

        /// After a member or element: true for ',', false for the closing bracket.
        mutating func comma(or close: Unicode.Scalar) throws -> Bool {
            if current == "," {
                i += 1
                return true
            }
            try eat(close)
            return false
        }

        mutating func digits() -> String {
            var s = ""
            while let c = current, ("0"..."9").contains(c) {
                s.unicodeScalars.append(c)
                i += 1
            }
            return s
        }

        mutating func number() throws -> String {
            var s = ""
            if current == "-" {
                s = "-"
                i += 1
            }
            let whole = digits()
            guard !whole.isEmpty, whole == "0" || whole.first != "0" else { throw Invalid() }
            s += whole
            if current == "." {
                i += 1
                let fraction = digits()
                guard !fraction.isEmpty else { throw Invalid() }
                s += "." + fraction
            }
            if current == "e" || current == "E" {
                s.unicodeScalars.append(current!)
                i += 1
                if current == "+" || current == "-" {
                    s.unicodeScalars.append(current!)
                    i += 1
                }
                let exponent = digits()
                guard !exponent.isEmpty else { throw Invalid() }
                s += exponent
            }
            return s
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= scalars.count else { throw Invalid() }
            let text = String(String.UnicodeScalarView(scalars[i..<i + 4]))
            guard text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }),
                let v = UInt32(text, radix: 16)
            else { throw Invalid() }
            i += 4
            return v
        }

        mutating func string() throws -> String {
            try eat("\"")
            var out = String.UnicodeScalarView()
            while true {
                guard let c = current else { throw Invalid() }
                i += 1
                if c == "\"" { return String(out) }
                guard c.value >= 0x20 else { throw Invalid() }
                guard c == "\\" else {
                    out.append(c)
                    continue
                }
                guard let e = current else { throw Invalid() }
                i += 1
                switch e {
                case "\"", "\\", "/": out.append(e)
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    let v = try hex4()
                    if let s = Unicode.Scalar(v) {
                        out.append(s)
                    } else if (0xD800...0xDBFF).contains(v), current == "\\", i + 1 < scalars.count, scalars[i + 1] == "u" {
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low), let s = Unicode.Scalar(0x10000 + (v - 0xD800) * 0x400 + (low - 0xDC00))
                        else { throw Invalid() }
                        out.append(s)
                    } else {
                        throw Invalid()
                    }
                default: throw Invalid()
                }
            }
        }
    }

    static func canonical(_ v: Value) -> String {
        switch v {
        case .object(let members): "{" + members.map { quote($0.0) + ":" + canonical($0.1) }.joined(separator: ",") + "}"
        case .array(let items): "[" + items.map(canonical).joined(separator: ",") + "]"
        case .string(let s): quote(s)
        case .number(let s), .literal(let s): s
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if c.value < 0x20 {
                    let h = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}

/// TXB1 and TXB2 as the README describes them, decoded with plain collection code: the oracle
/// for randomly damaged batches.
enum ReferenceTXB1 {
    static func decode(_ item: [UInt8], scale: Int) -> [Expected] {
        var body = item[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        while let b = body.first, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { body = body.dropFirst() }
        while let b = body.last, b == 0x20 || b == 0x09 { body = body.dropLast() }
        let v2 = body.starts(with: Array("TXB2 ".utf8))
        guard v2 || body.starts(with: Array("TXB1 ".utf8)) else { return [.reject("bad_item")] }
        guard let newline = body.firstIndex(of: 0x0A) else { return [.reject("bad_item")] }
        if !v2 {
            let header = String(decoding: body[..<newline], as: UTF8.self).split(separator: " ")
            guard header.count >= 2, let batchScale = Int(header[1]) else { return [.reject("bad_item")] }
            guard batchScale == scale else { return [.reject("scale_mismatch")] }
        }
        var out: [Expected] = []
        for line in body[(newline + 1)...].split(separator: 0x0A, omittingEmptySubsequences: true) {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.count == (v2 ? 8 : 5), !v2 || validTail(fields), let epoch = integer(fields[0]), fields[1].count == 1,
                fields[3].count == 1,
                let type: TransactionType = ["d": .deposit, "w": .withdrawal][String(decoding: fields[1], as: UTF8.self)],
                let status: TransactionStatus = ["s": .success, "f": .failed, "p": .pending][String(decoding: fields[3], as: UTF8.self)],
                let amount = integer(fields[4]), amount >= 0, amount <= 1_000_000_000_000_000
            else {
                out.append(.reject("bad_item"))
                continue
            }
            guard Fuzz.validEpochs.contains(epoch) else {
                out.append(.reject("bad_timestamp"))
                continue
            }
            switch method(Array(fields[2])) {
            case .success(let name): out.append(.row(epoch: epoch, type: type, method: name, status: status, amount: amount))
            case .failure(let code): out.append(.reject(code.code))
            }
        }
        return out
    }

    /// TXB2's currency (a known code), id (empty, or at most 128 bytes of UTF-8 without
    /// control characters) and update time (empty or an integer), judged independently.
    static func validTail(_ fields: [ArraySlice<UInt8>]) -> Bool {
        let code = String(decoding: fields[5], as: UTF8.self)
        guard fields[5].count == 3, ["USD", "KWD", "JPY", "EUR"].contains(code.uppercased()) || Currency(code: code) != nil else {
            return false
        }
        let id = fields[6]
        if !id.isEmpty {
            guard id.count <= 128, let text = String(validating: id, as: UTF8.self),
                !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            else { return false }
        }
        if fields[7].isEmpty { return true }
        guard let updated = integer(fields[7]) else { return false }
        return Fuzz.validEpochs.contains(updated / 1_000_000)
    }

    /// `-?[0-9]+`, at most 19 bytes, within Int64.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int64(text)
    }

    /// Unicode White_Space (PropList.txt) minus the control characters, tab excepted.
    static let trimmed: Set<UInt32> = Set([0x20, 0x09, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000] + Array(0x2000...0x200A))

    static func method(_ bytes: [UInt8]) -> Result<String, RejectReason> {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.badUTF8("")) }
        var scalars = Array(text.unicodeScalars)
        while let s = scalars.first, trimmed.contains(s.value) { scalars.removeFirst() }
        while let s = scalars.last, trimmed.contains(s.value) { scalars.removeLast() }
        let name = String(String.UnicodeScalarView(scalars))
        guard !scalars.isEmpty, name.utf8.count <= 64,
            !scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "|" })
        else { return .failure(.badMethod("")) }
        return .success(name.lowercased())
    }
}
