import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

@Suite("Dead letters: bad rows and items are kept with their reason, good ones counted", .serialized)
struct DeadLetterTests {
    func deadLetters(_ redis: RedisClient) throws -> [DeadLetter] {
        try (redis.run("LRANGE", "{TransactionQueue}:dead", "0", "-1").check().array ?? []).map { try DeadLetter.decode($0.text!) }
    }

    @Test("malformed CSV rows land in the dead-letter list with reason and line; the rows around them count")
    func badRows() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let long = String(repeating: "x", count: 70_000)
        let rows: [(String, String?)] = [ // (row, expected reason or nil for a good row)
            ("2026-03-01T10:00:00,deposit,visa,10.00,0,success", nil),
            ("2026-03-01T10:05:00,deposit,visa,12.345,0,success", "bad_amount"),
            ("2026-03-01T10:06:00,deposit,visa,-5.00,0,success", "bad_amount"),
            ("2026-03-01T10:07:00,deposit,visa,abc,0,success", "bad_amount"),
            ("2026-03-01T10:08:00,deposit,visa,99999999999999999999,0,success", "bad_amount"),
            ("2026-02-30T10:09:00,deposit,visa,1.00,0,success", "bad_timestamp"),
            ("2026-03-01T10:10:00,refund,visa,1.00,0,success", "bad_type"),
            ("2026-03-01T10:11:00,deposit,visa,1.00,0,exploded", "bad_status"),
            ("2026-03-01T10:12:00,deposit,visa,1.00,0", "column_count"),
            ("2026-03-01T10:13:00,deposit,vi\u{FFFD}sa,1.00,0,success", nil), // valid UTF-8 replacement char is fine
            ("2026-03-01T10:14:00,deposit,visa,1.00,0,success,extra", "column_count"),
            ("2026-03-01T10:15:00,deposit,\"vi\"sa,1.00,0,success", "bad_quoting"),
            ("2026-03-01T10:16:00,deposit,\(long),1.00,0,success", "line_too_long"),
            ("2026-03-01T10:17:00,deposit,,1.00,0,success", "bad_payment_method"),
            ("2026-03-01T10:18:00,WITHDRAWAL,PayPal,0.10,0,Completed", nil),
            ("2026-03-01T10:19:00,withdrawal,paypal,0.20,0,error", nil),
            ("2026-03-01T10:20:00,withdrawal,paypal,0.20,x,success", "bad_sleep_ms"),
        ]
        var text = "timestamp,type,payment_method,amount,sleep_ms,status\n"
        for (row, _) in rows { text += row + "\n" }
        var data = Data(text.utf8)
        // Bad UTF-8 on the line after the last one above.
        data.append(contentsOf: Array("2026-03-01T10:21:00,deposit,vi".utf8) + [0xC3, 0x28] + Array("sa,1.00,0,success\n".utf8))
        data.append(contentsOf: Array("2026-03-01T10:22:00,deposit,visa,5.50,0,pending\n".utf8))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-bad-\(UUID().uuidString.prefix(6)).csv").path
        try data.write(to: URL(fileURLWithPath: path))

        let imp = try importer(server, path, extra: ["--strict"])
        #expect(try imp.wait() == 3, "--strict exits 3 when rows were rejected")
        let redis = server.connection()
        let dead = try deadLetters(redis)
        var expectedDead: [Int: String] = [:]
        for (i, (_, reason)) in rows.enumerated() { if let reason { expectedDead[i + 2] = reason } }
        expectedDead[rows.count + 2] = "bad_utf8"
        let got = Dictionary(dead.map { ($0.line ?? -1, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(got == expectedDead)
        #expect(dead.allSatisfy { $0.stage == "import" && $0.file == path && !$0.detail.isEmpty })
        #expect(dead.first { $0.line == 3 }?.raw == rows[1].0)
        #expect(dead.first { $0.line == 3 }?.detail.contains("12.345") == true)
        #expect(imp.stdout.contains("rows rejected: \(expectedDead.count)"), "\(imp.stdout)")

        #expect(try aggregator(server, id: "d1", drain: true).wait() == 0)
        let snapshot = try AggregateSnapshot.read(redis)
        let byKey = Dictionary(grouping: snapshot, by: { "\($0.key.type)|\($0.key.method)|\($0.key.status)" })
            .mapValues { $0.reduce(Tally()) { Tally(count: $0.count + $1.value.count, amount: $0.amount + $1.value.amount) } }
        #expect(byKey["deposits|visa|success"] == Tally(count: 1, amount: 1000))
        #expect(byKey["deposits|vi\u{FFFD}sa|success"] == Tally(count: 1, amount: 100))
        #expect(byKey["withdrawals|paypal|success"] == Tally(count: 1, amount: 10))
        #expect(byKey["withdrawals|paypal|failed"] == Tally(count: 1, amount: 20))
        #expect(byKey["deposits|visa|pending"] == Tally(count: 1, amount: 550))
        #expect(snapshot.values.reduce(0) { $0 + $1.count } == 5)
    }

    @Test("malformed queue items are dead-lettered by the aggregator; JSON items from other producers count exactly")
    func badItems() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let items = [
            #"{"timestamp":"2026-04-01T08:00:00Z","type":"deposit","payment_method":"visa","amount":0.1}"#,
            #"{"Timestamp":"2026-04-01T08:30:00","Type":"Deposit","PaymentMethod":"VISA","Amount":"0.2","status":"success","id":"x"}"#,
            #"{"timestamp":1775032200,"type":"withdrawal","method":"wire","amount":"100","nested":{"a":[1,2]}}"#,
            "this is not a transaction",
            #"{"timestamp":"2026-04-01T08:00:00Z","type":"deposit","amount":"1.00"}"#,
            #"{"timestamp":"2026-04-01T08:00:00Z","type":"deposit","payment_method":"visa","amount":1e3}"#,
            #"{"timestamp":"2026-04-01T08:00:00Z","type":"deposit","payment_method":"visa","amount":"1.00""#,
            "TXB1 3 src 2\n1775030400\td\tvisa\ts\t1000\n",
            "TXB1 2 src 2\n1775030400\td\tvisa\ts\t1000\nnot a row\n",
        ]
        for item in items { try redis.run("LPUSH", "TransactionQueue", item).check() }
        #expect(try aggregator(server, id: "j1", drain: true).wait() == 0)
        let dead = try deadLetters(redis)
        let reasons = dead.map(\.reason).sorted()
        #expect(reasons == ["bad_amount", "bad_item", "bad_item", "bad_item", "bad_item", "scale_mismatch"].sorted(), "\(dead)")
        #expect(dead.allSatisfy { $0.stage == "aggregate" && $0.worker == "j1" })
        #expect(dead.contains { $0.raw == "this is not a transaction" })
        #expect(dead.contains { $0.detail.contains("payment_method") })

        let snapshot = try AggregateSnapshot.read(redis)
        // 0.1 + 0.2 is exactly 0.30, plus the 10.00 from the good TXB1 row.
        let visa = snapshot.filter { $0.key.method == "visa" }.values.reduce(Tally()) {
            Tally(count: $0.count + $1.count, amount: $0.amount + $1.amount)
        }
        #expect(visa == Tally(count: 3, amount: 1030))
        let wire = snapshot.filter { $0.key.method == "wire" }
        #expect(wire.count == 1 && wire.first?.key.day == "2026-04-01" && wire.first?.key.hour == 8 && wire.first?.value.amount == 10000)
        #expect(try redis.run("HGET", "agg:2026-04-01:deposits:USD:{TransactionQueue}", "visa").int == 1030)
    }
}
