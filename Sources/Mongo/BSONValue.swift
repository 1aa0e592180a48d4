/// One BSON value, as this package reads and writes it.
///
/// Money and counters are always written as `.int64` (integer minor units); `.double` exists
/// only so that foreign data can be read. BSON types without a case here (binary, timestamp,
/// regex, min/max key, JavaScript, DBPointer) are read as `.null` (see ``BSONConversion``).
///
/// Deliberately not `indirect`: the recursive cases already hold their children through an
/// array's heap buffer, and `indirect` would box every value, nested or not (measured: reading
/// 730 documents of 1,000 int64 fields took twice as long, 730,000 more allocations).
public enum BSONValue: Sendable, Equatable {
    case int64(Int64)
    case int32(Int32)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    /// Milliseconds since the Unix epoch (BSON UTC datetime).
    case date(Int64)
    case document(BSONDocument)
    case array([BSONValue])
    /// 24 lowercase hex digits.
    case objectId(String)
    /// The decimal's string form, e.g. "12.50" (exact; never converted through a double).
    case decimal128(String)

    /// An integer of either width (`.int32` or `.int64`), else nil.
    public var int64: Int64? {
        switch self {
        case .int64(let v): v
        case .int32(let v): Int64(v)
        default: nil
        }
    }

    public var double: Double? {
        if case .double(let v) = self { return v }
        return nil
    }

    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    /// Milliseconds since the Unix epoch.
    public var date: Int64? {
        if case .date(let v) = self { return v }
        return nil
    }

    public var document: BSONDocument? {
        if case .document(let v) = self { return v }
        return nil
    }

    public var array: [BSONValue]? {
        if case .array(let v) = self { return v }
        return nil
    }

    public var objectId: String? {
        if case .objectId(let v) = self { return v }
        return nil
    }

    public var decimal128: String? {
        if case .decimal128(let v) = self { return v }
        return nil
    }

    public var isNull: Bool { self == .null }
}

// Literals for the common cases: integers become `.int64`, never `.int32` or `.double`.
extension BSONValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSONValue)...) { self = .document(BSONDocument(pairs: elements)) }
}
