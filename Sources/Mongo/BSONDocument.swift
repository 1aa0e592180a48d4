/// A BSON document: an ordered list of (key, value) pairs, as on the wire.
///
/// Lookup by key is a linear scan (documents keep their order and may even repeat a key, like
/// BSON itself); to read every field of a large document, iterate over it instead.
public struct BSONDocument: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: BSONValue)

    public private(set) var pairs: [Element]

    public init() { pairs = [] }

    public init(_ pairs: KeyValuePairs<String, BSONValue>) {
        self.pairs = pairs.map { (key: $0.key, value: $0.value) }
    }

    public init(pairs: [(String, BSONValue)]) {
        self.pairs = pairs.map { (key: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self.init(pairs: elements)
    }

    /// Reserved for the converter, which knows the field count up front.
    init(reservingCapacity n: Int) {
        pairs = []
        pairs.reserveCapacity(n)
    }

    public var keys: [String] { pairs.map(\.key) }
    public var values: [BSONValue] { pairs.map(\.value) }
    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }

    /// The first value stored under `key`. Setting replaces the first such pair (or appends a
    /// new one); setting nil removes every pair with that key.
    public subscript(key: String) -> BSONValue? {
        get {
            for pair in pairs where pair.key == key { return pair.value }
            return nil
        }
        set {
            if let newValue {
                if let i = pairs.firstIndex(where: { $0.key == key }) {
                    pairs[i].value = newValue
                } else {
                    pairs.append((key: key, value: newValue))
                }
            } else {
                pairs.removeAll { $0.key == key }
            }
        }
    }

    /// Appends a pair, even if the key is already present.
    public mutating func append(_ key: String, _ value: BSONValue) {
        pairs.append((key: key, value: value))
    }

    public mutating func reserveCapacity(_ n: Int) { pairs.reserveCapacity(n) }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    public static func == (lhs: BSONDocument, rhs: BSONDocument) -> Bool {
        guard lhs.pairs.count == rhs.pairs.count else { return false }
        for (l, r) in zip(lhs.pairs, rhs.pairs) where l.key != r.key || l.value != r.value { return false }
        return true
    }
}
