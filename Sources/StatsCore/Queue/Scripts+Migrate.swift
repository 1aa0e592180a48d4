import Redis

extension Scripts {
    /// Brings a queue written by a version without currencies (key layout 1) to layout 2, in
    /// one atomic step, once: every aggregate hash of a day in `{Q}:days` or `{Q}:archived` is
    /// renamed to the default currency's name, dirty and dumping members and outbox entries gain
    /// the currency, and `{Q}:meta` records `layout` and `currency` (and drops `amount_scale`).
    /// Layout 1 kept amounts in minor units of `amount_scale`; the default currency must have
    /// that many decimals, or the step is refused and nothing changes.
    ///
    /// The renamed keys are derived from the listed days, not passed in KEYS; they all carry the
    /// queue's hash tag, so they live in the same slot as the keys that are.
    /// KEYS: meta, days, archived, dirty, dumping, outbox, currencies.
    /// ARGV: currency code, its exponent, layout version, hash tag.
    /// Returns the number of keys renamed, or -1 if the queue already had this layout.
    public static let migrateLayout = RedisScript(
        name: "migrateLayout",
        source: """
            local layout = redis.call('HGET', KEYS[1], 'layout')
            if layout == ARGV[3] then return -1 end
            if layout then
              return redis.error_reply('CONFIG this queue has key layout ' .. layout .. ', this version knows ' .. ARGV[3])
            end
            local scale = redis.call('HGET', KEYS[1], 'amount_scale')
            if scale and tonumber(scale) ~= tonumber(ARGV[2]) then
              return redis.error_reply('CONFIG this queue holds amounts with ' .. scale .. ' decimals (written before currencies); the default currency ' ..
                ARGV[1] .. ' has ' .. ARGV[2] .. ': set TXSTATS_CURRENCY to the currency those amounts are in')
            end
            local cur, tag = ARGV[1], ARGV[4]
            local days = redis.call('ZRANGE', KEYS[2], 0, -1)
            for _, d in ipairs(redis.call('SMEMBERS', KEYS[3])) do days[#days + 1] = d end
            local renamed, seen = 0, {}
            for _, d in ipairs(days) do
              if not seen[d] then
                seen[d] = true
                for _, t in ipairs({'deposits', 'withdrawals'}) do
                  for _, suffix in ipairs({'', ':status', ':hourly'}) do
                    local old = 'agg:' .. d .. ':' .. t .. ':' .. tag .. suffix
                    if redis.call('EXISTS', old) == 1 then
                      redis.call('RENAME', old, 'agg:' .. d .. ':' .. t .. ':' .. cur .. ':' .. tag .. suffix)
                      renamed = renamed + 1
                    end
                  end
                end
              end
            end
            for k = 4, 5 do
              for _, m in ipairs(redis.call('SMEMBERS', KEYS[k])) do
                if string.match(m, '^%d%d%d%d%-%d%d%-%d%d:%a+$') then
                  redis.call('SREM', KEYS[k], m)
                  redis.call('SADD', KEYS[k], m .. ':' .. cur)
                end
              end
            end
            local entries = redis.call('LRANGE', KEYS[6], 0, -1)
            if #entries > 0 then
              redis.call('DEL', KEYS[6])
              for _, e in ipairs(entries) do
                local name = e
                if string.match(e, ':%d%d%d%d%-%d%d%-%d%d:%a+$') then
                  name = e .. ':' .. cur
                  if redis.call('EXISTS', e) == 1 then
                    redis.call('RENAME', e, name)
                    renamed = renamed + 1
                  end
                end
                redis.call('RPUSH', KEYS[6], name)
              end
            end
            if renamed > 0 then redis.call('SADD', KEYS[7], cur) end
            redis.call('HSET', KEYS[1], 'layout', ARGV[3])
            redis.call('HSETNX', KEYS[1], 'currency', cur)
            redis.call('HDEL', KEYS[1], 'amount_scale')
            return renamed
            """)
}
