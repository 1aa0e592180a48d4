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
