import Redis

/// The Lua scripts that make each multi-key step atomic. Each touches only keys passed in KEYS
/// (all of one queue's hash tag), so they run unchanged on a Redis Cluster.
public enum Scripts {
    /// Moves up to ARGV[1] items from the queue's tail (oldest) to the worker's in-flight list
    /// and returns them oldest first. The in-flight list mirrors the queue: newest at the head,
    /// so item j of the batch being committed (in the order returned) is at index -(j+1).
    /// KEYS: queue, inflight.
    public static let take = RedisScript(
        name: "take",
        source: """
            local n = tonumber(ARGV[1])
            if n <= 0 then return {} end
            local items = redis.call('LRANGE', KEYS[1], -n, -1)
            local oldest = {}
            for i = #items, 1, -1 do oldest[#oldest + 1] = items[i] end
            if #items > 0 then
              redis.call('LTRIM', KEYS[1], 0, -#items - 1)
              for i = 1, #oldest, 1000 do redis.call('LPUSH', KEYS[2], unpack(oldest, i, math.min(i + 999, #oldest))) end
            end
            return oldest
            """)

    /// Applies one batch, all or nothing: the ledger entries the worker decided, the
    /// increments, dead letters and bookkeeping, and removes the batch (the oldest ARGV[3] items,
    /// at the tail) from the worker's in-flight list. If the list does not hold exactly the
    /// ARGV[2] items the worker believes it holds (another worker took them over, or this commit
    /// already ran before a lost reply), it changes nothing and returns 0, so no batch is ever
    /// counted twice.
    ///
    /// The queue's settings (`{Q}:meta`: time zone, default currency, layout) are checked in the
    /// same step: if Redis lost them and a worker with other settings claimed the queue since,
    /// the commit is refused with a `CONFIG` error instead of mixing buckets; if they are
    /// missing, this commit records them again.
    ///
    /// The worker decided the batch's events from the ledger entries it read (``LedgerPlan``):
    /// every entry must still be exactly what it read (absent when it read none), else another
    /// worker decided one of these ids meanwhile and the script changes nothing and returns
    /// {2}: the worker reads and decides again. Then the entries it decided are written, and
    /// the fields it summed are added as they are. Each commit also sweeps one step of one
    /// ledger shard: entries of transactions before the window's start are deleted.
    ///
    /// KEYS: 1 inflight, 2 workers, 3 dirty, 4 days, 5 methods, 6 version, 7 deadLetter, 8 meta,
    ///       9 currencies, 10 ledger stats, 11 ledger sweep cursors, then the B ledger shards the
    ///       batch touches, then totals/status/hourly of each (day, type, currency).
    /// ARGV: 1 worker, 2 in-flight length, 3 batch item count, 4 time zone, 5 default currency,
    ///       6 layout, 7 now (ISO); then B, the shard to sweep (0: none), the window's start
    ///       (epoch s), the sweep step; I, then per id: shard, id, entry read ('' none), entry
    ///       to write ('' unchanged); the outcomes new, duplicate, stale, moved, expired,
    ///       conflict; dead count, entries…; D, then per (day, type, currency): day, day score,
    ///       type, currency; then per (day, type, currency) its fields: hourly count then
    ///       field/delta pairs, status count and pairs, totals count and pairs; M, then methods.
    /// Returns {1, new, duplicate, stale, moved, expired, conflict, swept}, or {2}.
    public static let commit = RedisScript(
        name: "commit",
        source: """
            local len = tonumber(ARGV[2])
            if redis.call('LLEN', KEYS[1]) ~= len then return 0 end
            local zone = redis.call('HGET', KEYS[8], 'timezone')
            local cur = redis.call('HGET', KEYS[8], 'currency')
            local layout = redis.call('HGET', KEYS[8], 'layout')
            if (zone and zone ~= ARGV[4]) or (cur and cur ~= ARGV[5]) or (layout and layout ~= ARGV[6]) then
              return redis.error_reply('CONFIG this queue is now kept with timezone=' .. tostring(zone) .. ' currency=' .. tostring(cur) ..
                ' layout=' .. tostring(layout) .. '; this worker has timezone=' .. ARGV[4] .. ' currency=' .. ARGV[5] .. ' layout=' .. ARGV[6])
            end
            local B, SK, cutoff, step = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
            local I = tonumber(ARGV[12])
            local i0 = 13
            -- Every entry as read, before anything is written.
            local byShard = {}
            for i = 0, I - 1 do
              local p = i0 + 4 * i
              local b = tonumber(ARGV[p])
              local l = byShard[b]
              if not l then l = {}; byShard[b] = l end
              l[#l + 1] = p
            end
            for b, l in pairs(byShard) do
              for j = 1, #l, 1000 do
                local names = {}
                for k = j, math.min(j + 999, #l) do names[#names + 1] = ARGV[l[k] + 1] end
                local vals = redis.call('HMGET', KEYS[11 + b], unpack(names))
                for k = 1, #vals do
                  if (vals[k] or '') ~= ARGV[l[j + k - 1] + 2] then return {2} end
                end
              end
            end
            if not zone then redis.call('HSET', KEYS[8], 'timezone', ARGV[4]) end
            if not cur then redis.call('HSET', KEYS[8], 'currency', ARGV[5]) end
            if not layout then redis.call('HSET', KEYS[8], 'layout', ARGV[6]) end
            for b, l in pairs(byShard) do
              local kv = {}
              for _, p in ipairs(l) do
                if ARGV[p + 3] ~= '' then kv[#kv + 1] = ARGV[p + 1]; kv[#kv + 1] = ARGV[p + 3] end
              end
              for j = 1, #kv, 1000 do redis.call('HSET', KEYS[11 + b], unpack(kv, j, math.min(j + 999, #kv))) end
            end
            local a = i0 + 4 * I
            local out = {}
            for i = 1, 6 do out[i] = tonumber(ARGV[a + i - 1]) end
            a = a + 6
            local nd = tonumber(ARGV[a]); a = a + 1
            for i = 0, nd - 1 do redis.call('LPUSH', KEYS[7], ARGV[a + i]) end
            a = a + nd
            local D = tonumber(ARGV[a]); a = a + 1
            local d0 = a
            a = a + 4 * D
            local h0 = 11 + B
            local wrote = false
            for j = 1, D do
              local touched = false
              for h = 3, 1, -1 do
                local key = KEYS[h0 + 3 * (j - 1) + h]
                local nf = tonumber(ARGV[a]); a = a + 1
                for i = 0, nf - 1 do redis.call('HINCRBY', key, ARGV[a + 2 * i], ARGV[a + 2 * i + 1]) end
                a = a + 2 * nf
                if nf > 0 then touched = true end
              end
              if touched then
                wrote = true
                local p = d0 + 4 * (j - 1)
                redis.call('ZADD', KEYS[4], ARGV[p + 1], ARGV[p])
                redis.call('SADD', KEYS[3], ARGV[p] .. ':' .. ARGV[p + 2] .. ':' .. ARGV[p + 3])
                redis.call('SADD', KEYS[9], ARGV[p + 3])
              end
            end
            local M = tonumber(ARGV[a]); a = a + 1
            for i = 0, M - 1 do redis.call('SADD', KEYS[5], ARGV[a + i]) end
            out[7] = 0
            if SK > 0 then
              local key = KEYS[11 + SK]
              local r = redis.call('HSCAN', key, redis.call('HGET', KEYS[11], key) or '0', 'COUNT', step)
              local kv, dels = r[2], {}
              for i = 1, #kv, 2 do
                local v = kv[i + 1]
                local c = string.find(v, ':', 2, true)
                local e = c and tonumber(string.sub(v, 1, c - 1))
                if e and e < cutoff then dels[#dels + 1] = kv[i] end
              end
              for j = 1, #dels, 1000 do redis.call('HDEL', key, unpack(dels, j, math.min(j + 999, #dels))) end
              redis.call('HSET', KEYS[11], key, r[1])
              out[7] = #dels
            end
            local n = tonumber(ARGV[3])
            if n >= len then redis.call('DEL', KEYS[1]) else redis.call('LTRIM', KEYS[1], 0, len - n - 1) end
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[2], t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])
            if wrote then redis.call('INCR', KEYS[6]) end
            local names = {'new', 'duplicate', 'stale', 'moved', 'expired', 'conflict', 'swept'}
            for i = 1, 7 do
              if out[i] > 0 then redis.call('HINCRBY', KEYS[10], names[i], out[i]) end
            end
            return {1, out[1], out[2], out[3], out[4], out[5], out[6], out[7]}
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
