import Foundation
import Redis

/// What every commit re-checks against `{Q}:meta`: the settings all workers of a queue share.
public struct QueueMeta: Sendable, Equatable {
    public var timeZone: String
    public var currency: Currency
    public var layout: String

    public init(timeZone: String, currency: Currency, layout: String = KeyLayout.layoutVersion) {
        self.timeZone = timeZone
        self.currency = currency
        self.layout = layout
    }

    /// Field/value pairs as stored in `{Q}:meta`.
    public var fields: [String] { ["timezone", timeZone, "currency", currency.code, "layout", layout] }
}

extension RedisConnection {
    /// The commit script call for a prepared batch: `inflightLength` items are in the worker's
    /// list when it runs, and the oldest `items` of them are this batch. `meta` is checked
    /// against `{Q}:meta` in the same step.
    public func commitCommand(
        _ prepared: (keys: [String], args: RedisCommand), worker: String,
        inflightLength: Int, items: Int, meta: QueueMeta
    ) throws(RedisError) -> RedisCommand {
        var args = RedisCommand([
            worker, String(inflightLength), String(items), meta.timeZone, meta.currency.code, meta.layout,
            UTCTimestamp.iso8601(Int64(Date().timeIntervalSince1970)),
        ])
        args.append(contentsOf: prepared.args)
        return try scriptCommand(Scripts.commit, keys: prepared.keys, args: args)
    }
}

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
