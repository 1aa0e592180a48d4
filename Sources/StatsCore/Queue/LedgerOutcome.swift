import Redis

/// The ledger's decisions for one committed batch, as the commit script returns them.
public struct LedgerOutcome: Sendable, Equatable {
    public var new = 0
    public var duplicate = 0
    public var stale = 0
    public var moved = 0
    public var expired = 0
    public var conflict = 0
    /// Entries of transactions before the window, deleted by this commit's sweep step.
    public var swept = 0

    public init() {}

    /// Adds another batch's outcomes (a worker's running totals).
    public static func += (a: inout LedgerOutcome, b: LedgerOutcome) {
        a.new += b.new
        a.duplicate += b.duplicate
        a.stale += b.stale
        a.moved += b.moved
        a.expired += b.expired
        a.conflict += b.conflict
        a.swept += b.swept
    }

    /// From the script's reply: nil if the commit was not applied (0).
    public init?(reply: RedisReply) {
        guard let a = reply.array, a.count == 8, a[0].int == 1 else { return nil }
        let v = a.map { Int($0.int ?? 0) }
        new = v[1]
        duplicate = v[2]
        stale = v[3]
        moved = v[4]
        expired = v[5]
        conflict = v[6]
        swept = v[7]
    }
}
