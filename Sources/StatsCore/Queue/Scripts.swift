import Redis

/// The Lua scripts that make each multi-key step atomic. Each touches only keys passed in KEYS
/// (all of one queue's hash tag), so they run unchanged on a Redis Cluster.
public enum Scripts {
    /// Moves up to ARGV[1] items from the queue's tail (oldest) to the worker's in-flight list.
    /// KEYS: queue, inflight.
    public static let take = RedisScript(
        name: "take",
        source: """
            local n = tonumber(ARGV[1])
            if n <= 0 then return {} end
            local items = redis.call('LRANGE', KEYS[1], -n, -1)
            if #items > 0 then
              redis.call('LTRIM', KEYS[1], 0, -#items - 1)
              redis.call('LPUSH', KEYS[2], unpack(items))
            end
            return items
            """)

    /// Applies one batch: increments, dead letters, bookkeeping, and removes the batch (the
    /// oldest ARGV[3] items, at the tail) from the worker's in-flight list, all or nothing. If the
    /// list does not hold exactly the ARGV[2] items the worker believes it holds (another worker
    /// took them over, or this commit already ran before a lost reply), it changes nothing and
    /// returns 0, so no batch is ever counted twice.
    ///
    /// The queue's settings (`{Q}:meta`: amount scale, time zone) are checked in the same step:
    /// if Redis lost them and a worker with other settings claimed the queue since, the commit
    /// is refused with a `CONFIG` error instead of mixing units; if they are missing, this
    /// commit records them again.
    ///
    /// KEYS: inflight, workers, dirty, days, methods, version, deadLetter, meta, then the hashes.
    /// ARGV: worker, in-flight length, batch item count, amount scale, time zone, dead count,
    ///       dead entries…, for each
    ///       hash: field count then field/delta pairs…, day count then (score, day) pairs…,
    ///       dirty count then members…, method count then methods….
    public static let commit = RedisScript(
        name: "commit",
        source: """
            local len = tonumber(ARGV[2])
            if redis.call('LLEN', KEYS[1]) ~= len then return 0 end
            local scale = redis.call('HGET', KEYS[8], 'amount_scale')
            local zone = redis.call('HGET', KEYS[8], 'timezone')
            if (scale and scale ~= ARGV[4]) or (zone and zone ~= ARGV[5]) then
              return redis.error_reply('CONFIG this queue is now kept with amount_scale=' .. tostring(scale) .. ' timezone=' .. tostring(zone) ..
                '; this worker has amount_scale=' .. ARGV[4] .. ' timezone=' .. ARGV[5])
            end
            if not scale then redis.call('HSET', KEYS[8], 'amount_scale', ARGV[4]) end
            if not zone then redis.call('HSET', KEYS[8], 'timezone', ARGV[5]) end
            local n = tonumber(ARGV[3])
            if n >= len then redis.call('DEL', KEYS[1]) else redis.call('LTRIM', KEYS[1], 0, len - n - 1) end
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[2], t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
            local a = 6
            local nd = tonumber(ARGV[a]); a = a + 1
            for i = 0, nd - 1 do redis.call('LPUSH', KEYS[7], ARGV[a + i]) end
            a = a + nd
            for k = 9, #KEYS do
              local nf = tonumber(ARGV[a]); a = a + 1
              for i = 0, nf - 1 do
                redis.call('HINCRBY', KEYS[k], ARGV[a + 2 * i], ARGV[a + 2 * i + 1])
              end
              a = a + 2 * nf
            end
            local ndays = tonumber(ARGV[a]); a = a + 1
            for i = 0, ndays - 1 do redis.call('ZADD', KEYS[4], ARGV[a + 2 * i], ARGV[a + 2 * i + 1]) end
            a = a + 2 * ndays
            local ndirty = tonumber(ARGV[a]); a = a + 1
            for i = 0, ndirty - 1 do redis.call('SADD', KEYS[3], ARGV[a + i]) end
            a = a + ndirty
            local nm = tonumber(ARGV[a]); a = a + 1
            for i = 0, nm - 1 do redis.call('SADD', KEYS[5], ARGV[a + i]) end
            if #KEYS > 8 then redis.call('INCR', KEYS[6]) end
            return 1
            """)

