import Foundation
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What a Redis Cluster buys: the same rows (a sample CSV through the importer, end to end)
/// on one redis-server with one partition, then on a 3-master, 3-replica cluster with 6
/// partitions (2 per master, placed so) and 3 aggregators. Reported: Redis CPU per transaction
/// in total and per master, how evenly the masters share it, and the throughput K masters on K
/// machines would reach at that cost. Measured on one 2-core machine, so wall time here says
/// little; CPU per transaction and its division are what carry over.
struct ClusterBenchmark {
    let binDir: String
    let directory: String
    let csv: String
    let rows: Int
    let timeout: Duration

    struct Run {
        var name: String
        var seconds: Double
        /// Redis CPU seconds per master (one entry for a single server), and all replicas'.
        var masterCPU: [Double]
        var replicaCPU: Double
        var aggregatorCPU: Double
        var importerCPU: Double
    }

    func run() throws -> String {
        let single = try standalone(partitions: 1, aggregators: 1)
        // The same partitions as the cluster on one server: what partitioning itself costs
        // (each partition's commits are smaller), apart from what the cluster costs.
        let split = try standalone(partitions: 6, aggregators: 3)
        let cluster = try clustered()
        return report(single, split, cluster)
    }

    func standalone(partitions: Int, aggregators: Int) throws -> Run {
        let server = try RedisServer(directory: "\(directory)/single-\(partitions)")
        defer { server.stop() }
        let env = ["REDIS_URL": server.urlString, "TXSTATS_PARTITIONS": String(partitions)]
        let before = server.process.cpuSeconds ?? 0
        let (seconds, importer, aggregatorCPU) = try endToEnd(env: env, aggregators: aggregators, log: "single-\(partitions)")
        let cpu = (server.process.cpuSeconds ?? 0) - before
        let counted = try aggregatedRows(RedisClient(seeds: RedisSeeds(parsing: server.urlString)), partitions: partitions)
        guard counted == rows else { throw BenchmarkError("FAIL: single server: \(counted) rows aggregated, expected \(rows)") }
        return Run(
            name: "1 server, \(partitions) partition\(partitions == 1 ? "" : "s"), \(aggregators) aggregator\(aggregators == 1 ? "" : "s")",
            seconds: seconds, masterCPU: [cpu], replicaCPU: 0, aggregatorCPU: aggregatorCPU, importerCPU: importer)
    }

    func clustered() throws -> Run {
        // Persistence as the single server has it (none), so the two differ only in sharding and
        // replication.
        let cluster = try RedisCluster(masters: 3, replicasPerMaster: 1, extraArguments: ["--appendonly", "no"])
        defer { cluster.stop() }
        let partitions = 6
        try balance(cluster, partitions: partitions)
        let masters = try cluster.masters()
        let replicas = try masters.flatMap { try cluster.replicas(of: $0) }
        let env = ["REDIS_URL": cluster.urlString, "TXSTATS_PARTITIONS": String(partitions)]
        let before = try masters.map { try cluster.cpuSeconds($0) }
        let replicasBefore = try replicas.reduce(0) { $0 + (try cluster.cpuSeconds($1)) }
        let (seconds, importer, aggregators) = try endToEnd(env: env, aggregators: 3, log: "cluster")
        let cpu = try zip(masters, before).map { try cluster.cpuSeconds($0.0) - $0.1 }
        let replicaCPU = try replicas.reduce(0) { $0 + (try cluster.cpuSeconds($1)) } - replicasBefore
        let counted = try aggregatedRows(RedisClient(seeds: RedisSeeds(parsing: cluster.urlString)), partitions: partitions)
        guard counted == rows else { throw BenchmarkError("FAIL: cluster: \(counted) rows aggregated, expected \(rows)") }
        return Run(
            name: "3 masters + 3 replicas, 6 partitions, 3 aggregators", seconds: seconds, masterCPU: cpu, replicaCPU: replicaCPU,
            aggregatorCPU: aggregators, importerCPU: importer)
    }

    /// Puts the partitions' slots two per master (while the cluster is empty, so moving a slot
    /// moves no key): which master a hash tag lands on is otherwise chance.
    func balance(_ cluster: RedisCluster, partitions: Int) throws {
        let masters = try cluster.masters()
        for (i, layout) in Partitioning.layouts(queue: "TransactionQueue", count: partitions).enumerated() {
            let slot = RedisSlot.of(layout.tag)
            let want = masters[i % masters.count]
            if try cluster.master(ofSlot: slot) != want { try cluster.migrate(slot: slot, to: want) }
        }
    }

