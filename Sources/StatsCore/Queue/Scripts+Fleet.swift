import Redis

/// The aggregators' roll call, by which they share the partitions without configuration.
extension Scripts {
    /// Records a live aggregator (ARGV[1], '' to only read), forgets those silent for ARGV[2] ms,
    /// and returns the live ones by id. The clock is the server's, so hosts need not agree.
    /// KEYS: aggregators.
    public static let fleetHeartbeat = RedisScript(
        name: "fleetHeartbeat",
        source: """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
            return redis.call('ZRANGE', KEYS[1], 0, -1)
            """)
}
