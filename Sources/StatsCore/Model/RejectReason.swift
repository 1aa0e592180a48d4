/// Why a CSV row or a queue item was refused. `code` is stable (used in metrics, summaries and the
/// dead-letter list); `message` explains it to a person.
public struct RejectReason: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func badAmount(_ m: String) -> Self { .init("bad_amount", m) }
    public static func badTimestamp(_ m: String) -> Self { .init("bad_timestamp", m) }
    public static func badType(_ m: String) -> Self { .init("bad_type", m) }
    public static func badStatus(_ m: String) -> Self { .init("bad_status", m) }
    public static func badMethod(_ m: String) -> Self { .init("bad_payment_method", m) }
    public static func badSleep(_ m: String) -> Self { .init("bad_sleep_ms", m) }
    public static func columnCount(_ m: String) -> Self { .init("column_count", m) }
    public static func badUTF8(_ m: String) -> Self { .init("bad_utf8", m) }
    public static func lineTooLong(_ m: String) -> Self { .init("line_too_long", m) }
    public static func badQuoting(_ m: String) -> Self { .init("bad_quoting", m) }
    public static func badItem(_ m: String) -> Self { .init("bad_item", m) }
    public static func scaleMismatch(_ m: String) -> Self { .init("scale_mismatch", m) }
    public static func badCurrency(_ m: String) -> Self { .init("bad_currency", m) }
    public static func badId(_ m: String) -> Self { .init("bad_id", m) }
    /// Two events for one id disagree on what cannot change (type, method, currency, timestamp).
    public static func conflictingUpdate(_ m: String) -> Self { .init("conflicting_update", m) }
}
