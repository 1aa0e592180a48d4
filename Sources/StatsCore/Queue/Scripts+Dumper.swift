import Redis

/// The dumper's scripts: claims of changed day/type/currencies, moving a late delta into the
/// outbox, retention, and the lease. Like every script they touch only keys passed in KEYS, all
/// of one queue's hash tag.
extension Scripts {
    /// Claims up to ARGV[1] changed day/type/currencies: moves them from dirty to dumping and
    /// says for each whether its day is archived (then Redis holds a delta, not the whole day).
    /// Members are `YYYY-MM-DD:deposits:USD`; the day is their first ten characters.
    /// KEYS: dirty, dumping, archived. Returns {member, archived(0/1), …}.
    public static let claimDirty = RedisScript(
        name: "claimDirty",
        source: """
            local ms = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
            local out = {}
            for _, m in ipairs(ms) do
              redis.call('SADD', KEYS[2], m)
              out[#out + 1] = m
              out[#out + 1] = redis.call('SISMEMBER', KEYS[3], string.sub(m, 1, 10))
            end
            return out
            """)

    /// After a crash or a failed write: claimed members go back to dirty. KEYS: dumping, dirty.
    /// ARGV: members (none: all of them).
    public static let unclaim = RedisScript(
        name: "unclaim",
        source: """
            local ms = ARGV
            if #ms == 0 then ms = redis.call('SMEMBERS', KEYS[1]) end
            for _, m in ipairs(ms) do
              redis.call('SREM', KEYS[1], m)
              redis.call('SADD', KEYS[2], m)
            end
            return #ms
            """)

    /// Takes an archived day's late delta (one type and currency) out of Redis into an outbox
    /// entry, atomically. KEYS: hourly, status, totals, outbox entry, outbox list, archive epoch.
    /// Returns 1 if there was a delta, 0 if not.
    public static let moveToOutbox = RedisScript(
        name: "moveToOutbox",
        source: """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('DEL', KEYS[2], KEYS[3])
              return 0
            end
            redis.call('RENAME', KEYS[1], KEYS[4])
            redis.call('DEL', KEYS[2], KEYS[3])
            redis.call('RPUSH', KEYS[5], KEYS[4])
            redis.call('INCR', KEYS[6])
            return 1
            """)

    /// Retention: removes a day from Redis, the hashes of every currency, once MongoDB holds all
    /// of it, i.e. when none of its day/type/currencies is dirty or being dumped.
    ///
    /// The caller reads `{Q}:currencies` first and passes the hashes and dirty members of each
    /// code; the set only grows, so if it holds another number of codes now (a commit in a new
    /// currency came in between) the script does nothing and the day waits for the next pass.
    /// KEYS: dirty, dumping, days, archived, currencies, then the day's hashes (three per type
    /// and currency). ARGV: day, currency count, then the dirty members (two per currency).
    /// Returns 1 if archived, 0 if it must wait.
    public static let archiveDay = RedisScript(
        name: "archiveDay",
        source: """
            if redis.call('SCARD', KEYS[5]) ~= tonumber(ARGV[2]) then return 0 end
            for i = 3, #ARGV do
              if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 or redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then return 0 end
            end
            for k = 6, #KEYS do redis.call('DEL', KEYS[k]) end
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('SADD', KEYS[4], ARGV[1])
            return 1
            """)

    /// A lease: set if free or already ours, with a TTL. KEYS: lock. ARGV: owner, ttl ms.
    public static let lease = RedisScript(
        name: "lease",
        source: """
            local cur = redis.call('GET', KEYS[1])
            if cur and cur ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
            return 1
            """)
}
