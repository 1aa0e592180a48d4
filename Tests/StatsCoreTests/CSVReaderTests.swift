import Foundation
import Testing

@testable import StatsCore

@Suite struct CSVReaderTests {
    /// A record copied out of the reader, comparable across runs.
    struct Rec: Equatable, CustomStringConvertible {
        var line: Int
        var fields: [String]
        var raw: [UInt8]
        var code: String?

        init(line: Int, fields: [String], raw: [UInt8], code: String? = nil) {
            self.line = line
            self.fields = fields
            self.raw = raw
            self.code = code
        }

        init(_ r: CSVRecord) {
            line = r.line
            fields = (0..<r.fieldCount).map { r.string($0) }
            raw = Array(r.raw)
            code = r.error?.code
        }

        var description: String {
            "L\(line) \(code ?? "ok") \(fields) raw=\(String(decoding: raw, as: UTF8.self).debugDescription)"
        }
    }

    // MARK: Helpers

    private static func withTempFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvreader-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    private static func readAll(_ reader: CSVReader) -> [Rec] {
        var out: [Rec] = []
        while let r = reader.next() { out.append(Rec(r)) }
        return out
    }

    /// Reads `bytes` from a file; also re-reads with tiny buffers, which must not change anything.
    private func read(
        _ bytes: [UInt8], maxLineBytes: Int = 64 * 1024, bufferSize: Int = 1 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [Rec] {
        try Self.withTempFile(bytes) { path in
            var first: [Rec]?
            for size in [bufferSize, 1, 2, 3, 5] {
                let reader = try CSVReader.open(path: path, maxLineBytes: maxLineBytes, bufferSize: size)
                let records = Self.readAll(reader)
                #expect(reader.ioError == nil, sourceLocation: sourceLocation)
                #expect(reader.bytesRead == bytes.count, sourceLocation: sourceLocation)
                if let first {
                    #expect(records == first, "bufferSize \(size) differs", sourceLocation: sourceLocation)
                } else {
                    first = records
                }
            }
            return first!
        }
    }

    private func read(_ text: String, maxLineBytes: Int = 64 * 1024, bufferSize: Int = 1 << 20) throws -> [Rec] {
        try read(Array(text.utf8), maxLineBytes: maxLineBytes, bufferSize: bufferSize)
    }

    private func rows(_ records: [Rec]) -> [[String]] { records.map(\.fields) }

    // MARK: Basics

    @Test func simpleRecordsAndLineEndings() throws {
        let lf = try read("a,b,c\n1,2,3\n")
        #expect(
            lf == [
                Rec(line: 1, fields: ["a", "b", "c"], raw: Array("a,b,c".utf8)),
                Rec(line: 2, fields: ["1", "2", "3"], raw: Array("1,2,3".utf8)),
            ])
        #expect(try read("a,b,c\r\n1,2,3\r\n") == lf) // CRLF: raw has no CR either
        #expect(try read("a,b,c\n1,2,3") == lf) // no final terminator
        #expect(try read("a,b,c\r\n1,2,3\r") == lf)
        #expect(try read("") == [])
        #expect(try read("\n\r\n\n") == [])
    }

    @Test func emptyFields() throws {
        #expect(rows(try read("a,b,\n,\n,,x\n\"\"\n")) == [["a", "b", ""], ["", ""], ["", "", "x"], [""]])
        #expect(rows(try read("a,")) == [["a", ""]])
        #expect(rows(try read("  spaced , kept \n")) == [["  spaced ", " kept "]])
    }

