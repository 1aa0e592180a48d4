import Foundation
import Logging
import Redis
import StatsCore
import Synchronization
import WorkerRuntime

/// One aggregator process: an ``AggregatorWorker`` per partition it works, each on a thread of
/// its own with its own Redis connection(s).
///
/// Which partitions: those pinned with `--partitions`, or else its share of all of them. Every
/// aggregator answers a roll call in partition 0 (`{Q}:aggregators`, server clock) about four
/// times per heartbeat timeout, and takes the partitions ``PartitionAssignment`` gives its place
/// among the live ones. When one joins, the others hand over partitions (a worker told to stop
/// commits what it holds and hands the rest back to the queue); when one dies, its roll-call
/// entry goes stale after the heartbeat timeout, the others take its partitions over, and their
/// workers reclaim its in-flight lists. With one partition and nothing pinned the process is
/// exactly the single worker it always was.
final class AggregatorFleet {
    let settings: AggregatorSettings
    let logger: Logger
    let stop: StopFlag
    let redis: RedisClient
    private var running: [Int: Running] = [:]

    /// A worker thread's state, shared between it and this supervisor.
    final class Running: Sendable {
        let stop = StopFlag()
        let finished = Atomic<Bool>(false)
        let failure = Mutex<String?>(nil)
    }

    /// A worker stopped on an error that waiting cannot fix (its text names it).
    struct WorkerFailed: Error, CustomStringConvertible {
        var partition: Int
        var message: String
        var description: String { "aggregator worker for partition \(partition) failed: \(message)" }
    }

    init(settings: AggregatorSettings, logger: Logger, stop: StopFlag) {
        self.settings = settings
        self.logger = logger
        self.stop = stop
        self.redis = RedisClient(seeds: settings.core.redis)
        self.redis.logger = logger
    }

    var rollCallInterval: Duration { .milliseconds(min(1000, settings.heartbeatTimeoutMs / 4)) }

    func run() throws {
        if settings.core.partitions == 1 && settings.pinned == nil {
            try AggregatorWorker(settings: settings, partition: 0, logger: logger, stop: stop).run()
            return
        }
        logger.info(
            "aggregator fleet member starting",
            metadata: [
                "partitions": "\(settings.core.partitions)",
                "pinned": "\(settings.pinned.map { $0.map(String.init).joined(separator: ",") } ?? "no")",
            ])
        var desired: [Int] = settings.pinned ?? []
        var drained = Set<Int>()
        var backoff = Backoff()
        defer { leaveRollCall() }
        while true {
            if !stop.isRequested && settings.pinned == nil {
                do {
                    let live = try rollCall(as: settings.workerId)
                    let share = PartitionAssignment.partitions(of: settings.workerId, live: live, count: settings.core.partitions)
                    if share != desired {
                        logger.info(
                            "partitions assigned", metadata: ["partitions": "\(share)", "live_aggregators": "\(live.count)"])
                    }
                    desired = share
                    backoff.reset()
                } catch let error as RedisError where error.isTransient {
                    // Keep working what we have; the workers have their own retries.
                    logger.warning("roll call failed, retrying", metadata: ["error": "\(error)", "attempt": "\(backoff.failures + 1)"])
                    _ = backoff.next()
                }
            }
            let wanted = stop.isRequested ? Set<Int>() : Set(desired)
            for (p, r) in running where !wanted.contains(p) { r.stop.request() }
            for p in wanted.sorted() where running[p] == nil && !drained.contains(p) { start(p) }
            for (p, r) in running where r.finished.load(ordering: .acquiring) {
                running[p] = nil
                if let message = r.failure.withLock({ $0 }) {
                    for other in running.values { other.stop.request() }
                    waitForWorkers()
                    throw WorkerFailed(partition: p, message: message)
                }
                if settings.drain && wanted.contains(p) { drained.insert(p) }
            }
            if running.isEmpty && (stop.isRequested || (settings.drain && wanted.isSubset(of: drained))) { return }
            blockingSleep(rollCallInterval, stop: stop)
            if stop.isRequested { blockingSleep(.milliseconds(20)) }
        }
    }

    /// Starts the worker of partition `p` on a thread of its own.
    private func start(_ p: Int) {
        let r = Running()
        running[p] = r
        let settings = self.settings
        let logger = self.logger
        let thread = Thread {
            do {
                try AggregatorWorker(settings: settings, partition: p, logger: logger, stop: r.stop).run()
            } catch {
                r.failure.withLock { $0 = "\(error)" }
            }
            r.finished.store(true, ordering: .releasing)
        }
        thread.name = "aggregator-p\(p)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func waitForWorkers() {
        while running.values.contains(where: { !$0.finished.load(ordering: .acquiring) }) { blockingSleep(.milliseconds(20)) }
        running.removeAll()
    }

    /// Answers the roll call and returns every live aggregator's id.
    private func rollCall(as member: String) throws -> [String] {
        let reply = try redis.evalScript(
            Scripts.fleetHeartbeat, keys: [settings.core.keys.aggregators],
            args: RedisCommand([member, String(settings.heartbeatTimeoutMs)]))
        return (try reply.check().array ?? []).compactMap(\.text)
    }

    /// A clean exit leaves the roll call at once, so the others take over without waiting.
    private func leaveRollCall() {
        guard settings.pinned == nil else { return }
        _ = try? redis.run("ZREM", settings.core.keys.aggregators, settings.workerId)
    }
}
