/// A transaction's latest state as the ledger keeps it: one field of ``KeyLayout/ledger(shard:)``,
/// named by the transaction id, whose value is
///
///     <timestamp-epoch-s>:<d|w>:<CUR>:<payment-method>|<s|f|p>|<amount-minor>|<updated>
///
/// The part before the first `|` cannot change for an id (an event that disagrees is a
/// `conflicting_update`); the rest is the state. `updated` is `updated_at` as 15 lower-case
/// hex digits of microseconds since 0001-01-01T00:00:00Z, so that the commit script compares
/// two of them as strings; it is empty when the event had no `updated_at`.
public struct LedgerEntry: Sendable, Equatable {
    public var epochSeconds: Int64
    public var type: TransactionType
    public var currency: Currency
    public var method: String
    public var status: TransactionStatus
    public var amountMinor: Int64
    public var updatedMicros: Int64?

    public init(
        epochSeconds: Int64, type: TransactionType, currency: Currency, method: String, status: TransactionStatus, amountMinor: Int64,
        updatedMicros: Int64?
    ) {
        self.epochSeconds = epochSeconds
        self.type = type
        self.currency = currency
        self.method = method
        self.status = status
        self.amountMinor = amountMinor
        self.updatedMicros = updatedMicros
    }

    /// Number of ledger shards (``KeyLayout/ledger(shard:)``). Part of the key layout: changing it
    /// would send ids to shards that do not hold their state.
    public static let shards = 16

    /// The shard an id's state lives in: FNV-1a of its UTF-8, mixed (FNV's high bits barely move
    /// for ids that differ only at the end), its top 4 bits: 0..<``shards``.
    public static func shard(of id: String) -> Int {
        var h = FNV1a64()
        var text = id
        text.withUTF8 { h.combine(UnsafeRawBufferPointer($0)) }
        return Int(truncatingIfNeeded: (h.value &* 0x9E37_79B9_7F4A_7C15) >> 60) & (shards - 1)
    }

    /// Microseconds from 0001-01-01 to 1970-01-01: keeps every accepted year non-negative.
    static let updatedOffset: Int64 = 62_135_596_800 * 1_000_000

    /// `updated` as stored: fixed-width hex, or "" for none.
    public var updatedKey: String {
        guard let u = updatedMicros else { return "" }
        let hex = String(u + Self.updatedOffset, radix: 16)
        return String(repeating: "0", count: max(0, 15 - hex.count)) + hex
    }

    public var immutablePart: String {
        "\(epochSeconds):\(Character(Unicode.Scalar(type.code))):\(currency.code):\(method)"
    }

    public var value: String {
        "\(immutablePart)|\(Character(Unicode.Scalar(status.code)))|\(amountMinor)|\(updatedKey)"
    }

    /// Reads a stored value: exactly what ``value`` writes, nil for anything else (an entry
    /// that is not one is a conflict, never a guess).
    public init?(value: String) {
        let prefix = Self.immutablePrefix(of: value)
        let parts = prefix.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard let state = Self.state(of: value), parts.count == 4, let epoch = Int64(parts[0]), let t = parts[1].utf8.first,
            parts[1].utf8.count == 1, let type = TransactionType(code: t), let currency = Currency(code: parts[2])
        else { return nil }
        self.init(
            epochSeconds: epoch, type: type, currency: currency, method: String(parts[3]), status: state.status,
            amountMinor: state.amountMinor, updatedMicros: state.updatedMicros)
    }

    /// A stored value's part before its first `|` (the whole text if it has none): what an event's
    /// ``immutablePart`` must equal.
    public static func immutablePrefix(of value: String) -> Substring {
        value.firstIndex(of: "|").map { value[..<$0] } ?? Substring(value)
    }

    /// The state of a stored value, `<s|f|p>|<amount>|<updated>` after its first `|`, without
    /// reading the immutable part (the ledger's decisions compare that as text): exactly what
    /// ``value`` writes, nil for anything else.
    public static func state(of value: String) -> (status: TransactionStatus, amountMinor: Int64, updatedMicros: Int64?)? {
        let u = value.utf8
        guard let bar = u.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        // No field before the state may hold a `|` (payment methods cannot): three parts after it.
        let parts = u[u.index(after: bar)...].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, let status = TransactionStatus(code: parts[0].first!),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let amount = Int64(String(decoding: parts[1], as: UTF8.self)),
            parts[2].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        var updated: Int64?
        if !parts[2].isEmpty {
            guard let v = Int64(String(decoding: parts[2], as: UTF8.self), radix: 16) else { return nil }
            updated = v - updatedOffset
        }
        return (status, amount, updated)
    }
}
