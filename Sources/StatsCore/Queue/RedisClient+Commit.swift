import Foundation
import Redis

extension RedisClient {
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
