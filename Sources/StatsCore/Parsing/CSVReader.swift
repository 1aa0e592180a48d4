#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streaming RFC 4180 reader over a file descriptor, in constant memory.
///
/// - Fields are separated by `,`; records end with LF or CRLF (the last one may lack it).
/// - A field starting with `"` is quoted: it may contain `,`, CR, LF and `""` (one quote).
/// - Empty lines are skipped; a UTF-8 byte order mark at the start is skipped.
/// - Malformed records are returned with `error` set and reading continues at the next line:
///   `line_too_long` (over `maxLineBytes` bytes), `bad_utf8`, `bad_quoting` (a quote inside an
///   unquoted field, text after a closing quote, or a quoted field still open at end of input).
/// - A record that is too long or an unclosed quote at end of input while the record spans
///   several lines only costs its first line: the reader resumes on the line after it, so a
///   stray opening quote cannot swallow the rows that follow.
///
/// Memory: one buffer of `bufferSize + maxLineBytes` bytes, one of `maxLineBytes` for unescaped
/// quoted fields, and one slot per field. Not thread-safe: one owner reads it.
public final class CSVReader {
    public let maxLineBytes: Int
    public let bufferSize: Int
    /// Size of the input when it is a regular file (for progress); nil for pipes and terminals.
    public let fileSize: Int?
    /// Bytes consumed from the descriptor so far.
    public private(set) var bytesRead: Int = 0
    /// Set when `read()` failed; `next()` then behaves as at end of input. Check it after nil.
    public private(set) var ioError: String?

    private let fd: Int32
    private let ownsDescriptor: Bool
    // Input buffer: [start, end) holds unconsumed bytes; a record is always parsed in one piece.
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    private var checkedBOM = false
    /// Physical line number of `start`.
    private var line = 1
    // Side buffer: unescaped quoted fields, or the kept head of a too-long line.
    private let side: UnsafeMutablePointer<UInt8>
    private let sideCapacity: Int
    private var fieldSlots: UnsafeMutablePointer<UnsafeRawBufferPointer>
    private var fieldCapacity: Int

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")

    /// Reads from an open descriptor, which the reader does not close.
    /// `bufferSize` is the most requested from one `read()`.
    public convenience init(fileDescriptor: Int32, maxLineBytes: Int = 64 * 1024, bufferSize: Int = 1 << 20) {
        self.init(fileDescriptor: fileDescriptor, owns: false, maxLineBytes: maxLineBytes, bufferSize: bufferSize)
    }

    private init(fileDescriptor: Int32, owns: Bool, maxLineBytes: Int, bufferSize: Int) {
        precondition(maxLineBytes > 0 && bufferSize > 0, "CSVReader sizes must be positive")
        self.fd = fileDescriptor
        self.ownsDescriptor = owns
        self.maxLineBytes = maxLineBytes
        self.bufferSize = bufferSize
        // Room for a whole record of maxLineBytes plus CRLF, so one always fits after compaction,
        // plus a full read.
        self.capacity = bufferSize + maxLineBytes + 2
        self.buffer = .allocate(capacity: capacity)
        self.sideCapacity = maxLineBytes + 2
        self.side = .allocate(capacity: sideCapacity)
        self.fieldCapacity = 32
        self.fieldSlots = .allocate(capacity: fieldCapacity)
        var info = stat()
        if fstat(fileDescriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
            self.fileSize = Int(info.st_size)
        } else {
            self.fileSize = nil
        }
    }

    deinit {
        buffer.deallocate()
        side.deallocate()
        fieldSlots.deallocate()
        if ownsDescriptor { _ = close(fd) }
    }

    /// Opens `path` for reading; `-` means standard input.
    public static func open(path: String, maxLineBytes: Int = 64 * 1024, bufferSize: Int = 1 << 20) throws -> CSVReader {
        if path == "-" {
            return CSVReader(fileDescriptor: STDIN_FILENO, owns: false, maxLineBytes: maxLineBytes, bufferSize: bufferSize)
        }
        var fd: Int32
        repeat { fd = openReadOnly(path) } while fd < 0 && errno == EINTR
        if fd < 0 {
            throw CSVError("cannot open input file \"\(path)\": \(errorText(errno))")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            _ = close(fd)
            throw CSVError("cannot read input file \"\(path)\": it is a directory")
        }
        return CSVReader(fileDescriptor: fd, owns: true, maxLineBytes: maxLineBytes, bufferSize: bufferSize)
    }

