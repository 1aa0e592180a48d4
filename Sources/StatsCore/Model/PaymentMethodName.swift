/// The one rule for payment-method names, wherever a name comes in: a CSV row, a queue item, or
/// a `method=` / `provider/{id}` query:
///
/// - the bytes must be well-formed UTF-8 (`bad_utf8` otherwise);
/// - Unicode White_Space is trimmed from both ends (space, tab, no-break space, the U+2000
///   spaces, ideographic space …), except line breaks and other control characters;
/// - what remains must be 1 to ``maxLength`` bytes with no scalar of general category Control
///   (C0, DEL, C1: a line break is refused, not trimmed) and no `|` (the cell-field separator);
/// - it is lower-cased (Unicode default case mapping).
public enum PaymentMethodName {
    public static let maxLength = 64

    /// The normalised name of raw bytes (the caller may have trimmed ASCII spaces and tabs
    /// already), or why they are not a valid name.
    public static func normalize(trimmed raw: UnsafeRawBufferPointer) -> Result<String, RejectReason> {
        guard let text = String(validating: raw, as: UTF8.self) else {
            let shown = String(decoding: raw.prefix(80), as: UTF8.self).escapedForMessage
            return .failure(.badUTF8("payment_method \"\(shown)\" is not valid UTF-8"))
        }
        let scalars = text.unicodeScalars
        var lo = scalars.startIndex
        var hi = scalars.endIndex
        while lo < hi, isTrimmed(scalars[lo]) { lo = scalars.index(after: lo) }
        while hi > lo, isTrimmed(scalars[scalars.index(before: hi)]) { hi = scalars.index(before: hi) }
        let name = Substring(scalars[lo..<hi])
        if name.isEmpty { return .failure(.badMethod("payment_method is empty")) }
        if name.utf8.count > maxLength {
            return .failure(.badMethod("payment_method is longer than \(maxLength) bytes"))
        }
        for scalar in name.unicodeScalars where scalar == "|" || scalar.properties.generalCategory == .control {
            let what = scalar == "|" ? "'|'" : "the control character U+\(hex(scalar.value))"
            return .failure(.badMethod("payment_method \"\(String(name).escapedForMessage)\" contains \(what)"))
        }
        return .success(name.lowercased())
    }

    /// The normalised name of a text, trimming it first.
    public static func normalize(_ text: some StringProtocol) -> Result<String, RejectReason> {
        var trimmed = text.trimmingASCIISpaces
        return trimmed.withUTF8 { normalize(trimmed: UnsafeRawBufferPointer($0)) }
    }

    /// White_Space that is trimmed: all of it but the control characters among it (LF, VT, FF,
    /// CR, NEL), tab excepted, so that a broken line is refused rather than silently cut.
    private static func isTrimmed(_ s: Unicode.Scalar) -> Bool {
        if s == " " || s == "\t" { return true }
        if s.isASCII { return false }
        return s.properties.isWhitespace && s.properties.generalCategory != .control
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
