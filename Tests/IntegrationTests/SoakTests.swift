import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 10,000 idle connections held against the api for 30 s while normal requests go on, then
/// closed; and, beside it, a second api under a 256-descriptor limit flooded with 1,000
/// connections. Loopback only, bounded in time (about 45 s).
@Suite("api soak, real process")
struct SoakTests {
    /// This process needs 11,000+ descriptors: raise its soft limit to the hard one.
    static func raiseOpenFiles() -> Int {
        var l = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        l.rlim_cur = l.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        return Int(clamping: l.rlim_cur)
    }

    static func rssMiB(_ pid: pid_t) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    /// `txstats_http_open_connections` as the api reports it.
    static func openConnections(_ port: Int) -> Int? {
        guard let m = try? LoopbackHTTP.get(port: port, "/metrics", timeout: .seconds(10)).body else { return nil }
        return m.split(separator: "\n").first { $0.hasPrefix("txstats_http_open_connections ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
    }

    @Test(
        "10,000 idle connections and normal traffic for 30 s: answers within 1 s, RSS back within 20% once they close; a flood past a small descriptor limit survived"
    )
    func soak() throws { try HeavyTests.exclusively { try soakRun() } }

    func soakRun() throws {
        let limit = Self.raiseOpenFiles()
        try #require(limit >= 12_000, "needs RLIMIT_NOFILE >= 12000 (hard limit is \(limit))")
        let redis = try RedisServer()
        defer { redis.stop() }
        let (api, port) = try ApiHardeningTests.startAPI(
            ["--idle-timeout", "120"],
            environment: ["REDIS_URL": redis.urlString, "TXSTATS_TODAY": "2026-01-20", "LOG_LEVEL": "warning"])
        defer { _ = api.terminate() }
        let normal = "/stats?from_date=2026-01-18&to_date=2026-01-20"
        for _ in 0..<100 { #expect(try LoopbackHTTP.get(port: port, normal).status == 200) }
        let rssStart = Self.rssMiB(api.pid)

        // The small-limit api, flooded while the soak runs (on a thread of its own: everything
        // here blocks, and must not wait for the shared task pool).
        let flood = FloodResult()
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            let small: ChildProcess
            let smallPort: Int
            do { (small, smallPort) = try ApiHardeningTests.startAPI(["--idle-timeout", "2"], openFiles: 256) } catch {
                flood.set(alive: false, answered: false, log: "the small-limit api did not start: \(error)")
                return
            }
            defer { _ = small.terminate() }
            var sockets: [RawSocket] = []
            for _ in 0..<1000 { if let s = try? RawSocket(port: smallPort, wait: false) { sockets.append(s) } }
            usleep(4_000_000)
            let alive = small.isRunning
            for s in sockets { s.close() }
            let answered = (try? LoopbackHTTP.get(port: smallPort, "/healthz", timeout: .seconds(8)))?.status == 200
            flood.set(alive: alive && small.isRunning, answered: answered, log: small.standardOutput)
        }.start()

        // 10,000 idle connections, all accepted before the clock starts.
        var idle: [RawSocket] = []
        idle.reserveCapacity(10_000)
        for _ in 0..<10_000 { idle.append(try RawSocket(port: port, wait: false)) }
        let acceptedBy = ContinuousClock.now + .seconds(20)
        var open = 0
        while ContinuousClock.now < acceptedBy {
            open = Self.openConnections(port) ?? 0
            if open >= 10_000 { break }
            usleep(200_000)
        }
        #expect(open >= 10_000, "the api holds \(open) connections")

        // Normal traffic for 30 s, every 100 ms, each on a fresh connection.
        var worst: Duration = .zero
        var count = 0
        var failures = 0
        var rssPeak = Self.rssMiB(api.pid)
        let end = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < end {
            let t = ContinuousClock.now
            let ok = (try? LoopbackHTTP.get(port: port, normal, timeout: .seconds(5)))?.status == 200
            let took = ContinuousClock.now - t
            if ok { count += 1 } else { failures += 1 }
            worst = max(worst, took)
            rssPeak = max(rssPeak, Self.rssMiB(api.pid))
            usleep(100_000)
        }
        #expect(failures == 0, "\(failures) normal requests failed")
        #expect(count > 200)
        #expect(worst < .seconds(1), "slowest normal answer: \(worst)")

        // Close them; the api lets go of their memory.
        for s in idle { s.close() }
        idle.removeAll()
        var rssAfter = rssPeak
        let settle = ContinuousClock.now + .seconds(12)
        while ContinuousClock.now < settle {
            usleep(500_000)
            rssAfter = Self.rssMiB(api.pid)
            if (Self.openConnections(port) ?? 99) < 10, rssAfter <= rssStart * 1.2 { break }
        }
        print("soak: RSS start \(rssStart) MiB, peak \(rssPeak) MiB, after \(rssAfter) MiB; \(count) normal requests, slowest \(worst)")
        #expect(rssPeak > rssStart, "the idle connections cost memory while held")
        #expect(rssAfter <= rssStart * 1.2, "RSS after: \(rssAfter) MiB, start \(rssStart) MiB, peak \(rssPeak) MiB")
        #expect(api.isRunning)

        #expect(done.wait(timeout: .now() + 30) == .success)
        let small = flood.value
        #expect(small.alive, "the small-limit api survived the flood: \(small.log.suffix(1500))")
        #expect(small.answered, "and answers once it is over")
        #expect(small.log.contains("connection limit reached"), "\(small.log.suffix(1500))")
    }
}

/// What the flood thread found.
final class FloodResult: @unchecked Sendable {
    private let lock = NSLock()
    private var result = (alive: false, answered: false, log: "the small-limit api did not start")

    func set(alive: Bool, answered: Bool, log: String) { lock.withLock { result = (alive, answered, log) } }
    var value: (alive: Bool, answered: Bool, log: String) { lock.withLock { result } }
}
