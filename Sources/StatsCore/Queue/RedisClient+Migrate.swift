import Redis

extension RedisClient {
    /// Runs ``Scripts/migrateLayout`` for a queue: every worker calls it at start-up, before it
    /// reads or writes aggregates. Returns the keys renamed (0 when the layout was current).
    @discardableResult
    public func migrateLayout(_ keys: KeyLayout, currency: Currency) throws -> Int {
        let reply = try evalScript(
            Scripts.migrateLayout,
            keys: [keys.meta, keys.days, keys.archived, keys.dirty, keys.dumping, keys.outbox, keys.currencies],
            args: RedisCommand([currency.code, String(currency.exponent), KeyLayout.layoutVersion, keys.tag])
        ).check()
        return max(0, Int(reply.int ?? 0))
    }
}