    /// The next record, or nil at end of input (or after a read error, see `ioError`).
    public func next() -> CSVRecord? {
        if !checkedBOM { skipBOM() }
        while true {
            if start == end {
                if eof { return nil }
                refill()
                continue
            }
            // Blank lines are not records.
            let first = buffer[start]
            if first == Self.lf {
                start += 1
                line += 1
                continue
            }
            if first == Self.cr {
                if start + 1 == end {
                    if !eof {
                        refill()
                        continue
                    }
                    start += 1 // lone CR at end of input
                    continue
                }
                if buffer[start + 1] == Self.lf {
                    start += 2
                    line += 1
                    continue
                }
            }

            switch scan() {
            case .incomplete:
                // The record cannot end before more than maxLineBytes of content.
                if end - start >= maxLineBytes + 2 { return tooLong() }
                refill()
            case .complete(let contentEnd, let next, let lineFeeds, let fieldCount, let nonASCII, let problem):
                if contentEnd - start > maxLineBytes { return tooLong() }
                let recordLine = line
                if case .unclosedQuote(let field) = problem {
                    return unclosedQuote(field: field, contentEnd: contentEnd, next: next, lineFeeds: lineFeeds)
                }
                let raw = UnsafeRawBufferPointer(start: buffer + start, count: contentEnd - start)
                start = next
                line += lineFeeds
                if let problem {
                    return CSVRecord(line: recordLine, raw: raw, error: problem.reason, fieldCount: 0, fields: nil)
                }
                if nonASCII, let bad = Self.firstInvalidUTF8(raw) {
                    let byte = String(raw[bad], radix: 16, uppercase: true)
                    let reason = RejectReason.badUTF8("invalid UTF-8 at byte \(bad + 1) of the record (0x\(byte))")
                    return CSVRecord(line: recordLine, raw: raw, error: reason, fieldCount: 0, fields: nil)
                }
                return CSVRecord(
                    line: recordLine, raw: raw, error: nil, fieldCount: fieldCount,
                    fields: UnsafePointer(fieldSlots))
            }
        }
    }

    // MARK: - Scanning

    private enum Problem {
        case strayQuote(field: Int)
        case textAfterQuote(field: Int)
        case unclosedQuote(field: Int)

        var reason: RejectReason {
            switch self {
            case .strayQuote(let f): .badQuoting("quote inside unquoted field \(f)")
            case .textAfterQuote(let f): .badQuoting("text after the closing quote of field \(f)")
            case .unclosedQuote(let f): .badQuoting("quoted field \(f) is not closed before the end of the input")
            }
        }
    }

    private enum Scan {
        /// No record end before `end`, and more input may follow.
        case incomplete
        /// `contentEnd`: end of the record without terminator; `next`: start of what follows;
        /// `lineFeeds`: LFs consumed (embedded and terminator).
        case complete(contentEnd: Int, next: Int, lineFeeds: Int, fieldCount: Int, nonASCII: Bool, problem: Problem?)
    }

    /// Parses the record at `start` from scratch. If it is cut off by the end of the buffer the
    /// caller reads more and calls again: re-parsing one partial record per refill costs less
    /// than carrying parser state across refills.
    private func scan() -> Scan {
        let base = buffer
        let end = self.end
        let eof = self.eof
        let lf = Self.lf
        let cr = Self.cr
        let quote = Self.quote
        let comma = Self.comma
        var p = start
        var lineFeeds = 0
        var bits: UInt8 = 0
        var sideUsed = 0
        var slots = fieldSlots
        var slotCapacity = fieldCapacity
        var count = 0
        defer {
            fieldSlots = slots
            fieldCapacity = slotCapacity
        }

        @inline(__always) func add(_ from: UnsafeRawPointer, _ length: Int) {
            if count == slotCapacity {
                let grown = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: slotCapacity * 2)
                grown.moveInitialize(from: slots, count: count)
                slots.deallocate()
                slots = grown
                slotCapacity *= 2
            }
            slots[count] = UnsafeRawBufferPointer(start: from, count: length)
            count += 1
        }
        // Appends to the side buffer; past its capacity the record is too long anyway and will be
        // rejected before its fields are looked at, so the copy is just skipped.
        @inline(__always) func copyToSide(_ from: Int, _ length: Int) {
            if sideUsed + length <= sideCapacity {
                (side + sideUsed).update(from: base + from, count: length)
            }
            sideUsed += length
        }
        // After a quoting error the record extends to the end of the physical line.
        func resync(_ problem: Problem) -> Scan {
            let rest = end - p
            guard rest > 0, let hit = memchr(base + p, Int32(lf), rest) else {
                if !eof { return .incomplete }
                var contentEnd = end
                if contentEnd > start && base[contentEnd - 1] == cr { contentEnd -= 1 }
                return .complete(
                    contentEnd: contentEnd, next: end, lineFeeds: lineFeeds,
                    fieldCount: 0, nonASCII: false, problem: problem)
            }
            let at = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            let contentEnd = at > start && base[at - 1] == cr ? at - 1 : at
            return .complete(
                contentEnd: contentEnd, next: at + 1, lineFeeds: lineFeeds + 1,
                fieldCount: 0, nonASCII: false, problem: problem)
        }

