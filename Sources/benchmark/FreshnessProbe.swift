import Foundation
import Redis
import StatsCore
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Freshness: how long a transaction takes from a producer's `LPUSH` to being visible in
/// `GET /stats`. A producer thread offers `rate` JSON transactions a second (a pipelined LPUSH
/// of `rate / 100` items every 10 ms, each with an id, in a currency no other data uses) while
/// one aggregator runs; this thread asks the api for that day and currency every ~2 ms. A chunk's latency is from just before its LPUSH was sent to the first answer that
/// counts it (every item is 1.00, so the total is the number of items visible).
struct FreshnessProbe {
    let redisURL: RedisURL
    let apiPort: Int
    let day: CivilDay
    let rate: Int
    let seconds: Double
    /// Items with ids (the ledger decides each) or without.
    let ids: Bool
    /// A currency no other data of the run uses, one per probe run.
    var currency: String { ids ? "CHF" : "NOK" }

    struct Result {
        var ids: Bool
        var offeredPerSecond: Double
        var latenciesMs: [Double]
        var polls: Int
    }

    func item(_ n: Int) -> String {
        let second = n % 86_400
        let hh = second / 3600
        let mm = second / 60 % 60
        let ss = second % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return
            #"{"timestamp":"\#(day)T\#(two(hh)):\#(two(mm)):\#(two(ss))Z","type":"deposit","payment_method":"visa","amount":"1.00","currency":"\#(currency)","status":"success"\#(ids ? #","id":"fresh-\#(n)""# : "")}"#
    }

    func run() throws -> Result {
        let perChunk = max(1, rate / 100)
        let chunks = Int(seconds * 100)
        let items = (0..<(perChunk * chunks)).map(item)
        let log = ProducerLog()
        let url = redisURL
        let producer = Thread {
            let redis = RedisClient(url: url)
            let start = ContinuousClock.now
            do {
                for k in 0..<chunks {
                    let due = start + .milliseconds(10 * k)
                    let wait = ContinuousClock.now.duration(to: due)
                    if wait > .zero { usleep(UInt32(wait.seconds * 1_000_000)) }
                    var command = RedisCommand(["LPUSH", "TransactionQueue"])
                    for i in (k * perChunk)..<((k + 1) * perChunk) { command.append(items[i]) }
                    let sent = ContinuousClock.now
                    _ = try redis.pipeline([command])[0].check()
                    log.pushed.withLock { $0.append((sent, (k + 1) * perChunk)) }
                }
            } catch {
                log.failure.withLock { $0 = "producer: \(error)" }
            }
            log.finished.withLock { $0 = true }
        }
        producer.start()

        let path = "/stats?from_date=\(day)&to_date=\(day)&currency=\(currency)"
        var seen: [(at: ContinuousClock.Instant, visible: Int)] = []
        let deadline = ContinuousClock.now + .seconds(seconds + 30)
        while ContinuousClock.now < deadline {
            let answer = try LoopbackHTTP.get(port: apiPort, path)
            let at = ContinuousClock.now
            guard answer.status == 200 else {
                throw BenchmarkError("FAIL: GET \(path) answered \(answer.status): \(answer.body.prefix(200))")
            }
            let visible = Int(StatsCheck.total(try StatsCheck.parseAnswer(answer.body)) / 100)
            seen.append((at, visible))
            if log.finished.withLock({ $0 }) && visible >= log.pushed.withLock({ $0.last?.cumulative ?? 0 }) { break }
            // A poll every ~2 ms: fine enough for a 250 ms target, without the probe itself
            // taking a core from the api and the aggregator on a 2-core machine.
            usleep(2_000)
        }
        producer.cancel()
        if let f = log.failure.withLock({ $0 }) { throw BenchmarkError(f) }
        let chunksPushed = log.pushed.withLock { $0 }
        guard chunksPushed.count == chunks, let last = seen.last, last.visible == chunks * perChunk else {
            throw BenchmarkError(
                "FAIL: freshness: \(chunksPushed.count)/\(chunks) chunks pushed, \(seen.last?.visible ?? 0) of \(chunks * perChunk) transactions visible in /stats"
            )
        }
        var latencies: [Double] = []
        var j = 0
        for c in chunksPushed {
            while seen[j].visible < c.cumulative || seen[j].at < c.sent { j += 1 }
            latencies.append(c.sent.duration(to: seen[j].at).seconds * 1000)
        }
        let span = chunksPushed.first!.sent.duration(to: chunksPushed.last!.sent).seconds
        return Result(
            ids: ids, offeredPerSecond: Double(chunks * perChunk) / max(span + 0.01, 0.01), latenciesMs: latencies.sorted(),
            polls: seen.count)
    }
}

/// What the producer thread reports to the polling one.
final class ProducerLog: Sendable {
    let pushed = Mutex<[(sent: ContinuousClock.Instant, cumulative: Int)]>([])
    let failure = Mutex<String?>(nil)
    let finished = Mutex(false)
}
