import Redis

extension RedisConnection {
    /// The commit script call for a prepared batch: `inflightLength` items are in the worker's
    /// list when it runs, and the oldest `items` of them are this batch. `meta` is the queue's
    /// settings key and this worker's amount scale and time zone, checked in the same step.
    public func commitCommand(
        _ prepared: (keys: [String], args: RedisCommand), worker: String,
        inflightLength: Int, items: Int,
        meta: (key: String, amountScale: Int, timeZone: String)
    ) throws(RedisError) -> RedisCommand {
        var args = RedisCommand([worker, String(inflightLength), String(items), String(meta.amountScale), meta.timeZone])
        args.append(contentsOf: prepared.args)
        // The meta key goes right after the fixed keys, before the hashes.
        var keys = Array(prepared.keys.prefix(7))
        keys.append(meta.key)
        keys += prepared.keys.dropFirst(7)
        return try scriptCommand(Scripts.commit, keys: keys, args: args)
    }
}
