/// The one rule for payment-method names, wherever a name comes in: a CSV row, a queue item, or
/// a `method=` / `provider/{id}` query. ASCII spaces and tabs around it are trimmed, it is
/// lower-cased, and it must be 1 to ``maxLength`` bytes without `|` (the cell-field separator)
/// or control characters.
public enum PaymentMethodName {
    public static let maxLength = 64

    /// The normalised name of already-trimmed bytes, or why they are not a valid name.
    public static func normalize(trimmed raw: UnsafeRawBufferPointer) -> Result<String, RejectReason> {
        let text = String(decoding: raw, as: UTF8.self)
        if raw.isEmpty { return .failure(.badMethod("payment_method is empty")) }
        if raw.count > maxLength {
            return .failure(.badMethod("payment_method is longer than \(maxLength) bytes"))
        }
        if raw.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "|") }) {
            return .failure(.badMethod("payment_method \"\(text.escapedForMessage)\" contains a control character or '|'"))
        }
        return .success(text.lowercased())
    }

    /// The normalised name of a text, trimming it first.
    public static func normalize(_ text: some StringProtocol) -> Result<String, RejectReason> {
        var trimmed = text.trimmingASCIISpaces
        return trimmed.withUTF8 { normalize(trimmed: UnsafeRawBufferPointer($0)) }
    }
}
