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

    /// Reads a stored value (nil if it is not one).
    public init?(value: String) {
        let bar = value.split(separator: "|", omittingEmptySubsequences: false)
        guard bar.count >= 4 else { return nil }
        let state = bar.suffix(3)
        let immutable = bar.dropLast(3).joined(separator: "|")
        let parts = immutable.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let epoch = Int64(parts[0]), let t = parts[1].utf8.first, parts[1].utf8.count == 1,
            let type = TransactionType(code: t), let currency = Currency(code: parts[2]),
            let s = state[state.startIndex].utf8.first, let status = TransactionStatus(code: s),
            let amount = Int64(state[state.startIndex + 1])
        else { return nil }
        let u = state[state.startIndex + 2]
        var updated: Int64?
        if !u.isEmpty {
            guard let v = Int64(u, radix: 16) else { return nil }
            updated = v - Self.updatedOffset
        }
        self.init(
            epochSeconds: epoch, type: type, currency: currency, method: String(parts[3]), status: status, amountMinor: amount,
            updatedMicros: updated)
    }
}
