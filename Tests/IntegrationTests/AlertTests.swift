import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Alerting webhook", .serialized)
struct AlertTests {
    @Test("dead letters past the threshold post one JSON alert to the webhook, then stay quiet for the interval")
    func deadLetterAlert() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let redis = server.connection()
        let agg = try aggregator(
            server, id: "al1",
            env: [
                "TXSTATS_ALERT_WEBHOOK_URL": "http://127.0.0.1:\(hook.port)/hook",
                "TXSTATS_ALERT_DEAD_LETTERS": "2", "TXSTATS_ALERT_INTERVAL_SECONDS": "600",
            ])
        defer { agg.signal(SIGTERM) }
        for i in 0..<3 { try redis.run("LPUSH", "TransactionQueue", "garbage \(i)").check() }
        var waited = 0
        while hook.received.isEmpty && waited < 100 {
            usleep(100_000)
            waited += 1
        }
        let alerts = hook.received
        #expect(alerts.count == 1, "\(alerts)")
        let alert = try #require(alerts.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any])
        #expect(alert["source"] as? String == "txstats")
        #expect(alert["kind"] as? String == "dead_letters")
        #expect(alert["worker"] as? String == "aggregator")
        #expect((alert["fields"] as? [String: String])?["size"] == "3")

        // More dead letters within the interval: no second message.
        for i in 3..<6 { try redis.run("LPUSH", "TransactionQueue", "garbage \(i)").check() }
        usleep(2_000_000)
        #expect(hook.received.count == 1, "rate-limited")
        #expect(try redis.run("LLEN", "{TransactionQueue}:dead").int == 6)
    }
}
