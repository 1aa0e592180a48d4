import Foundation
import Redis
import Synchronization
import TestSupport
import Testing

/// The ground a cluster client stands on: our slot function against the servers' own, and the
/// launcher's resharding and failover doing what real operators do.
@Suite("Redis Cluster: key slots, resharding and failover on a real cluster", .serialized)
struct ClusterSupportTests {
    /// Keys of every shape the slot rules have a case for, and the ones txstats writes.
    func keys() -> [String] {
        func random(_ alphabet: [Character], _ lengths: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: lengths)).map { _ in alphabet.randomElement()! })
        }
        let ascii = (0x20...0x7E).map { Character(UnicodeScalar($0)) }
        let braces = Array("{}{}ab")
        let unicode = Array("aé€ключ日本語😀{}:")
        var keys = ["", "foo", "123456789", "{user1000}.following", "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap"]
        keys += ["foo{bar}{zap}", "{", "}", "{}", "}{", "{{}}", "TransactionQueue"]
        keys += (0..<600).map { _ in random(ascii, 0...30) }
        keys += (0..<300).map { _ in random(ascii, 0...8) + "{" + random(ascii, 0...8) + "}" + random(ascii, 0...8) }
        keys += (0..<100).map { _ in random(ascii, 0...6) + "{}" + random(ascii, 0...6) + (Bool.random() ? "{x}" : "") }
        keys += (0..<250).map { _ in random(braces, 0...12) }
        for i in 0..<60 {
            keys += [
                "{TransactionQueue}:inflight:w\(i)", "agg:2026-01-15:deposits:USD:{TransactionQueue:\(i)}:hourly",
                "TransactionQueue:\(i)", "{TransactionQueue}:ledger:\(i)", "agg:2026-01-\(10 + i % 20):withdrawals:JPY:{TransactionQueue}",
            ]
        }
        keys += (0..<450).map { _ in random(unicode, 1...10) }
        return keys
    }

    @Test("RedisSlot agrees with CLUSTER KEYSLOT on ~2,000 keys of every shape")
    func slotsAgree() throws {
        let cluster = try RedisCluster(masters: 3, replicasPerMaster: 1)
        defer { cluster.stop() }
        print("cluster: 6 nodes healthy in \(cluster.startSeconds) s")
        #expect(cluster.nodes.count == 6)
        #expect(cluster.urlString == cluster.nodes.map { "redis://127.0.0.1:\($0.port)/0" }.joined(separator: ","))
        #expect(cluster.firstURL == cluster.nodes[0].url)
        let masters = try cluster.masters()
        #expect(masters.count == 3)
        for master in masters { #expect(try cluster.replicas(of: master).count == 1, "\(master)") }

        let keys = keys()
        let answers = try cluster.pipeline(cluster.nodes[0].port, keys.map { ["CLUSTER", "KEYSLOT", $0] })
        for (key, answer) in zip(keys, answers) {
            #expect(RedisSlot.of(key) == Int(answer), "key \(key.debugDescription)")
            #expect(RedisSlot.of(Array(key.utf8)) == Int(answer), "key \(key.debugDescription) as bytes")
        }
        #expect(try cluster.keySlot("foo") == 12182)
        #expect(try cluster.cpuSeconds(cluster.nodes[0]) >= 0)
    }

    @Test("a slot moves with its keys, slowly with ASK on the way; a killed master's replica takes over")
    func migrateAndFailOver() async throws {
        let cluster = try RedisCluster(masters: 3, replicasPerMaster: 1)
        defer { cluster.stop() }

        // At once.
        let slot = RedisSlot.of("{mig}")
        let source = try cluster.master(ofSlot: slot)
        let target = try cluster.masters().first { $0 != source }!
        let moved = (1...5).map { "{mig}:\($0)" }
        for key in moved { _ = try cluster.command(source.port, ["SET", key, "v-\(key)"]) }
        try cluster.migrate(slot: slot, to: target)
        #expect(try cluster.master(ofSlot: slot) == target)
        for key in moved { #expect(try cluster.command(target.port, ["GET", key]) == "v-\(key)") }
        #expect(throws: TestSupportError.self) { try cluster.command(source.port, ["GET", moved[0]]) }
        #expect(try cluster.command(target.port, ["CLUSTER", "COUNTKEYSINSLOT", String(slot)]) == "5")

        // Slowly: while keys are on both sides the source sends ASK for the ones it has given away.
        let slowSlot = RedisSlot.of("{slow}")
        let slowSource = try cluster.master(ofSlot: slowSlot)
        let slowTarget = try cluster.masters().first { $0 != slowSource }!
        let slow = (1...4).map { "{slow}:\($0)" }
        for key in slow { _ = try cluster.command(slowSource.port, ["SET", key, "v"]) }
        // On a thread of its own: under a busy test run the cooperative pool may not start a
        // task for longer than the migration's pauses last.
        let outcome = MoverOutcome()
        let mover = Thread {
            do {
                try cluster.migrateSlowly(slot: slowSlot, to: slowTarget, pauseBetweenBatches: .milliseconds(400), keysPerBatch: 1)
                outcome.state.withLock { $0 = (true, nil) }
            } catch {
                outcome.state.withLock { $0 = (true, "\(error)") }
            }
        }
        mover.start()
        var sawASK = false
        let deadline = ContinuousClock.now + .seconds(120)
        while !outcome.state.withLock({ $0.done }) && ContinuousClock.now < deadline {
            for key in slow {
                do { _ = try cluster.command(slowSource.port, ["GET", key]) } catch {
                    if "\(error)".contains("-ASK \(slowSlot) 127.0.0.1:\(slowTarget.port)") { sawASK = true }
                }
            }
            usleep(20_000)
        }
        let (finished, failure) = outcome.state.withLock { $0 }
        #expect(finished, "the slow migration did not finish")
        #expect(failure == nil, "migrateSlowly: \(failure ?? "")")
        #expect(sawASK, "a key given away during the migration was answered with ASK")
        #expect(try cluster.master(ofSlot: slowSlot) == slowTarget)
        for key in slow { #expect(try cluster.command(slowTarget.port, ["GET", key]) == "v") }

        // Failover of the master that now holds the first slot.
        let replicas = try cluster.replicas(of: target)
        let began = ContinuousClock.now
        let promoted = try cluster.killMaster(target)
        print("cluster: failover of \(target) to \(promoted) in \(began.duration(to: .now))")
        #expect(replicas.contains(promoted))
        #expect(!cluster.isRunning(target))
        let masters = try cluster.masters()
        #expect(masters.count == 3 && masters.contains(promoted) && !masters.contains(target))
        #expect(try cluster.master(ofSlot: slot) == promoted)
        for key in moved { #expect(try cluster.command(promoted.port, ["GET", key]) == "v-\(key)") }
        for node in cluster.liveNodes() {
            #expect(try cluster.command(node.port, ["CLUSTER", "INFO"]).contains("cluster_state:ok"), "\(node)")
        }

        // The old master comes back as its successor's replica.
        let restarted = ContinuousClock.now
        try cluster.restart(target)
        print("cluster: \(target) rejoined in \(restarted.duration(to: .now))")
        #expect(try cluster.replicas(of: promoted) == [target])
        #expect(try cluster.masters().count == 3)
    }
}

/// What the migrating thread reports back to the test.
final class MoverOutcome: Sendable {
    let state = Mutex<(done: Bool, error: String?)>((false, nil))
}
