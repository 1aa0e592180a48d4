/// One CSV record as a view into the reader's buffers.
///
/// Everything here (fields and `raw`) is only valid until the next call to `CSVReader.next()`;
/// copy out (e.g. with `string(_:)`) whatever must outlive it. A malformed record has `error`
/// set and no fields; its `raw` bytes are still available for dead-lettering.
public struct CSVRecord {
    /// 1-based physical line on which the record starts (the header is line 1).
    public let line: Int
    /// The record's bytes as they appear in the input, without the line terminator. For a record
    /// rejected as too long these are only its first `maxLineBytes` bytes.
    public let raw: UnsafeRawBufferPointer
    /// Why the record is malformed; nil for a good record.
    public let error: RejectReason?
    /// Number of fields (0 when `error` is set).
    public let fieldCount: Int
    @usableFromInline let fields: UnsafePointer<UnsafeRawBufferPointer>?

    init(
        line: Int, raw: UnsafeRawBufferPointer, error: RejectReason?,
        fieldCount: Int, fields: UnsafePointer<UnsafeRawBufferPointer>?
    ) {
        self.line = line
        self.raw = raw
        self.error = error
        self.fieldCount = fieldCount
        self.fields = fields
    }

    /// Field `i`'s bytes, quotes removed and `""` unescaped.
    @inlinable
    public func field(_ i: Int) -> UnsafeRawBufferPointer {
        precondition(i >= 0 && i < fieldCount, "CSV field index \(i) out of range 0..<\(fieldCount)")
        return fields.unsafelyUnwrapped[i]
    }

    /// Field `i` copied into a `String` (already validated as UTF-8 for good records).
    public func string(_ i: Int) -> String {
        String(decoding: field(i), as: UTF8.self)
    }

    /// `raw` as text (invalid UTF-8 replaced with U+FFFD), for dead letters and messages.
    public var rawString: String {
        String(decoding: raw, as: UTF8.self)
    }
}
