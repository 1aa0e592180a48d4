import Redis
import StatsCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the import markers say was read from the sources.
struct ImportCounts {
    var queued = 0
    var rejected = 0
    var read: Int { queued + rejected }
}

/// The benchmark's own reads of the queue and the aggregates, through StatsCore's connection.
final class QueueProbe {
    let redis: RedisClient
    let keys = KeyLayout(queue: "TransactionQueue")

    init(url: RedisURL) {
        redis = RedisClient(url: url)
    }

    func flushAll() throws {
        try redis.run("FLUSHALL").check()
    }

    func length(_ key: String) throws -> Int {
        Int(try redis.run("LLEN", key).check().int ?? 0)
    }

    /// Queue and the given in-flight lists, read in one MULTI/EXEC so no item moves unseen.
    func outstanding(workers: [String]) throws -> Int {
        var commands = [RedisCommand("MULTI"), RedisCommand(["LLEN", keys.queue])]
        for w in workers { commands.append(RedisCommand(["LLEN", keys.inflight(worker: w)])) }
        commands.append(RedisCommand("EXEC"))
        let replies = try redis.pipeline(commands)
        guard let counts = try replies.last!.check().array else { throw BenchmarkError("EXEC returned \(replies.last!)") }
        return counts.reduce(0) { $0 + Int($1.int ?? 1) }
    }

    /// Clients blocked in a pop: the aggregators are connected and waiting for work.
    func blockedClients() throws -> Int {
        infoField("clients", "blocked_clients").flatMap { Int($0) } ?? 0
    }

    func infoField(_ section: String, _ field: String) -> String? {
        guard let text = try? redis.run("INFO", section).check().text else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            return String(line.dropFirst(field.count + 1))
        }
        return nil
    }

    func importCounts() throws -> ImportCounts {
        var counts = ImportCounts()
        for value in try redis.run("HVALS", keys.imports).check().array ?? [] {
            guard let text = value.text, let marker = ImportMarker(parsing: text) else {
                throw BenchmarkError("unreadable import marker in \(keys.imports): \(value)")
            }
            counts.queued += marker.queued
            counts.rejected += marker.rejected
        }
        return counts
    }

    /// Sum of every `…|n` count in the per-day status hashes of every currency: the rows
    /// aggregated.
    func aggregatedRows() throws -> Int { try Self.aggregatedRows(redis, keys) }

    /// The same for any queue (partition) on any client.
    static func aggregatedRows(_ redis: RedisClient, _ keys: KeyLayout) throws -> Int {
        let days = (try redis.run("ZRANGE", keys.days, "0", "-1").check().array ?? []).compactMap(\.text)
        let codes = (try redis.run("SMEMBERS", keys.currencies).check().array ?? []).compactMap(\.text)
        let currencies = try codes.map { code in
            guard let c = Currency(code: code) else { throw BenchmarkError("unknown currency \(code) in \(keys.currencies)") }
            return c
        }
        var commands: [RedisCommand] = []
        for text in days {
            guard let day = CivilDay.parse(text) else { throw BenchmarkError("unreadable day \(text) in \(keys.days)") }
            for type in TransactionType.allCases {
                for c in currencies { commands.append(RedisCommand(["HGETALL", keys.status(day, type, c)])) }
            }
        }
        guard !commands.isEmpty else { return 0 }
        var total = 0
        for reply in try redis.pipeline(commands) {
            for (field, value) in try reply.check().pairs where field.hasSuffix("|n") {
                guard let n = Int(value) else { throw BenchmarkError("non-numeric count \(field)=\(value)") }
                total += n
            }
        }
        return total
    }

    /// Checks the importer's own count against the file, before anything is aggregated.
    func verifyImport(expectedRows: Int?) throws -> ImportCounts {
        let counts = try importCounts()
        if let expectedRows, counts.read != expectedRows {
            throw BenchmarkError(
                "FAIL: importer marker says \(counts.queued) queued + \(counts.rejected) rejected = \(counts.read) rows, file has \(expectedRows)"
            )
        }
        return counts
    }

    /// After a run: nothing left queued, and the aggregates count every queued row once.
    func verifyAggregates(expectedRows: Int?) throws -> ImportCounts {
        let counts = try verifyImport(expectedRows: expectedRows)
        let left = try length(keys.queue)
        let aggregated = try aggregatedRows()
        guard left == 0, aggregated == counts.queued else {
            throw BenchmarkError(
                "FAIL: aggregates count \(aggregated) rows, \(counts.queued) were queued (queue still holds \(left) items, dead letters: \(try length(keys.deadLetter)))"
            )
        }
        return counts
    }
}
