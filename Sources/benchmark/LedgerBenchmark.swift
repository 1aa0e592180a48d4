import Foundation
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The ledger's cost: one draining aggregator over a pre-filled queue of JSON items (one
/// transaction each, the producers' format) without ids, with ids that are all new, and as a
/// payment service sends them (pending, then settled; resends; out of order), in the same run;
/// the Redis memory the ledger holds per million ids; and redis-benchmark's `LPUSH -P 64` on
/// the same server as the reference the figures are divided by.
struct LedgerBenchmark {
    let binDir: String
    let directory: String
    let items: Int
    let repeats: Int
    let timeout: Duration

    struct Variant {
        var name: String
        var items: [String]
        /// Transactions the aggregates must count (each id once; each id-less item once).
        var transactions: Int
    }

    struct Figure {
        var name: String
        var items: Int
        var seconds: [Double]
        var outcomes: [String: Int]
        var best: Double { seconds.min()! }
        var median: Double { seconds.sorted()[seconds.count / 2] }
    }

    func run() throws -> String {
        let server = try RedisServer(directory: directory)
        defer { _ = server.stop() }
        let url = try RedisURL(parsing: server.urlString)
        let probe = QueueProbe(url: url)
        let variants = makeVariants()
        var figures: [Figure] = []
        var ledgerBytesPerMillion = 0.0
        var ledgerIds = 0
        for v in variants { figures.append(Figure(name: v.name, items: v.items.count, seconds: [], outcomes: [:])) }
        for round in 1...repeats {
            for (i, v) in variants.enumerated() {
                try probe.flushAll()
                try push(v.items, probe.redis)
                let aggregator = try ChildProcess(
                    "\(binDir)/aggregator", arguments: ["--worker-id", "ledger-bench", "--redis-url", "\(url)", "--drain"],
                    name: "aggregator", stdout: .file("\(directory)/ledger-\(i)-\(round).log"))
                _ = try aggregator.wait(timeout: timeout)
                try aggregator.requireSuccess()
                let counted = try probe.aggregatedRows()
                guard counted == v.transactions else {
                    throw BenchmarkError("FAIL: \(v.name): the aggregates count \(counted) transactions, expected \(v.transactions)")
                }
                figures[i].seconds.append(aggregator.seconds!)
                let stats = try probe.redis.run("HGETALL", probe.keys.ledgerStats).check().pairs
                figures[i].outcomes = Dictionary(uniqueKeysWithValues: stats.map { ($0.0, Int($0.1) ?? 0) })
                FileHandle.standardError.write(
                    Data(
                        "… ledger: \(v.name) [\(round)/\(repeats)]: \(String(format: "%.3f", aggregator.seconds!)) s, \(grouped(Int(Double(v.items.count) / aggregator.seconds!))) items/s\n"
                            .utf8))
                if i == 1 {
                    (ledgerBytesPerMillion, ledgerIds) = try ledgerMemory(probe)
                }
            }
        }
        let reference = redisBenchmarkLPUSH(port: server.port)
        return table(figures, reference: reference, bytesPerMillion: ledgerBytesPerMillion, ids: ledgerIds)
    }

    /// Pipelined LPUSH in chunks, as the README tells producers to push.
    func push(_ items: [String], _ redis: RedisClient) throws {
        var i = 0
        while i < items.count {
            let end = min(i + 1000, items.count)
            var command = RedisCommand(["LPUSH", "TransactionQueue"])
            for item in items[i..<end] { command.append(item) }
            _ = try redis.pipeline([command])[0].check()
            i = end
        }
    }

    /// MEMORY USAGE of every ledger shard, per million ids they hold.
    func ledgerMemory(_ probe: QueueProbe) throws -> (Double, Int) {
        var bytes = 0
        var ids = 0
        for shard in 0..<LedgerEntry.shards {
            bytes += Int(try probe.redis.run("MEMORY", "USAGE", probe.keys.ledger(shard: shard), "SAMPLES", "0").check().int ?? 0)
            ids += Int(try probe.redis.run("HLEN", probe.keys.ledger(shard: shard)).check().int ?? 0)
        }
        return (ids > 0 ? Double(bytes) / Double(ids) * 1_000_000 : 0, ids)
    }

