import Foundation
import Redis
import StatsCore

/// Reads every aggregate of a queue back from Redis, through the documented key layout, and
/// checks that the three views of a day (hourly, status, totals) agree with each other.
enum AggregateSnapshot {
    /// The cells of one currency (the tests' default is USD, the fleet's default currency).
    static func read(_ redis: RedisClient, queue: String = "TransactionQueue", currency: String = "USD") throws -> [Cell: Tally] {
        let tag = "{\(queue)}"
        let days = try redis.run("ZRANGE", "\(tag):days", "0", "-1").check().array?.compactMap(\.text) ?? []
        var cells: [Cell: Tally] = [:]
        for day in days {
            for type in ["deposits", "withdrawals"] {
                var statusSums: [String: Int64] = [:]
                var successByMethod: [String: Int64] = [:]
                for (field, value) in try redis.run("HGETALL", "agg:\(day):\(type):\(currency):\(tag):hourly").check().pairs {
                    let p = field.split(separator: "|").map(String.init)
                    guard p.count == 4, let hour = Int(p[2]), let v = Int64(value) else {
                        throw TestFailure("bad hourly field \(field)=\(value)")
                    }
                    let cell = Cell(day: day, type: type, method: p[0], status: p[1], hour: hour)
                    if p[3] == "n" { cells[cell, default: Tally()].count += Int(v) } else { cells[cell, default: Tally()].amount += v }
                    statusSums["\(p[0])|\(p[1])|\(p[3])", default: 0] += v
                    if p[1] == "success" && p[3] == "a" { successByMethod[p[0], default: 0] += v }
                }
                let status = Dictionary(
                    uniqueKeysWithValues: try redis.run("HGETALL", "agg:\(day):\(type):\(currency):\(tag):status").check().pairs.map {
                        ($0.0, Int64($0.1)!)
                    })
                guard status == statusSums else {
                    throw TestFailure("\(day) \(type): status hash \(status) disagrees with hourly sums \(statusSums)")
                }
                let totals = Dictionary(
                    uniqueKeysWithValues: try redis.run("HGETALL", "agg:\(day):\(type):\(currency):\(tag)").check().pairs.map {
                        ($0.0, Int64($0.1)!)
                    })
                guard totals == successByMethod.filter({ $0.value != 0 }) else {
                    throw TestFailure("\(day) \(type): totals hash \(totals) disagrees with success amounts \(successByMethod)")
                }
            }
        }
        return cells.filter { $0.value != Tally() }
    }

    /// Waits until the queue and every in-flight list are empty (dead workers' lists are taken
    /// over after their heartbeat timeout).
    static func waitUntilDrained(_ redis: RedisClient, queue: String = "TransactionQueue", timeout: Double = 90) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let q = try redis.run("LLEN", queue).int ?? -1
            let inflight = try redis.run("KEYS", "{\(queue)}:inflight:*").array?.compactMap(\.text) ?? []
            var busy = q
            for k in inflight { busy += try redis.run("LLEN", k).int ?? 0 }
            if busy == 0 { return }
            usleep(20_000)
        }
        throw TestFailure("queue not drained within \(timeout) s")
    }
}
