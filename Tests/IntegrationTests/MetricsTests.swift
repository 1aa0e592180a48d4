import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Prometheus text: `name{labels} value` lines and `#` comments, parsed strictly.
func prometheusSamples(_ text: String) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { throw TestFailure("not a sample line: \(line)") }
        let series = String(line[..<space])
        let valueText = line[line.index(after: space)...]
        guard let value = Double(valueText) ?? (valueText == "+Inf" ? .infinity : nil) else { throw TestFailure("bad value in: \(line)") }
        let name = series.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard !name.isEmpty, name.first!.isLetter || name.first == "_",
            series.count == name.count || (series.dropFirst(name.count).hasPrefix("{") && series.hasSuffix("}"))
        else {
            throw TestFailure("bad series in: \(line)")
        }
        out[series] = value
    }
    return out
}

@Suite("Metrics: Prometheus text that moves with the work", .serialized)
struct MetricsTests {
    @Test("a running aggregator's /metrics counts items, rows and commits; the api's counts requests by route and status")
    func aggregatorAndApi() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let metricsPort = try Loopback.freePort()
        let agg = try fleet.run("aggregator", ["--worker-id", "m1", "--metrics-port", String(metricsPort), "--heartbeat-timeout", "2"])
        defer { agg.signal(SIGTERM) }
        var before: [String: Double] = [:]
        for _ in 0..<100 {
            if let r = try? LoopbackHTTP.get(port: metricsPort, "/metrics", timeout: .seconds(1)), r.status == 200 {
                before = try prometheusSamples(r.body)
                break
            }
            usleep(50_000)
        }
        #expect((before["txstats_aggregator_rows_total"] ?? 0) == 0)

        let csv = try sampleCSV(rows: 5_000, days: 3, seed: 81, start: "2026-01-15")
        #expect(try fleet.run("importer", ["--no-sleep", csv]).wait() == 0)
        try AggregateSnapshot.waitUntilDrained(fleet.redis.connection())
        usleep(1_200_000) // past a heartbeat, when the queue gauges are sampled
        let after = try prometheusSamples(try LoopbackHTTP.get(port: metricsPort, "/metrics").body)
        #expect(after["txstats_aggregator_rows_total"] == 5_000)
        #expect((after["txstats_aggregator_items_total"] ?? 0) >= 10)
        #expect((after["txstats_aggregator_commits_total"] ?? 0) >= 1)
        #expect(after.keys.contains { $0.hasPrefix("txstats_aggregator_commit_seconds_bucket") })
        #expect(after["txstats_queue_length"] == 0)
        #expect(after["txstats_aggregator_inflight_items"] == 0)

        // Events with ids (yesterday: inside the ledger window, which runs on the real clock):
        // new, an exact resend, a status change, an older (stale) one.
        let redis = fleet.redis.connection()
        let day = UTCTimestamp.iso8601(Int64(Date().timeIntervalSince1970) - 86_400).prefix(10)
        func event(_ status: String, _ time: String) -> String {
            #"{"id":"m-1","timestamp":"\#(day)T10:00:00Z","type":"deposit","payment_method":"visa","amount":"5.00","status":"\#(status)","updated_at":"\#(day)T\#(time)Z"}"#
        }
        for e in [
            event("pending", "10:00:00"), event("pending", "10:00:00"), event("success", "10:00:30"), event("failed", "10:00:10"),
        ] {
            _ = try redis.run("LPUSH", "TransactionQueue", e).check()
            try AggregateSnapshot.waitUntilDrained(redis)
        }
        // The counters move when the commit's reply reaches the worker, just after Redis shows it.
        let wanted: [String: Double] = ["new": 1, "duplicate": 1, "moved": 1, "stale": 1]
        var ledger: [String: Double] = [:]
        for _ in 0..<50 {
            let m = try prometheusSamples(try LoopbackHTTP.get(port: metricsPort, "/metrics").body)
            ledger = wanted.keys.reduce(into: [:]) { $0[$1] = m[#"txstats_ledger_events_total{outcome="\#($1)"}"#] ?? 0 }
            if ledger == wanted { break }
            usleep(100_000)
        }
        #expect(ledger == wanted)

        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        for _ in 0..<3 { _ = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-15&to_date=2026-01-17") }
        _ = try LoopbackHTTP.get(port: port, "/stats?from_date=bad&to_date=2026-01-17")
        _ = try LoopbackHTTP.get(port: port, "/api/v1/stats/provider/visa")
        let m = try prometheusSamples(try LoopbackHTTP.get(port: port, "/metrics").body)
        #expect(m[#"txstats_http_requests_total{route="/stats",status="200"}"#] == 3, "\(m.keys.filter { $0.contains("http") })")
        #expect(m[#"txstats_http_requests_total{route="/stats",status="400"}"#] == 1)
        #expect(m[#"txstats_http_requests_total{route="/api/v1/stats/provider/{id}",status="200"}"#] == 1)
        #expect(m.keys.contains { $0.hasPrefix("txstats_http_request_seconds_bucket{") && $0.contains(#"route="/stats""#) })
    }
}
