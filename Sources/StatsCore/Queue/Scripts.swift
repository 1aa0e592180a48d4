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

    /// Applies one batch, all or nothing: the ledger's decisions for events with an id, the
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
    /// The ledger (16 hashes, the shard chosen by the id; see ``LedgerEntry``) decides each event
    /// in batch order: unknown id → new (expired if its transaction's day is before the window); the same value → duplicate; a different timestamp, type,
    /// currency or method → `conflicting_update` dead letter; both with `updated_at`: older →
    /// stale, equal (other state) → conflict, newer → applied; otherwise arrival order, except
    /// that `pending` never replaces `success` or `failed` (stale). Applied with the same status
    /// and amount → duplicate (only `updated_at` is refreshed); else moved: count and amount
    /// leave the old status cell and enter the new one. An unknown id outside the ledger window
    /// is counted without being recorded. Each commit then sweeps one step of one shard: entries
    /// of transactions before the window's start are deleted.
    ///
    /// Rows without id are summed by the worker and added as they come. The ledger's cells
    /// (status 1 success, 2 failed, 3 pending) are summed here, in two exact halves (below and
    /// above 10^9) because Lua numbers are doubles; each sum is written back as a decimal string.
    ///
    /// KEYS: 1 inflight, 2 workers, 3 dirty, 4 days, 5 methods, 6 version, 7 deadLetter, 8 meta,
    ///       9 currencies, 10 ledger stats, 11 ledger sweep cursors, then totals/status/hourly of
    ///       each (day, type, currency), then the ledger shards the batch touches.
    /// ARGV: 1 worker, 2 in-flight length, 3 batch item count, 4 time zone, 5 default currency,
    ///       6 layout, 7 now (ISO, for dead letters), then: dead count, entries…; D, then per
    ///       (day, type, currency): day, day score, type, currency; G, then per group (day,
    ///       type, currency, method, hour): dtc index, method, HH; then per (day, type,
    ///       currency) the fields of rows without id: hourly count then field/delta pairs,
    ///       status count and pairs, totals count and pairs; B (shards),
    ///       the shard to sweep (0: none), the window's start (epoch s), the sweep step; E,
    ///       then per event: shard, id, value, immutable length, group, status, amount, updated
    ///       key, item, span start, span length, outside the window (0/1); M, then methods.
    /// Returns {1, new, duplicate, stale, moved, expired, conflict, swept}.
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
            if not zone then redis.call('HSET', KEYS[8], 'timezone', ARGV[4]) end
            if not cur then redis.call('HSET', KEYS[8], 'currency', ARGV[5]) end
            if not layout then redis.call('HSET', KEYS[8], 'layout', ARGV[6]) end
            local a = 8
            local nd = tonumber(ARGV[a]); a = a + 1
            for i = 0, nd - 1 do redis.call('LPUSH', KEYS[7], ARGV[a + i]) end
            a = a + nd
            local D = tonumber(ARGV[a]); a = a + 1
            local d0 = a
            a = a + 4 * D
            local bk0 = 11 + 3 * D
            local G = tonumber(ARGV[a]); a = a + 1
            local g0 = a
            a = a + 3 * G
            local cn, ch, cl = {}, {}, {}
            local function add(c, n, amt, sign)
              local lo, hi = tonumber(string.sub(amt, -9)), 0
              if #amt > 9 then hi = tonumber(string.sub(amt, 1, -10)) end
              cn[c] = (cn[c] or 0) + n
              ch[c] = (ch[c] or 0) + sign * hi
              cl[c] = (cl[c] or 0) + sign * lo
            end
            -- Rows without id: hourly, status and totals fields as the worker spelled and summed them.
            local touched = {}
            local wrote = false
            for j = 1, D do
              for h = 3, 1, -1 do
                local key = KEYS[11 + 3 * (j - 1) + h]
                local nf = tonumber(ARGV[a]); a = a + 1
                for i = 0, nf - 1 do redis.call('HINCRBY', key, ARGV[a + 2 * i], ARGV[a + 2 * i + 1]) end
                a = a + 2 * nf
                if nf > 0 then touched[j] = true; wrote = true end
              end
            end
            local B = tonumber(ARGV[a])
            local SK, cutoff, step = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3]
            a = a + 4
            local E = tonumber(ARGV[a]); a = a + 1
            local e0 = a
            a = a + 12 * E
            local out = {0, 0, 0, 0, 0, 0, 0}
            if E > 0 then
              local ids = {}
              for i = 0, E - 1 do
                local p = e0 + 12 * i
                local b = tonumber(ARGV[p])
                local l = ids[b]
                if not l then l = {}; ids[b] = l end
                l[#l + 1] = ARGV[p + 1]
              end
              local state, changed = {}, {}
              for b, l in pairs(ids) do
                local st = {}
                state[b] = st
                changed[b] = {}
                for j = 1, #l, 1000 do
                  local vals = redis.call('HMGET', KEYS[bk0 + b], unpack(l, j, math.min(j + 999, #l)))
                  for k = 1, #vals do st[l[j + k - 1]] = vals[k] end
                end
              end
              local SC = {s = 1, f = 2, p = 3}
              local function conflict(p, detail)
                local item = redis.call('LINDEX', KEYS[1], -(tonumber(ARGV[p + 8]) + 1))
                local raw = ''
                if item then
                  local s0 = tonumber(ARGV[p + 9])
                  raw = string.sub(item, s0 + 1, s0 + math.min(tonumber(ARGV[p + 10]), 8192))
                end
                redis.call('LPUSH', KEYS[7], cjson.encode({at = ARGV[7], stage = 'aggregate', reason = 'conflicting_update',
                  detail = detail, worker = ARGV[1], raw = raw}))
                out[6] = out[6] + 1
              end
              for i = 0, E - 1 do
                local p = e0 + 12 * i
                local b = tonumber(ARGV[p])
                local g, s, amt = tonumber(ARGV[p + 4]), tonumber(ARGV[p + 5]), ARGV[p + 6]
                do
                  local id, v, il, u = ARGV[p + 1], ARGV[p + 2], tonumber(ARGV[p + 3]), ARGV[p + 7]
                  local o = state[b][id]
                  if not o then
                    add(g * 4 + s, 1, amt, 1)
                    if ARGV[p + 11] == '1' then
                      out[5] = out[5] + 1
                    else
                      state[b][id] = v
                      changed[b][id] = v
                      out[1] = out[1] + 1
                    end
                  elseif o == v then
                    out[2] = out[2] + 1
                  elseif string.sub(o, 1, il + 1) ~= string.sub(v, 1, il + 1) then
                    local oi = string.match(o, '^(.*)|%a|%d+|%x*$') or o
                    conflict(p, 'id "' .. id .. '" was first seen as ' .. oi .. ', this event says ' .. string.sub(v, 1, il) ..
                      ' (timestamp:type:currency:payment_method cannot change)')
                  else
                    local oc, oa, ou = string.match(o, '^(%a)|(%d+)|(%x*)$', il + 2)
                    local os = SC[oc]
                    if not os then
                      conflict(p, 'id "' .. id .. '" has an unreadable ledger entry: ' .. o)
                    else
                      local apply = false
                      if u ~= '' and ou ~= '' then
                        if u < ou then
                          out[3] = out[3] + 1
                        elseif u == ou then
                          conflict(p, 'id "' .. id .. '" already has another status or amount with the same updated_at')
                        else
                          apply = true
                        end
                      elseif os ~= 3 and s == 3 then
                        out[3] = out[3] + 1
                      else
                        apply = true
                      end
                      if apply then
                        if os == s and oa == amt then
                          out[2] = out[2] + 1
                        else
                          add(g * 4 + os, -1, oa, -1)
                          add(g * 4 + s, 1, amt, 1)
                          out[4] = out[4] + 1
                        end
                        state[b][id] = v
                        changed[b][id] = v
                      end
                    end
                  end
                end
              end
              for b, m in pairs(changed) do
                local kv = {}
                for id, v in pairs(m) do kv[#kv + 1] = id; kv[#kv + 1] = v end
                for j = 1, #kv, 1000 do redis.call('HSET', KEYS[bk0 + b], unpack(kv, j, math.min(j + 999, #kv))) end
              end
            end
            if SK > 0 then
              local key = KEYS[bk0 + SK]
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
            local function dec(hi, lo)
              local carry = math.floor(lo / 1e9)
              lo = lo - carry * 1e9
              hi = hi + carry
              if hi == 0 then return string.format('%d', lo) end
              if hi > 0 then return string.format('%d%09d', hi, lo) end
              if lo == 0 then return string.format('-%d000000000', -hi) end
              if hi == -1 then return string.format('-%d', 1e9 - lo) end
              return string.format('-%d%09d', -hi - 1, 1e9 - lo)
            end
            local STATUS = {'success', 'failed', 'pending'}
            -- The ledger's cells: hourly fields per cell; the day-level status fields and the
            -- totals are their sums over the hours, written once per (method, status).
            local sn, sh, sl, sj, sm, ss, sb = {}, {}, {}, {}, {}, {}, {}
            for c, cnt in pairs(cn) do
              if cnt ~= 0 or ch[c] ~= 0 or cl[c] ~= 0 then
                local g, s = math.floor(c / 4), c % 4
                local gp = g0 + 3 * (g - 1)
                local j, m, hh = tonumber(ARGV[gp]), ARGV[gp + 1], ARGV[gp + 2]
                local base = m .. '|' .. STATUS[s]
                local hk = KEYS[11 + 3 * (j - 1) + 3]
                redis.call('HINCRBY', hk, base .. '|' .. hh .. '|n', string.format('%d', cnt))
                redis.call('HINCRBY', hk, base .. '|' .. hh .. '|a', dec(ch[c], cl[c]))
                touched[j] = true
                wrote = true
                local key = j .. '|' .. base
                if sn[key] then
                  sn[key], sh[key], sl[key] = sn[key] + cnt, sh[key] + ch[c], sl[key] + cl[c]
                else
                  sn[key], sh[key], sl[key], sj[key], sm[key], ss[key], sb[key] = cnt, ch[c], cl[c], j, m, s, base
                end
              end
            end
            for key, cnt in pairs(sn) do
              local k = 11 + 3 * (sj[key] - 1)
              local amount = dec(sh[key], sl[key])
              redis.call('HINCRBY', KEYS[k + 2], sb[key] .. '|n', string.format('%d', cnt))
              redis.call('HINCRBY', KEYS[k + 2], sb[key] .. '|a', amount)
              if ss[key] == 1 and amount ~= '0' then redis.call('HINCRBY', KEYS[k + 1], sm[key], amount) end
            end
            for j = 1, D do
              if touched[j] then
                local p = d0 + 4 * (j - 1)
                redis.call('ZADD', KEYS[4], ARGV[p + 1], ARGV[p])
                redis.call('SADD', KEYS[3], ARGV[p] .. ':' .. ARGV[p + 2] .. ':' .. ARGV[p + 3])
                redis.call('SADD', KEYS[9], ARGV[p + 3])
              end
            end
            local M = tonumber(ARGV[a]); a = a + 1
            for i = 0, M - 1 do redis.call('SADD', KEYS[5], ARGV[a + i]) end
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