    /// requests/s of `redis-benchmark -t lpush -P 64 -d 120` on the same server, if installed.
    func redisBenchmarkLPUSH(port: Int) -> Double? {
        guard let tool = try? Executables.locate("redis-benchmark", overrideVariable: "TXSTATS_REDIS_BENCHMARK", hint: "") else {
            return nil
        }
        guard
            let p = try? ChildProcess(
                tool, arguments: ["-h", Loopback.host, "-p", String(port), "-t", "lpush", "-n", "1000000", "-P", "64", "-d", "120", "-q"],
                name: "redis-benchmark", stdout: .file("\(directory)/redis-benchmark.log")),
            (try? p.wait(timeout: .seconds(120))) != nil
        else { return nil }
        // "LPUSH: 2604166.75 requests per second, p50=…"; the last report on the line counts.
        let text = p.standardOutput.split(separator: "\r").last.map(String.init) ?? p.standardOutput
        guard let range = text.range(of: "LPUSH: ") else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    func makeVariants() -> [Variant] {
        var rng = SplitMix64(seed: 42)
        let methods = ["visa", "mastercard", "paypal", "wire", "apple pay", "crypto"]
        let currencies: [(String, Int)] = [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)]
        // The 28 days before now: inside the default 35-day ledger window.
        let start = (Int64(Date().timeIntervalSince1970) / 86_400 - 28) * 86_400
        func amount(_ minor: Int64, _ exponent: Int) -> String {
            guard exponent > 0 else { return String(minor) }
            var p: Int64 = 1
            for _ in 0..<exponent { p *= 10 }
            let frac = String(minor % p)
            return "\(minor / p).\(String(repeating: "0", count: exponent - frac.count))\(frac)"
        }
        func iso(_ t: Int64, micros: Int64 = 0) -> String {
            let base = UTCTimestamp.iso8601(t)
            guard micros > 0 else { return base }
            let f = String(micros)
            return base.dropLast() + "." + String(repeating: "0", count: 6 - f.count) + f + "Z"
        }
        struct Payment {
            var ts: Int64
            var type: String
            var method: String
            var currency: (String, Int)
            var minor: Int64
        }
        func payment() -> Payment {
            Payment(
                ts: start + Int64(rng.next() % (27 * 86_400)), type: rng.next() % 3 == 0 ? "withdrawal" : "deposit",
                method: methods[Int(rng.next() % UInt64(methods.count))], currency: currencies[Int(rng.next() % 4)],
                minor: Int64(rng.next() % 500_000) + 1)
        }
        func json(_ p: Payment, status: String, id: String?, updated: String?) -> String {
            var s =
                #"{"timestamp":"\#(iso(p.ts))","type":"\#(p.type)","payment_method":"\#(p.method)","amount":"\#(amount(p.minor, p.currency.1))","currency":"\#(p.currency.0)","status":"\#(status)""#
            if let id { s += #","id":"\#(id)""# }
            if let updated { s += #","updated_at":"\#(updated)""# }
            return s + "}"
        }
        var plain: [String] = []
        var unique: [String] = []
        var all: [Payment] = []
        for i in 0..<items {
            let p = payment()
            all.append(p)
            plain.append(json(p, status: "success", id: nil, updated: nil))
            unique.append(json(p, status: "success", id: "tx-\(i)", updated: nil))
        }
        // The same transactions as a payment service pushes them: in time order.
        let byTime = all.indices.sorted { (all[$0].ts, $0) < (all[$1].ts, $1) }
        let plainInOrder = byTime.map { json(all[$0], status: "success", id: nil, updated: nil) }
        let uniqueInOrder = byTime.map { json(all[$0], status: "success", id: "tx-\($0)", updated: nil) }
        // Lifecycle: pending then success/failed (10 % corrected), 15 % resent, shuffled within
        // windows of 64 events, until `items` events.
        var lifecycle: [String] = []
        var payments = 0
        while lifecycle.count < items {
            let p = payment()
            let id = "pay-\(payments)"
            payments += 1
            var events = [json(p, status: "pending", id: id, updated: iso(p.ts))]
            let settled = rng.next() % 5 == 0 ? "failed" : "success"
            events.append(json(p, status: settled, id: id, updated: iso(p.ts + 30, micros: 250_000)))
            if settled == "success" && rng.next() % 10 == 0 {
                var corrected = p
                corrected.minor += 1
                events.append(json(corrected, status: "success", id: id, updated: iso(p.ts + 90)))
            }
            for e in events {
                lifecycle.append(e)
                if rng.next() % 100 < 15 { lifecycle.append(e) }
            }
        }
        lifecycle = Array(lifecycle.prefix(items))
        // Every payment's first event is in the prefix only if it was reached; count those.
        let counted = Set(
            lifecycle.compactMap { item -> Substring? in
                guard let r = item.range(of: #""id":""#) else { return nil }
                return item[r.upperBound...].prefix { $0 != "\"" }
            }
        ).count
        var w = 0
        while w < lifecycle.count {
            let end = min(w + 64, lifecycle.count)
            var window = Array(lifecycle[w..<end])
            for k in stride(from: window.count - 1, to: 0, by: -1) { window.swapAt(k, Int(rng.next() % UInt64(k + 1))) }
            lifecycle.replaceSubrange(w..<end, with: window)
            w = end
        }
        return [
            Variant(name: "JSON items, no ids, random time order", items: plain, transactions: items),
            Variant(name: "JSON items, ids all new (ledger on), random time order", items: unique, transactions: items),
            Variant(name: "JSON items, no ids, time-ordered", items: plainInOrder, transactions: items),
            Variant(name: "JSON items, ids all new (ledger on), time-ordered", items: uniqueInOrder, transactions: items),
            Variant(name: "JSON events of payments: pending, settled, 15 % resent, shuffled", items: lifecycle, transactions: counted),
        ]
    }

    func table(_ figures: [Figure], reference: Double?, bytesPerMillion: Double, ids: Int) -> String {
        var lines = [
            "", "Ledger: one aggregator --drain over a pre-filled queue (\(grouped(items)) JSON items each, best of \(repeats))", "",
        ]
        // No RSS column: the children are forked from this process while it holds every input in
        // memory, and ru_maxrss counts those pages until exec (measure RSS with /usr/bin/time).
        lines.append("| input | best s | median s | items/s (best) | vs no ids | vs redis-benchmark LPUSH -P 64 | ledger outcomes |")
        lines.append("|---|--:|--:|--:|--:|--:|---|")
        // "vs no ids": against the id-less items in the same time order.
        func base(_ i: Int) -> Double {
            let b = i == 3 ? figures[2] : figures[0]
            return Double(b.items) / b.best
        }
        for (i, f) in figures.enumerated() {
            let rate = Double(f.items) / f.best
            let ratio = reference.map { String(format: "%.3f", rate / $0) } ?? "n/a"
            let outcomes = ["new", "duplicate", "stale", "moved"].map { "\($0) \(f.outcomes[$0] ?? 0)" }.joined(separator: ", ")
            lines.append(
                "| \(f.name) | \(String(format: "%.3f", f.best)) | \(String(format: "%.3f", f.median)) | \(grouped(Int(rate))) | \(String(format: "%.2f", rate / base(i))) | \(ratio) | \(f.outcomes.isEmpty ? "-" : outcomes) |"
            )
        }
        lines.append("")
        lines.append(
            "redis-benchmark LPUSH -P 64 -d 120, same server: \(reference.map { grouped(Int($0)) + " requests/s" } ?? "not installed")")
        lines.append(
            "ledger memory: \(String(format: "%.1f", bytesPerMillion / 1_048_576)) MiB per million ids (MEMORY USAGE of the 16 shards, \(grouped(ids)) ids)"
        )
        return lines.joined(separator: "\n")
    }
}
