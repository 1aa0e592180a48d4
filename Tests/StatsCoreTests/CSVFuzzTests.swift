import Foundation
import Testing

@testable import StatsCore

/// 100,000 generated CSV rows, valid and nasty mixed, through the real `CSVReader` and
/// `TransactionParser` driven as the importer drives them, then through TXB1 batches and the
/// aggregator's decoder. The generator knows for every row what it must come to.
@Suite("Fuzz: CSV rows")
struct CSVFuzzTests {
    enum Column: String, CaseIterable {
        case timestamp, type
        case method = "payment_method"
        case amount, status, id, note
    }

    enum Fault: CaseIterable {
        case amount, timestamp, type, status, method, utf8, columns, quoting, tooLong, control
    }

    struct Generated {
        var bytes: [UInt8] = []
        var expected: [(line: Int, outcome: Expected)] = []
        var totals = MethodTotals()
    }

    static let maxLineBytes = 64 * 1024

    /// One CSV file of `rows` records after a header of `columns` in that order.
    static func generate(seed: UInt64, rows: Int, columns: [Column], bom: Bool, unclosedAtEnd: Bool) -> Generated {
        var f = Fuzz(seed: seed)
        var g = Generated()
        if bom { g.bytes += [0xEF, 0xBB, 0xBF] }
        let header = columns.map { c in f.chance(0.3) ? " " + c.rawValue.uppercased() : c.rawValue }.joined(separator: ",")
        g.bytes += Array(header.utf8) + Array((f.chance(0.5) ? "\r\n" : "\n").utf8)
        var line = 2
        let hasStatus = columns.contains(.status)

        func encode(_ s: String, quote: Bool) -> [UInt8] {
            if quote || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                return Array(("\"" + s.replacing("\"", with: "\"\"") + "\"").utf8)
            }
            return Array(s.utf8)
        }

