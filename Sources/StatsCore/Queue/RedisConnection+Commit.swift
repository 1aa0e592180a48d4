import Redis

extension RedisConnection {
    /// The commit script call for a prepared batch: `inflightLength` items are in the worker's
    /// list when it runs, and the oldest `items` of them are this batch.
    public func commitCommand(_ prepared: (keys: [String], args: RedisCommand), worker: String,
                              inflightLength: Int, items: Int) throws(RedisError) -> RedisCommand {
        var args = RedisCommand([worker, String(inflightLength), String(items)])
        args.append(contentsOf: prepared.args)
        return try scriptCommand(Scripts.commit, keys: prepared.keys, args: args)
    }
}
