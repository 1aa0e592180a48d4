/// The ledger's decisions for one batch, made by the worker from the states it read, and what
/// the commit script must find and write for them to stand.
///
/// The worker reads the ledger entries of the batch's ids (``BatchAccumulator/ledgerReads()``),
/// decides every event in batch order (``BatchAccumulator/decide(states:cutoff:methods:worker:raw:)``)
/// and commits. The script first checks that each id's entry is still exactly what was read: if
/// another worker changed one meanwhile, nothing is applied and the worker reads and decides
/// again. Decided in Swift, the script's work per event is one field read, one compare and at
/// most one write (no parsing, no cell arithmetic in Lua), and a correction lands in the same
/// summed hash fields as every other row of the batch.
public struct LedgerPlan: Sendable, Equatable {
    /// One id of the batch: the entry read (nil: none) and the entry to write (nil: unchanged).
    public struct Entry: Sendable, Equatable {
        public var shard: Int
        public var id: String
        public var expected: String?
        public var next: String?
    }

    public var entries: [Entry] = []
    public var outcome = LedgerOutcome()

    public init() {}
}

/// A ledger value split at its parts: the immutable prefix (timestamp:type:currency:method)
/// and the state `status|amount|updated`.
struct LedgerState: Equatable {
    var immutable: String
    var status: TransactionStatus
    var amountMinor: Int64
    var updated: String

    /// nil when `value` is not a ledger entry (then the event is a conflict, never a guess).
    init?(_ value: String) {
        let u = value.utf8
        guard let bar = u.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        let parts = u[u.index(after: bar)...].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, let s = TransactionStatus(code: parts[0].first!),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let amount = Int64(String(decoding: parts[1], as: UTF8.self)),
            parts[2].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        immutable = String(decoding: u[..<bar], as: UTF8.self)
        status = s
        amountMinor = amount
        updated = String(decoding: parts[2], as: UTF8.self)
    }

    /// The part before the first `|` (the whole value if it has none).
    static func immutablePrefix(_ value: String) -> Substring {
        value.firstIndex(of: "|").map { value[..<$0] } ?? Substring(value)
    }
}