        for index in 0..<rows {
            var ts = f.timestamp()
            let type = f.pick(Fuzz.types)
            var method = f.method()
            let minor = f.minor()
            let status = f.pick(Fuzz.statuses)
            var expected: Expected
            if !Fuzz.validEpochs.contains(ts.epoch) {
                expected = .reject("bad_timestamp")
            } else if !Fuzz.methodIsValid(raw: method.raw) {
                expected = .reject("bad_payment_method")
            } else {
                expected = .row(epoch: ts.epoch, type: type.1, method: method.name, status: hasStatus ? status.1 : .success, amount: minor)
            }
            var fault = f.chance(0.45) ? f.pick(Fault.allCases) : nil
            if fault == .status && !hasStatus { fault = .amount }
            if fault == .tooLong && !f.chance(0.05) { fault = .control } // keeps the file small
            if fault != nil, case .reject = expected {
                // One fault per row, so that its reason is the one reported.
                ts = ("2026-01-01T00:00:00Z", 1_767_225_600)
                method = ("visa", "visa")
                expected = .row(epoch: ts.epoch, type: type.1, method: "visa", status: hasStatus ? status.1 : .success, amount: minor)
            }
            let multiLineAllowed = fault != .quoting && fault != .tooLong
            var id = f.pick(["tx-\(index)", "", "a,b", "say \"hi\"", "é€𝄞", "ctl\u{1}\u{85}|", "\u{7F}"])
            var embeddedLines = 0
            if multiLineAllowed && f.chance(0.03) {
                id = f.pick(["multi\nline", "crlf\r\ninside", "\n", "two\n\nbreaks"])
                embeddedLines = id.utf8.filter { $0 == 0x0A }.count
            }
            var fields: [Column: [UInt8]] = [
                .timestamp: encode(ts.text, quote: f.chance(0.05)),
                .type: encode(type.0, quote: f.chance(0.05)),
                .method: encode(method.raw, quote: f.chance(0.1)),
                .amount: encode(f.amountText(minor), quote: f.chance(0.05)),
                .status: encode(status.0, quote: f.chance(0.05)),
                .id: encode(id, quote: f.chance(0.05)),
                .note: encode(f.pick(["", "note", "ünïcödé", "x\u{9B}y"]), quote: false),
            ]
            var extraField = false
            var dropLast = false
            var wholeLine: [UInt8]?
            switch fault {
            case nil: break
            case .amount?:
                fields[.amount] = encode(f.pick(Fuzz.badAmounts), quote: f.chance(0.3))
                expected = .reject("bad_amount")
            case .timestamp?:
                fields[.timestamp] = encode(f.pick(Fuzz.badTimestamps), quote: f.chance(0.3))
                expected = .reject("bad_timestamp")
            case .type?:
                fields[.type] = encode(f.pick(Fuzz.badTypes), quote: f.chance(0.3))
                expected = .reject("bad_type")
            case .status?:
                fields[.status] = encode(f.pick(Fuzz.badStatuses), quote: f.chance(0.3))
                expected = .reject("bad_status")
            case .method?:
                if multiLineAllowed && f.chance(0.1) {
                    fields[.method] = encode(f.pick(["pay\npal", "visa\n", "\r\nvisa"]), quote: true)
                    embeddedLines += 1
                } else {
                    fields[.method] = encode(f.pick(Fuzz.badMethods + ["visa\r", String(repeating: "long", count: 1250)]), quote: true)
                }
                expected = .reject("bad_payment_method")
            case .utf8?:
                let column = f.pick([Column.method, .id, .note, .amount, .timestamp].filter { columns.contains($0) })
                let bad = f.pick(Fuzz.invalidUTF8)
                var field = fields[column]!
                let quoted = field.first == UInt8(ascii: "\"")
                // Inside the quotes of a quoted field, or it would be a quoting error first.
                field.insert(contentsOf: bad, at: f.chance(0.5) ? (quoted ? 1 : 0) : (quoted ? field.count - 1 : field.count))
                fields[column] = field
                expected = .reject("bad_utf8")
            case .columns?:
                switch f.int(0...3) {
                case 0: extraField = true
                case 1: dropLast = true
                case 2:
                    wholeLine = Array(f.pick(["   ", "\t", ",", ",,,,,,,,,", "x"]).utf8)
                    embeddedLines = 0
                default:
                    extraField = true
                    fields[.id] = encode(id, quote: true)
                }
                expected = .reject("column_count")
            case .quoting?:
                let column = f.pick([Column.method, .id, .amount, .type])
                fields[column] = Array(f.pick(["ab\"c", "\"ab\"c", "\"ok\" ", "x\"", "\"a\"\"b\"x"]).utf8)
                expected = .reject("bad_quoting")
            case .tooLong?:
                // Filled in below, once the rest of the line is known.
                break
            case .control?:
                switch f.int(0...3) {
                case 0:
                    fields[.amount] = encode("1\u{1}", quote: false)
                    expected = .reject("bad_amount")
                case 1:
                    fields[.timestamp] = encode("2026-01-01T00:00:00\u{0}", quote: false)
                    expected = .reject("bad_timestamp")
                case 2:
                    fields[.type] = encode("deposit\u{85}", quote: false)
                    expected = .reject("bad_type")
                default:
                    fields[.method] = encode(f.pick(["a\u{9B}b", "\u{80}", "nul\u{0}"]), quote: false)
                    expected = .reject("bad_payment_method")
                }
            }

            func assemble() -> [UInt8] {
                if let wholeLine { return wholeLine }
                var present = columns
                if dropLast { present.removeLast() }
                var out: [UInt8] = []
                for (i, c) in present.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out += fields[c]!
                }
                if extraField { out += Array(",extra".utf8) }
                return out
            }
            var record = assemble()
            if fault == .tooLong || (fault == nil && f.chance(0.002)) {
                // Pad the id to a content length just over (fault) or at most (valid) the limit.
                let target =
                    fault == .tooLong
                    ? f.pick([maxLineBytes + 1, maxLineBytes + 2, maxLineBytes + 1000, 3 * maxLineBytes])
                    : f.pick([maxLineBytes, maxLineBytes - 1, maxLineBytes - 100])
                let idLength = fields[.id]!.count
                embeddedLines = 0
                fields[.id] = Array(repeating: UInt8(ascii: "x"), count: max(0, target - (record.count - idLength)))
                record = assemble()
                if fault == .tooLong {
                    precondition(record.count > maxLineBytes)
                    expected = .reject("line_too_long")
                } else {
                    precondition(record.count <= maxLineBytes)
                }
            }
            if dropLast && columns.last == .id { embeddedLines = 0 }
            if case .row(_, _, let m, _, let a) = expected { g.totals.add(m, a) }