    /// Records a heartbeat (and ownership of an in-flight list) and returns the workers whose
    /// lists may need reclaiming: those whose heartbeat is older than ARGV[2] ms, and owners
    /// with no heartbeat at all. KEYS: workers, inflight owners. ARGV: worker, timeout ms.
    public static let heartbeat = RedisScript(
        name: "heartbeat",
        source: """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            if ARGV[1] ~= '' then
              redis.call('ZADD', KEYS[1], now, ARGV[1])
              redis.call('SADD', KEYS[2], ARGV[1])
            end
            local out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
            for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if not redis.call('ZSCORE', KEYS[1], w) then table.insert(out, w) end
            end
            return out
            """)

    /// Age in ms of a worker's heartbeat, or -1 if it has none. KEYS: workers. ARGV: worker.
    public static let heartbeatAge = RedisScript(
        name: "heartbeatAge",
        source: """
            local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not s then return -1 end
            local t = redis.call('TIME')
            return t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(s)
            """)

    /// Gives a dead worker's in-flight items back to the queue, if its heartbeat is still stale
    /// (or absent) now, and forgets the worker. KEYS: inflight, queue, workers, inflight owners.
    /// ARGV: worker, timeout ms. Returns the items moved, or -1 if the worker is alive.
    /// A worker's clean exit runs it on its own list with an empty timeout: whatever is still in
    /// flight goes back to the queue's consumer end, and only then are its heartbeat and its
    /// ownership dropped, in the same step.
    public static let reclaim = RedisScript(
        name: "reclaim",
        source: """
            local s = redis.call('ZSCORE', KEYS[3], ARGV[1])
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            if ARGV[2] ~= '' and s and now - tonumber(s) < tonumber(ARGV[2]) then return -1 end
            local moved = 0
            while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do moved = moved + 1 end
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('SREM', KEYS[4], ARGV[1])
            return moved
            """)

    /// Pushes one import batch and advances the source's progress marker, atomically. Returns
    /// 1 when applied, 2 when this exact marker was already committed (a retry after a lost
    /// reply), and an error when another importer moved the marker meanwhile.
    /// KEYS: queue, imports, deadLetter. ARGV: source, expected marker ('' for none), new
    /// marker, item count, items…, dead entries….
    public static let importBatch = RedisScript(
        name: "importBatch",
        source: """
            local cur = redis.call('HGET', KEYS[2], ARGV[1]) or ''
            if cur == ARGV[3] then return 2 end
            if cur ~= ARGV[2] then
              return redis.error_reply('CONFLICT import progress of ' .. ARGV[1] .. ' moved to "' .. cur .. '" (another importer on the same source?)')
            end
            local n = tonumber(ARGV[4])
            local first, last = 5, 4 + n
            local i = first
            while i <= last do
              local j = math.min(i + 999, last)
              redis.call('LPUSH', KEYS[1], unpack(ARGV, i, j))
              i = j + 1
            end
            i = last + 1
            while i <= #ARGV do
              local j = math.min(i + 999, #ARGV)
              redis.call('LPUSH', KEYS[3], unpack(ARGV, i, j))
              i = j + 1
            end
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            return 1
            """)

    /// Records the settings every worker must agree on, or reports a conflict.
    /// KEYS: meta. ARGV: field, value pairs. Returns '' or the first conflicting "field=value".
    public static let agreeMeta = RedisScript(
        name: "agreeMeta",
        source: """
            for i = 1, #ARGV, 2 do
              local cur = redis.call('HGET', KEYS[1], ARGV[i])
              if cur and cur ~= ARGV[i + 1] then return ARGV[i] .. '=' .. cur end
            end
            for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
            return ''
            """)
}
