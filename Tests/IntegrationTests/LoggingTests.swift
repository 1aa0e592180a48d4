import Foundation
import StatsCore
import TestSupport
import Testing

@Suite("Logs: one JSON object per line, never a secret", .serialized)
struct LoggingTests {
    @Test("with a password in REDIS_URL, no log line of the importer or aggregator contains it, even on auth failure")
    func passwordNeverLogged() throws {
        let secret = "s3cret-\(UUID().uuidString.prefix(6))"
        let server = try RedisServer(password: secret)
        defer { server.stop() }
        let csv = try sampleCSV(rows: 2_000, days: 1, seed: 9)
        let imp = try importer(server, csv, env: ["LOG_LEVEL": "debug"])
        #expect(try imp.wait() == 0, "\(imp.stderr.suffix(500))")
        let agg = try aggregator(server, id: "log1", drain: true, env: ["LOG_LEVEL": "debug"])
        #expect(try agg.wait() == 0)
        // A wrong password is a configuration error: logged, exit 1, still without either secret.
        let wrong = try Worker(
            "aggregator", ["--redis-url", "redis://:wrong-\(secret)@127.0.0.1:\(server.port)/0", "--worker-id", "log2", "--drain"])
        #expect(try wrong.wait(timeout: 30) == 1)

        for w in [imp, agg, wrong] {
            let lines = w.stderr.split(separator: "\n")
            #expect(!lines.isEmpty)
            #expect(!w.stderr.contains(secret), "\(w.name) logged the password")
            let parsed = logLines(w.stderr)
            #expect(parsed.count == lines.count, "every line is a JSON object: \(w.stderr.prefix(300))")
            #expect(parsed.allSatisfy { $0["level"] != nil && $0["msg"] != nil && $0["ts"] != nil && $0["instance"] != nil })
        }
        #expect(logLines(agg.stderr).contains { $0["worker"] == "aggregator" && ($0["redis"] ?? "").contains(":***@") })
        #expect(
            logLines(wrong.stderr).contains { $0["level"] == "critical" && ($0["error"] ?? "").contains("AUTH failed") },
            "the auth failure is logged: \(wrong.stderr.prefix(400))")
    }
}
