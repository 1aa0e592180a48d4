import Foundation
import StatsCore
import TestSupport

/// What one `wrk --latency` run reported.
struct WrkResult: Codable {
    var requests: Int
    var seconds: Double
    var requestsPerSecond: Double
    var p50ms: Double
    var p99ms: Double
    var maxMs: Double
    /// connect + read + write + timeout errors
    var socketErrors: Int
    /// answers with a status other than 2xx/3xx
    var non2xx: Int
    /// wrk's own CPU time (user + system)
    var cpuSeconds = 0.0
}

/// Runs the `wrk` load generator (Debian package `wrk`) and parses its text report.
struct Wrk {
    let executable: String
    var threads = 2
    var connections = 50
    var seconds = 10

    init(threads: Int, connections: Int, seconds: Int) throws {
        executable = try Executables.locate("wrk", hint: "install it (apt-get install -y wrk)")
        self.threads = threads
        self.connections = connections
        self.seconds = seconds
    }

    var commandLine: String { "wrk -t\(threads) -c\(connections) -d\(seconds)s --latency" }

    func run(url: String, logPath: String) throws -> WrkResult {
        let child = try ChildProcess(
            executable, arguments: ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", url],
            name: "wrk", stdout: .file(logPath))
        _ = try child.wait(timeout: .seconds(seconds + 60))
        try child.requireSuccess()
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        guard var result = Self.parse(text) else { throw BenchmarkError("cannot read wrk's report:\n\(text)") }
        result.cpuSeconds = child.exit!.cpuSeconds
        return result
    }

    /// Reads `Requests/sec:`, the `Latency` line's max, the 50%/99% lines of the latency
    /// distribution, `N requests in Xs`, socket errors and non-2xx answers.
    static func parse(_ text: String) -> WrkResult? {
        var rps: Double?
        var p50: Double?
        var p99: Double?
        var max: Double?
        var requests: Int?
        var seconds: Double?
        var socketErrors = 0
        var non2xx = 0
        for raw in text.split(whereSeparator: \.isNewline) {
            let f = raw.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = f.first else { continue }
            switch first {
            case "Requests/sec:" where f.count >= 2: rps = Double(f[1])
            case "50%" where f.count >= 2: p50 = milliseconds(f[1])
            case "99%" where f.count >= 2: p99 = milliseconds(f[1])
            case "Latency" where f.count >= 4: max = milliseconds(f[3])
            case "Non-2xx" where f.count >= 5: non2xx += Int(f[4]) ?? 1
            case "Socket" where f.count >= 3:
                // Socket errors: connect 0, read 0, write 0, timeout 0
                for (i, word) in f.enumerated() where ["connect", "read", "write", "timeout"].contains(word) && i + 1 < f.count {
                    socketErrors += Int(f[i + 1].trimmingCharacters(in: CharacterSet(charactersIn: ","))) ?? 0
                }
            default:
                // 123456 requests in 10.00s, 56.04MB read
                if f.count >= 4, f[1] == "requests", f[2] == "in", let n = Int(first) {
                    requests = n
                    seconds = Self.milliseconds(f[3].trimmingCharacters(in: CharacterSet(charactersIn: ","))).map { $0 / 1000 }
                }
            }
        }
        guard let rps, let p50, let p99, let max, let requests, let seconds else { return nil }
        return WrkResult(
            requests: requests, seconds: seconds, requestsPerSecond: rps, p50ms: p50, p99ms: p99, maxMs: max,
            socketErrors: socketErrors, non2xx: non2xx)
    }

    /// wrk prints durations as `812.00us`, `1.23ms`, `2.00s`, `1.00m`, `1.00h`.
    static func milliseconds(_ text: some StringProtocol) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0), ("h", 3_600_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}