    @Test func quotedFields() throws {
        let recs = try read(
            #"""
            "a,b","he said ""hi""",plain
            """","x""y""z","",""""""
            "é€𝄞","a""b","c""d"

            """#)
        #expect(
            rows(recs) == [
                ["a,b", #"he said "hi""#, "plain"],
                ["\"", "x\"y\"z", "", "\"\""],
                ["é€𝄞", #"a"b"#, #"c"d"#],
            ])
        #expect(recs[0].raw == Array(#""a,b","he said ""hi""",plain"#.utf8))
        #expect(recs.allSatisfy { $0.code == nil })
    }

    @Test func embeddedNewlinesKeepLineNumbers() throws {
        let recs = try read("id,note\n1,\"multi\nline\"\n2,\"crlf\r\ninside\r\n\"\r\n\n3,x\n")
        #expect(recs.map(\.line) == [1, 2, 4, 8])
        #expect(rows(recs) == [["id", "note"], ["1", "multi\nline"], ["2", "crlf\r\ninside\r\n"], ["3", "x"]])
        #expect(recs[1].raw == Array("1,\"multi\nline\"".utf8))
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let recs = try read("\n\nh\n\r\n\na\n\n")
        #expect(recs.map(\.line) == [3, 6])
        #expect(rows(recs) == [["h"], ["a"]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let recs = try read([0xEF, 0xBB, 0xBF] + Array("amount,type\n1,deposit\n".utf8), bufferSize: 1)
        #expect(rows(recs) == [["amount", "type"], ["1", "deposit"]])
        #expect(recs[0].line == 1)
        // Only at the start; a BOM alone is an empty file.
        #expect(try read([0xEF, 0xBB, 0xBF]) == [])
        #expect(try read([0xEF, 0xBB]).first?.code == "bad_utf8")
    }

    // MARK: Malformed records

    @Test func strayQuotes() throws {
        let recs = try read("h1,h2\nab,c\"d\n\"ok\"x,y\n\"fine\",z\n\"never closed\nlast,one\n")
        #expect(recs.map(\.code) == [nil, "bad_quoting", "bad_quoting", nil, "bad_quoting", nil])
        #expect(recs.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(recs[1].raw == Array("ab,c\"d".utf8))
        #expect(recs[1].fields == [])
        #expect(recs[2].raw == Array("\"ok\"x,y".utf8))
        #expect(recs[3].fields == ["fine", "z"])
        // An unclosed quote at the end of input only costs its first line.
        #expect(recs[4].raw == Array("\"never closed".utf8))
        #expect(recs[5].fields == ["last", "one"])
    }

    @Test func quotingErrorMessagesNameTheField() throws {
        try Self.withTempFile(Array("a,b\"c\n\"x\"y\n\"open".utf8)) { path in
            let r = try CSVReader.open(path: path)
            #expect(r.next()?.error?.message == "quote inside unquoted field 2")
            #expect(r.next()?.error?.message == "text after the closing quote of field 1")
            #expect(r.next()?.error?.message.contains("not closed") == true)
            #expect(r.next() == nil)
        }
    }

    @Test func invalidUTF8() throws {
        var bytes = Array("h\nok,é\n".utf8)
        bytes += [UInt8(ascii: "a"), UInt8(ascii: ","), 0xFF, UInt8(ascii: "b"), 0x0A] // invalid byte
        bytes += [UInt8(ascii: "\""), 0xC3, UInt8(ascii: "\""), 0x0A] // truncated sequence inside quotes
        bytes += [0xED, 0xA0, 0x80, 0x0A] // UTF-16 surrogate
        bytes += Array("next,€\n".utf8)
        let recs = try read(bytes)
        #expect(recs.map(\.code) == [nil, nil, "bad_utf8", "bad_utf8", "bad_utf8", nil])
        #expect(recs.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(recs[2].raw == [UInt8(ascii: "a"), UInt8(ascii: ","), 0xFF, UInt8(ascii: "b")])
        #expect(recs[5].fields == ["next", "€"])
    }

    @Test func utf8ValidatorAgreesWithStandardLibrary() {
        var rng = SplitMix64(seed: 7)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF,
            0xF0, 0xF4, 0xF5, 0xFF, 0x90, 0x9F, 0xA0,
        ]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...6, using: &rng)
            let bytes = (0..<n).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            let ours = bytes.withUnsafeBytes { CSVReader.firstInvalidUTF8($0) == nil }
            let std = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == std, "\(bytes)")
        }
    }

    @Test func longLines() throws {
        let max = 16
        let exact = String(repeating: "x", count: max)
        let long = String(repeating: "y", count: 50)
        let recs = try read("h\n\(exact)\r\n\(long)\nafter\n\(long)", maxLineBytes: max, bufferSize: 5)
        #expect(recs.map(\.code) == [nil, nil, "line_too_long", nil, "line_too_long"])
        #expect(recs.map(\.line) == [1, 2, 3, 4, 5])
        #expect(recs[1].fields == [exact])
        #expect(recs[2].raw == Array(long.utf8.prefix(max))) // head kept for the dead letter
        #expect(recs[3].fields == ["after"])
        #expect(recs[4].raw.count == max)
    }

    @Test func tooLongBoundaries() throws {
        // First line of a multi-line record exactly maxLineBytes long: only that line is rejected.
        var recs = try read("\"123456789\nabc\"\nok\n", maxLineBytes: 10)
        #expect(recs.map(\.code) == ["line_too_long", "bad_quoting", nil])
        #expect(recs.map(\.line) == [1, 2, 3])
        #expect(recs[0].raw == Array("\"123456789".utf8))
        // Content of exactly maxLineBytes is fine with LF, CRLF or at end of input; one more is not.
        recs = try read("0123456789\n0123456789\r\n0123456789A\r\n0123456789", maxLineBytes: 10)
        #expect(recs.map(\.code) == [nil, nil, "line_too_long", nil])
        #expect(try read("0123456789A", maxLineBytes: 10).map(\.code) == ["line_too_long"])
        #expect(try read("\"12345678\"", maxLineBytes: 10).map(\.fields) == [["12345678"]])
        #expect(try read("\"12345678\"\r", maxLineBytes: 10).map(\.fields) == [["12345678"]])
        #expect(try read("\"123456789\"", maxLineBytes: 10).map(\.code) == ["line_too_long"])
    }

    @Test func carriageReturns() throws {
        // A CR not followed by LF is data in an unquoted field, but text after a closing quote.
        let recs = try read("a\rb,c\r\n\"q\"\rx,y\n\"q\"\r\n\r\nz\r")
        #expect(recs.map(\.code) == [nil, "bad_quoting", nil, nil])
        #expect(recs.map(\.fields) == [["a\rb", "c"], [], ["q"], ["z"]])
        #expect(recs.map(\.line) == [1, 2, 3, 5])
    }

    @Test func tooLongQuotedRecordOnlyCostsItsFirstLine() throws {
        let recs = try read("h\n\"open,a\nb,c\nd,e\nf,g\n", maxLineBytes: 10, bufferSize: 3)
        #expect(recs.map(\.code) == [nil, "line_too_long", nil, nil, nil])
        #expect(recs.map(\.line) == [1, 2, 3, 4, 5])
        #expect(recs[1].raw == Array("\"open,a".utf8))
        #expect(rows(Array(recs[2...])) == [["b", "c"], ["d", "e"], ["f", "g"]])
    }

    // MARK: Header

    private func header(_ line: String, required: [String], optional: [String] = []) throws -> CSVHeader {
        try Self.withTempFile(Array(line.utf8)) { path in
            let reader = try CSVReader.open(path: path)
            return try CSVHeader(record: reader.next()!, required: required, optional: optional)
        }
    }

    @Test func headerMatchesInAnyOrderAndCase() throws {
        let h = try header(
            " Amount ,TYPE,extra,\ttimestamp\t,Payment_Method\n",
            required: ["timestamp", "type", "amount", "payment_method"], optional: ["status", "ID"])
        #expect(h.index(of: "timestamp") == 3)
        #expect(h.index(of: "AMOUNT") == 0)
        #expect(h.index(of: "type") == 1)
        #expect(h.index(of: "payment_method") == 4)
        #expect(h.index(of: "status") == nil)
        #expect(h.index(of: "extra") == 2) // unknown columns are ignored, not refused
        #expect(h.columns == ["Amount", "TYPE", "extra", "timestamp", "Payment_Method"])
        #expect(h.count == 5)
    }

    @Test func headerMissingColumnsAreNamed() throws {
        do {
            _ = try header("time,amount\n", required: ["timestamp", "amount", "type"])
            Issue.record("expected an error")
        } catch let error as CSVError {
            #expect(error.missingColumns == ["timestamp", "type"])
            #expect(error.description == "header is missing required columns timestamp, type (columns found: time, amount)")
        }
        #expect(throws: CSVError.self) { try header("amount,AMOUNT\n", required: ["amount"]) }
        #expect(throws: CSVError.self) { try header("a\"b\n", required: ["a"]) }
    }

    // MARK: Opening and streams

    @Test func openReportsPathAndSize() throws {
        do {
            _ = try CSVReader.open(path: "/nonexistent/dir/tx.csv")
            Issue.record("expected an error")
        } catch let error as CSVError {
            #expect(error.description.contains("\"/nonexistent/dir/tx.csv\""))
            #expect(error.description.contains("No such file"))
        }
        #expect(throws: CSVError.self) { try CSVReader.open(path: FileManager.default.temporaryDirectory.path) }
        let bytes = Array("a,b\n1,2\n".utf8)
        try Self.withTempFile(bytes) { path in
            let reader = try CSVReader.open(path: path)
            #expect(reader.fileSize == bytes.count)
            #expect(Self.readAll(reader).count == 2)
            #expect(reader.bytesRead == bytes.count)
        }
        // "-" is standard input, which the reader must not close.
        let stdinFlags = fcntl(STDIN_FILENO, F_GETFD)
        do { _ = try CSVReader.open(path: "-") }
        #expect(fcntl(STDIN_FILENO, F_GETFD) == stdinFlags)
    }

    @Test func readsFromAPipeWithShortWrites() throws {
        var rng = SplitMix64(seed: 99)
        let (bytes, expected) = Self.generate(records: 3_000, maxLineBytes: 120, rng: &rng)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writeEnd = fds[1]
        let writer = Thread {
            var offset = 0
            var chunk = 1
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + offset, min(chunk, bytes.count - offset)) }
                if n < 0 { break }
                offset += n
                chunk = chunk * 7 % 5_000 + 1 // odd sizes so records straddle reads
            }
            close(writeEnd)
        }
        writer.start()
        let reader = CSVReader(fileDescriptor: fds[0], maxLineBytes: 120, bufferSize: 100)
        #expect(reader.fileSize == nil)
        let got = Self.readAll(reader)
        close(fds[0])
        #expect(reader.bytesRead == bytes.count)
        #expect(got.count == expected.count)
        #expect(got == expected)
    }

    // MARK: Buffer boundaries

    /// A file far larger than the buffer, mixing every kind of record, read with many buffer
    /// sizes: every size must give exactly the records the generator wrote.
    @Test(arguments: [1, 2, 3, 7, 63, 64, 65, 200, 4096, 1 << 20])
    func bufferBoundaries(bufferSize: Int) throws {
        var rng = SplitMix64(seed: 2024)
        let (bytes, expected) = Self.generate(records: bufferSize < 8 ? 400 : 2_500, maxLineBytes: 100, rng: &rng)
        #expect(bytes.count > 64 * 100)
        let got = try read(bytes, maxLineBytes: 100, bufferSize: bufferSize)
        #expect(got.count == expected.count)
        for (g, e) in zip(got, expected) where g != e {
            Issue.record("got \(g)\nexpected \(e)")
            break
        }
    }

    /// Valid CSV only, checked against an independent naive splitter.
    @Test func matchesReferenceSplitter() throws {
        var rng = SplitMix64(seed: 31337)
        let (bytes, _) = Self.generate(records: 3_000, maxLineBytes: 200, rng: &rng, validOnly: true)
        let got = try read(bytes, maxLineBytes: 200, bufferSize: 64)
        let reference = Self.referenceSplit(bytes)
        #expect(got.count == reference.count)
        #expect(got.map(\.line) == reference.map(\.line))
        #expect(got.map(\.fields) == reference.map(\.fields))
    }

    // MARK: Generator and reference

    /// Writes a random CSV and the records a correct reader must return for it.
    static func generate(
        records: Int, maxLineBytes: Int, rng: inout SplitMix64,
        validOnly: Bool = false
    ) -> ([UInt8], [Rec]) {
        let pieces = ["a", "b", "Z", "0", "9", " ", "\t", ",", "\"", "\n", "\r\n", "\r", "é", "€", "𝄞", "x,y", "\"\""]
        var out: [UInt8] = Bool.random(using: &rng) ? [0xEF, 0xBB, 0xBF] : []
        var expected: [Rec] = []
        var line = 1
        for k in 0..<records {
            let terminator: [UInt8] = Bool.random(using: &rng) ? [0x0A] : [0x0D, 0x0A]
            let isLast = k == records - 1
            var content: [UInt8]
            var rec: Rec?
            let kind = validOnly ? 99 : Int.random(in: 0..<100, using: &rng)
            switch kind {
            case 0..<5: // blank line
                content = []
            case 5..<8:
                content = Array("ab,c\"d,e".utf8)
                rec = Rec(line: line, fields: [], raw: content, code: "bad_quoting")
            case 8..<10:
                content = Array("x,\"ab\"c,d".utf8)
                rec = Rec(line: line, fields: [], raw: content, code: "bad_quoting")
            case 10..<12:
                content = Array("ab,".utf8) + [0xFF, 0x80] + Array("cd,e".utf8)
                rec = Rec(line: line, fields: [], raw: content, code: "bad_utf8")
            case 12..<14:
                let n = maxLineBytes + Int.random(in: 1...300, using: &rng)
                content = (0..<n).map { _ in Int.random(in: 0..<5, using: &rng) == 0 ? UInt8(ascii: ",") : UInt8(ascii: "k") }
                rec = Rec(line: line, fields: [], raw: Array(content.prefix(maxLineBytes)), code: "line_too_long")
            case 14..<16:
                content = (0..<maxLineBytes).map { _ in Int.random(in: 0..<5, using: &rng) == 0 ? UInt8(ascii: ",") : UInt8(ascii: "k") }
                let fields = String(decoding: content, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(
                    String.init)
                rec = Rec(line: line, fields: fields, raw: content)
            default:
                var fields: [String]
                repeat {
                    fields = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
                        (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                    }
                    content = serialize(fields, rng: &rng)
                } while content.count > maxLineBytes
                rec = Rec(line: line, fields: fields, raw: content)
            }
            out += content
            if !(isLast && rec != nil && Bool.random(using: &rng)) { out += terminator }
            if let rec { expected.append(rec) }
            line += content.filter { $0 == 0x0A }.count + 1
        }
        return (out, expected)
    }

    static func serialize(_ fields: [String], rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let mustQuote =
                f.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
                || (fields.count == 1 && f.isEmpty)
            if mustQuote || Int.random(in: 0..<5, using: &rng) == 0 {
                out.append(UInt8(ascii: "\""))
                for b in f.utf8 {
                    out.append(b)
                    if b == UInt8(ascii: "\"") { out.append(b) }
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out += Array(f.utf8)
            }
        }
        return out
    }

    /// Deliberately simple whole-input RFC 4180 splitter for valid files.
    static func referenceSplit(_ input: [UInt8]) -> [(line: Int, fields: [String])] {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var result: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var recordHasContent = false
        let a = Array(bytes)
        var i = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        func endRecord() {
            if recordHasContent {
                endField()
                result.append((recordLine, fields))
            }
            fields = []
            field = []
            recordHasContent = false
        }
        while i < a.count {
            let c = a[i]
            if !recordHasContent { recordLine = line }
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < a.count && a[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 0x22:
                inQuotes = true
                recordHasContent = true
            case 0x2C:
                endField()
                recordHasContent = true
            case 0x0D where i + 1 < a.count && a[i + 1] == 0x0A: break
            case 0x0D where i + 1 == a.count: break
            case 0x0A:
                endRecord()
                line += 1
            default:
                field.append(c)
                recordHasContent = true
            }
            i += 1
        }
        endRecord()
        return result
    }
}