        while true { // one iteration per field
            if p == end {
                // Only reachable after a comma: the record ends with an empty field.
                if !eof { return .incomplete }
                add(base + p, 0)
                return .complete(
                    contentEnd: p, next: p, lineFeeds: lineFeeds, fieldCount: count,
                    nonASCII: bits >= 0x80, problem: nil)
            }
            if base[p] == quote {
                p += 1
                var segment = p
                var sideStart = -1 // >= 0 once the field contained "" and moved to the side buffer
                while true {
                    if p == end {
                        if !eof { return .incomplete }
                        return .complete(
                            contentEnd: p, next: p, lineFeeds: lineFeeds, fieldCount: 0,
                            nonASCII: false, problem: .unclosedQuote(field: count + 1))
                    }
                    let b = base[p]
                    if b == quote {
                        if p + 1 == end && !eof { return .incomplete }
                        if p + 1 < end && base[p + 1] == quote {
                            if sideStart < 0 { sideStart = sideUsed }
                            copyToSide(segment, p + 1 - segment) // keeps one of the two quotes
                            p += 2
                            segment = p
                            continue
                        }
                        if sideStart < 0 {
                            add(base + segment, p - segment)
                        } else {
                            copyToSide(segment, p - segment)
                            add(side + sideStart, sideUsed - sideStart)
                        }
                        p += 1
                        if p == end {
                            if !eof { return .incomplete }
                            return .complete(
                                contentEnd: p, next: p, lineFeeds: lineFeeds, fieldCount: count,
                                nonASCII: bits >= 0x80, problem: nil)
                        }
                        let c = base[p]
                        if c == comma {
                            p += 1
                            break
                        }
                        if c == lf {
                            return .complete(
                                contentEnd: p, next: p + 1, lineFeeds: lineFeeds + 1,
                                fieldCount: count, nonASCII: bits >= 0x80, problem: nil)
                        }
                        if c == cr {
                            if p + 1 == end {
                                if !eof { return .incomplete }
                                return .complete(
                                    contentEnd: p, next: end, lineFeeds: lineFeeds,
                                    fieldCount: count, nonASCII: bits >= 0x80, problem: nil)
                            }
                            if base[p + 1] == lf {
                                return .complete(
                                    contentEnd: p, next: p + 2, lineFeeds: lineFeeds + 1,
                                    fieldCount: count, nonASCII: bits >= 0x80, problem: nil)
                            }
                        }
                        return resync(.textAfterQuote(field: count))
                    }
                    if b == lf { lineFeeds += 1 }
                    bits |= b
                    p += 1
                }
            } else {
                let fieldStart = p
                while true {
                    if p == end {
                        if !eof { return .incomplete }
                        let fieldEnd = p > fieldStart && base[p - 1] == cr ? p - 1 : p
                        add(base + fieldStart, fieldEnd - fieldStart)
                        return .complete(
                            contentEnd: fieldEnd, next: p, lineFeeds: lineFeeds, fieldCount: count,
                            nonASCII: bits >= 0x80, problem: nil)
                    }
                    let b = base[p]
                    if b == comma {
                        add(base + fieldStart, p - fieldStart)
                        p += 1
                        break
                    }
                    if b == lf {
                        let fieldEnd = p > fieldStart && base[p - 1] == cr ? p - 1 : p
                        add(base + fieldStart, fieldEnd - fieldStart)
                        return .complete(
                            contentEnd: fieldEnd, next: p + 1, lineFeeds: lineFeeds + 1,
                            fieldCount: count, nonASCII: bits >= 0x80, problem: nil)
                    }
                    if b == quote { return resync(.strayQuote(field: count + 1)) }
                    bits |= b
                    p += 1
                }
            }
        }
    }

    // MARK: - Recovery

    /// The record at `start` has more than `maxLineBytes` bytes of content.
    private func tooLong() -> CSVRecord {
        let recordLine = line
        // A line break within the limit means a quoted field ran across lines (often a quote that
        // is never closed): reject just the first line and resume on the next one.
        if let hit = memchr(buffer + start, Int32(Self.lf), maxLineBytes + 1) {
            let at = hit.assumingMemoryBound(to: UInt8.self) - buffer
            let contentEnd = at > start && buffer[at - 1] == Self.cr ? at - 1 : at
            let raw = UnsafeRawBufferPointer(start: buffer + start, count: contentEnd - start)
            start = at + 1
            line += 1
            let reason = RejectReason.lineTooLong(
                "record starting on line \(recordLine) spans lines and exceeds \(maxLineBytes) bytes (unclosed quote?)")
            return CSVRecord(line: recordLine, raw: raw, error: reason, fieldCount: 0, fields: nil)
        }
        // One physical line too long: keep its head for the dead letter, drop the rest of it.
        side.update(from: buffer + start, count: maxLineBytes)
        start += maxLineBytes + 1
        skipToNextLine()
        let reason = RejectReason.lineTooLong("line \(recordLine) is longer than \(maxLineBytes) bytes")
        return CSVRecord(
            line: recordLine, raw: UnsafeRawBufferPointer(start: side, count: maxLineBytes),
            error: reason, fieldCount: 0, fields: nil)
    }

    /// End of input inside a quoted field. As for `tooLong`, only the first line is rejected.
    private func unclosedQuote(field: Int, contentEnd: Int, next: Int, lineFeeds: Int) -> CSVRecord {
        let recordLine = line
        let reason = Problem.unclosedQuote(field: field).reason
        if let hit = memchr(buffer + start, Int32(Self.lf), contentEnd - start) {
            let at = hit.assumingMemoryBound(to: UInt8.self) - buffer
            let lineEnd = at > start && buffer[at - 1] == Self.cr ? at - 1 : at
            let raw = UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start)
            start = at + 1
            line += 1
            return CSVRecord(line: recordLine, raw: raw, error: reason, fieldCount: 0, fields: nil)
        }
        let raw = UnsafeRawBufferPointer(start: buffer + start, count: contentEnd - start)
        start = next
        line += lineFeeds
        return CSVRecord(line: recordLine, raw: raw, error: reason, fieldCount: 0, fields: nil)
    }

    private func skipToNextLine() {
        while true {
            if start < end, let hit = memchr(buffer + start, Int32(Self.lf), end - start) {
                start = hit.assumingMemoryBound(to: UInt8.self) - buffer + 1
                line += 1
                return
            }
            start = end
            if eof { return }
            refill()
        }
    }

    // MARK: - Input

    private func skipBOM() {
        checkedBOM = true
        while end - start < 3 && !eof { refill() }
        if end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
            start += 3
        }
    }

    /// Moves the unconsumed tail to the front and reads once more; sets `eof` on end or error.
    private func refill() {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            start = 0
            end = pending
        }
        let room = min(bufferSize, capacity - end)
        precondition(room > 0, "CSVReader buffer full")
        while true {
            let n = read(fd, buffer + end, room)
            if n > 0 {
                end += n
                bytesRead += n
                return
            }
            if n == 0 {
                eof = true
                return
            }
            let code = errno
            if code == EINTR { continue }
            ioError = "read failed: \(errorText(code))"
            eof = true
            return
        }
    }

    /// Offset of the first byte that is not part of well-formed UTF-8, or nil if all is valid.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            if b < 0xC2 {
                return i // stray continuation byte or overlong 2-byte form
            } else if b < 0xE0 {
                guard cont(1) else { return i }
                i += 2
            } else if b < 0xF0 {
                guard cont(1), cont(2) else { return i }
                let b1 = bytes[i + 1]
                if (b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 >= 0xA0) { return i } // overlong, surrogate
                i += 3
            } else if b < 0xF5 {
                guard cont(1), cont(2), cont(3) else { return i }
                let b1 = bytes[i + 1]
                if (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 >= 0x90) { return i } // overlong, > U+10FFFF
                i += 4
            } else {
                return i
            }
        }
        return nil
    }
}

// Top-level so the static `CSVReader.open` does not shadow the C function.
private func openReadOnly(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_CLOEXEC)
}

private func errorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