    /// Imports the CSV, then drains it with `aggregators` processes at once: wall seconds, the
    /// importer's CPU seconds and the aggregators' (all processes).
    func endToEnd(env: [String: String], aggregators: Int, log: String) throws -> (Double, Double, Double) {
        let started = ContinuousClock.now
        let importer = try ChildProcess(
            "\(binDir)/importer", arguments: ["--no-sleep", csv], environment: env, name: "importer",
            stdout: .file("\(directory)/\(log)-importer.log"))
        let workers = try (0..<aggregators).map { i in
            try ChildProcess(
                "\(binDir)/aggregator", arguments: ["--worker-id", "bench-\(i)", "--heartbeat-timeout", "2"], environment: env,
                name: "aggregator", stdout: .file("\(directory)/\(log)-aggregator-\(i).log"))
        }
        _ = try importer.wait(timeout: timeout)
        try importer.requireSuccess()
        // Then until everything is committed: the aggregators run without --drain (they share
        // the partitions by roll call) and are stopped once the queues are empty.
        let client = RedisClient(seeds: try RedisSeeds(parsing: env["REDIS_URL"]!))
        let layouts = Partitioning.layouts(queue: "TransactionQueue", count: Int(env["TXSTATS_PARTITIONS"] ?? "1")!)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var left = 0
            for layout in layouts {
                left += Int(try client.run("LLEN", layout.queue).check().int ?? 0)
                for w in try client.run("SMEMBERS", layout.inflightOwners).check().array?.compactMap(\.text) ?? [] {
                    left += Int(try client.run("LLEN", layout.inflight(worker: w)).check().int ?? 0)
                }
            }
            if left == 0 { break }
            usleep(5_000)
        }
        let seconds = (ContinuousClock.now - started).seconds
        for w in workers { w.signal(SIGTERM) }
        var aggregatorCPU = 0.0
        for w in workers {
            _ = try w.wait(timeout: .seconds(60))
            aggregatorCPU += w.cpuSeconds ?? 0
        }
        return (seconds, importer.cpuSeconds ?? 0, aggregatorCPU)
    }

    /// Rows the aggregates count, every partition summed through the product's indexes.
    func aggregatedRows(_ redis: RedisClient, partitions: Int) throws -> Int {
        try Partitioning.layouts(queue: "TransactionQueue", count: partitions).reduce(0) {
            $0 + (try QueueProbe.aggregatedRows(redis, $1))
        }
    }

    func report(_ single: Run, _ split: Run, _ cluster: Run) -> String {
        func us(_ seconds: Double) -> String { String(format: "%.2f", seconds / Double(rows) * 1e6) }
        var out = "\n## Redis Cluster: Redis CPU per transaction (\(grouped(rows)) rows, sample CSV, end to end)\n\n"
        out += "| setup | wall s | Redis µs/tx, all masters | per master µs/tx | replicas µs/tx | aggregators µs/tx | importer µs/tx |\n"
        out += "|---|--:|--:|---|--:|--:|--:|\n"
        for r in [single, split, cluster] {
            let total = r.masterCPU.reduce(0, +)
            out +=
                "| \(r.name) | \(String(format: "%.2f", r.seconds)) | \(us(total)) | \(r.masterCPU.map(us).joined(separator: " / ")) | \(us(r.replicaCPU)) | \(us(r.aggregatorCPU)) | \(us(r.importerCPU)) |\n"
        }
        let total = cluster.masterCPU.reduce(0, +)
        let spread = (cluster.masterCPU.max() ?? 0) / max(1e-9, cluster.masterCPU.min() ?? 0)
        let perTxMaster = total / Double(rows) * 1e6 / Double(cluster.masterCPU.count)
        let singleTotal = single.masterCPU.reduce(0, +)
        let splitTotal = split.masterCPU.reduce(0, +)
        out += "\n- Spread across masters (busiest / idlest Redis CPU): \(String(format: "%.2f", spread))×\n"
        out +=
            "- Redis CPU per transaction, 6 partitions / 1 partition on one server: \(String(format: "%.2f", splitTotal / max(1e-9, singleTotal)))× (smaller commits per partition)\n"
        out +=
            "- Redis CPU per transaction, cluster / one server with the same 6 partitions: \(String(format: "%.2f", total / max(1e-9, splitTotal)))× (1.00 = sharding over masters adds nothing)\n"
        out += "- Projection, K masters on K machines, each Redis at one full core:\n"
        out += "  throughput ≈ K × 10⁶ / (Redis µs/tx of all masters) = K × 10⁶ / \(us(total)) tx/s\n"
        for k in [3, 6, 12] {
            let tps = Double(k) * 1e6 / (total / Double(rows) * 1e6)
            let aggregatorCores = tps * cluster.aggregatorCPU / Double(rows)
            out += "  - K = \(k): \(grouped(Int(tps))) tx/s (aggregators then need ≈ \(String(format: "%.1f", aggregatorCores)) cores)\n"
        }
        out +=
            "- Per master at this run's division: \(String(format: "%.2f", perTxMaster)) µs of Redis per transaction of the whole stream\n"
        return out
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