            g.bytes += record
            g.expected.append((line, expected))
            line += 1 + embeddedLines
            let last = index == rows - 1
            if !last || f.chance(0.5) { g.bytes += Array((f.chance(0.3) ? "\r\n" : "\n").utf8) }
            if !last && f.chance(0.02) {
                let blank = Array(f.pick(["\n", "\r\n", "\n\n", "\r\n\n"]).utf8)
                g.bytes += blank
                line += blank.filter { $0 == 0x0A }.count
            }
        }
        if unclosedAtEnd {
            if g.bytes.last != 0x0A { g.bytes.append(0x0A) }
            g.bytes += Array("2026-01-01,deposit,\"visa,1".utf8)
            g.expected.append((line, .reject("bad_quoting")))
        }
        return g
    }

    struct Run {
        var outcomes: [(line: Int, outcome: Expected)] = []
        var read = 0
        var queued = 0
        var rejected = 0
        var batches: [[UInt8]] = []
    }

    /// Reads the file like `importer`'s `ImportRun.handle`: reader errors, then the column count,
    /// then the parser; accepted rows go into TXB1 batches.
    static func importFile(_ path: String, bufferSize: Int) throws -> Run {
        var run = Run()
        let reader = try CSVReader.open(path: path, bufferSize: bufferSize)
        guard let headerRecord = reader.next() else { throw CSVError("empty") }
        let header = try CSVHeader(
            record: headerRecord, required: ["timestamp", "type", "payment_method", "amount"],
            optional: ["status", "id", "sleep_ms"])
        let col = (
            ts: header.index(of: "timestamp")!, type: header.index(of: "type")!, method: header.index(of: "payment_method")!,
            amount: header.index(of: "amount")!, status: header.index(of: "status"), sleep: header.index(of: "sleep_ms")
        )
        var parser = TransactionParser(calendar: .utc, currency: .usd)
        var methodBytes: [[UInt8]] = []
        var writer = CompactBatchWriter(source: "fuzz", firstLine: 2)
        while let r = reader.next() {
            run.read += 1
            func reject(_ e: RejectReason) {
                run.rejected += 1
                run.outcomes.append((r.line, .reject(e.code)))
            }
            if let e = r.error {
                reject(e)
                continue
            }
            guard r.fieldCount == header.count else {
                reject(.columnCount("row has \(r.fieldCount) fields, the header has \(header.count)"))
                continue
            }
            let fields = TransactionParser.Fields(
                timestamp: r.field(col.ts), type: r.field(col.type), method: r.field(col.method), amount: r.field(col.amount),
                status: col.status.map { r.field($0) }, sleepMs: col.sleep.map { r.field($0) })
            switch parser.parse(fields) {
            case .failure(let e):
                reject(e)
            case .success(let row):
                while methodBytes.count < parser.methods.names.count {
                    methodBytes.append(Array(parser.methods.names[methodBytes.count].utf8))
                }
                methodBytes[row.method].withUnsafeBytes { m in
                    writer.append(
                        epochSeconds: row.epochSeconds, type: row.type, method: m, status: row.status, amountMinor: row.amountMinor,
                        currency: row.currency, id: row.id, updatedMicros: row.updatedMicros)
                }
                run.queued += 1
                run.outcomes.append(
                    (
                        r.line,
                        .row(
                            epoch: row.epochSeconds, type: row.type, method: parser.methods.names[row.method],
                            status: row.status, amount: row.amountMinor)
                    ))
                if writer.rows >= 500 {
                    run.batches.append(writer.buffer)
                    writer = CompactBatchWriter(source: "fuzz", firstLine: r.line + 1)
                }
            }
        }
        #expect(reader.ioError == nil)
        if writer.rows > 0 { run.batches.append(writer.buffer) }
        return run
    }

    static func withTempFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvfuzz-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    static let files: [(seed: UInt64, columns: [Column], bom: Bool, unclosed: Bool)] = [
        (0x5EED_0001, [.timestamp, .type, .method, .amount, .status, .id], false, false),
        (0x5EED_0002, [.id, .amount, .method, .note, .type, .timestamp], true, true),
        (0x5EED_0003, [.status, .method, .timestamp, .amount, .type, .id], true, false),
        (0x5EED_0004, [.type, .timestamp, .note, .status, .id, .method, .amount], false, true),
    ]

    @Test("100,000 mixed rows: each counted exactly or rejected with its reason", arguments: 0..<files.count)
    func rows(file: Int) throws {
        let started = ContinuousClock.now
        let spec = Self.files[file]
        let g = Self.generate(seed: spec.seed, rows: 25_000, columns: spec.columns, bom: spec.bom, unclosedAtEnd: spec.unclosed)
        try Self.withTempFile(g.bytes) { path in
            // The importer's buffer size, and a small odd one that cuts records everywhere.
            for bufferSize in file == 0 ? [1 << 20, 4099] : [1 << 20] {
                let run = try Self.importFile(path, bufferSize: bufferSize)
                #expect(run.read == g.expected.count)
                #expect(run.queued + run.rejected == run.read)
                var mismatches: [String] = []
                for (i, (got, want)) in zip(run.outcomes, g.expected).enumerated()
                where got.line != want.line || got.outcome != want.outcome {
                    mismatches.append("#\(i): got line \(got.line) \(got.outcome), expected line \(want.line) \(want.outcome)")
                    if mismatches.count == 10 { break }
                }
                #expect(mismatches.isEmpty, "buffer \(bufferSize):\n\(mismatches.joined(separator: "\n"))")

                // The aggregator's view of the queued batches: the same rows, the same sums.
                var parser = TransactionParser(calendar: .utc, currency: .usd)
                var sink = RecordingSink()
                for batch in run.batches {
                    batch.withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
                }
                let decoded = sink.outcomes(names: parser.methods.names)
                #expect(decoded == run.outcomes.map(\.outcome).filter { if case .row = $0 { true } else { false } })
                var totals = MethodTotals()
                for case .row(_, _, let m, _, let a) in decoded { totals.add(m, a) }
                #expect(totals == g.totals)
                #expect(run.queued == g.totals.counts.values.reduce(0, +))
            }
        }
        // The generator really produced every kind of input.
        let codes = Set(g.expected.compactMap { if case .reject(let c) = $0.outcome { c } else { nil } })
        var wanted: Set = [
            "bad_amount", "bad_timestamp", "bad_type", "bad_payment_method", "bad_utf8", "column_count", "bad_quoting",
            "line_too_long",
        ]
        if spec.columns.contains(.status) { wanted.insert("bad_status") }
        #expect(wanted.isSubset(of: codes), "missing \(wanted.subtracting(codes))")
        #expect(g.totals.counts.values.reduce(0, +) > 10_000)
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
