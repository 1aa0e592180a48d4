import Redis
import Testing
import WorkerRuntime

@testable import StatsCore

@Suite("Settings, URLs and import markers")
struct ConfigTests {
    @Test("a flag wins over the environment, which wins over the default")
    func precedence() throws {
        let env = ["REDIS_URL": "redis://10.0.0.1:7000/2", "TXSTATS_QUEUE": "Q2", "TXSTATS_TIMEZONE": "Europe/Berlin"]
        var s = try CoreOptions.parse([]).resolve(environment: env)
        #expect(s.redis == RedisSeeds(RedisURL(host: "10.0.0.1", port: 7000, database: 2)) && s.partitions == 1 && s.replicaWait == nil)
        #expect(s.queue == "Q2" && s.timeZone == "Europe/Berlin" && s.currency.code == "USD" && s.ledgerDays == 35)
        s = try CoreOptions.parse(["--queue", "Q3", "--currency", "kwd"]).resolve(
            environment: env.merging(["TXSTATS_CURRENCY": "JPY"]) { $1 })
        #expect(s.queue == "Q3" && s.currency.code == "KWD" && s.currency.exponent == 3)
        s = try CoreOptions.parse([]).resolve(environment: ["TXSTATS_CURRENCY": "jpy", "TXSTATS_LEDGER_DAYS": "7"])
        #expect(s.currency.code == "JPY" && s.currency.exponent == 0 && s.ledgerDays == 7)
        #expect(try CoreOptions.parse([]).resolve(environment: [:]).redis == RedisSeeds(RedisURL()))
    }

    @Test("a bad setting is named, flag and variable, with what was expected")
    func errors() {
        for (env, name) in [
            (["TXSTATS_AMOUNT_SCALE": "x"], "TXSTATS_AMOUNT_SCALE"), (["TXSTATS_TIMEZONE": "Mars/Olympus"], "TXSTATS_TIMEZONE"),
            (["TXSTATS_AMOUNT_SCALE": "3"], "TXSTATS_AMOUNT_SCALE"), (["TXSTATS_CURRENCY": "XAU"], "TXSTATS_CURRENCY"),
            (["TXSTATS_CURRENCY": "usdollar"], "TXSTATS_CURRENCY"), (["TXSTATS_LEDGER_DAYS": "0"], "TXSTATS_LEDGER_DAYS"),
            (["REDIS_URL": "http://x"], "REDIS_URL"), (["TXSTATS_QUEUE": "a{b}"], "TXSTATS_QUEUE"),
            (["REDIS_URL": "redis://a:1,:pw@b:2"], "REDIS_URL"), (["TXSTATS_PARTITIONS": "0"], "TXSTATS_PARTITIONS"),
            (["TXSTATS_PARTITIONS": "1025"], "TXSTATS_PARTITIONS"), (["TXSTATS_REDIS_WAIT_REPLICAS": "-1"], "TXSTATS_REDIS_WAIT_REPLICAS"),
        ] {
            do {
                _ = try CoreOptions.parse([]).resolve(environment: env)
                Issue.record("\(env) was accepted")
            } catch {
                #expect("\(error)".contains(name), "\(error)")
            }
        }
    }

    @Test("Redis URLs: password, user, IPv6, database; the password never shows in descriptions")
    func redisURL() throws {
        let u = try RedisURL(parsing: "redis://:s3cr%40t@cache.local:6380/4")
        #expect(u.password == "s3cr@t" && u.host == "cache.local" && u.port == 6380 && u.database == 4)
        #expect(!u.description.contains("s3cr"))
        let v = try RedisURL(parsing: "redis://app:pw@[::1]:7000")
        #expect(v.username == "app" && v.password == "pw" && v.host == "::1" && v.port == 7000)
        #expect(RedisURL.redact("redis://app:topsecret@h:1/0") == "redis://app:***@h:1/0")
        #expect(RedisURL.redact("redis://topsecret@h:1/0") == "redis://***@h:1/0", "the short form is a password alone")
        #expect(LogRedaction.redact("x redis://topsecret@h/0 y") == "x redis://***@h/0 y")
        #expect(LogRedaction.redact("mongodb://app:p/w,x@h1,h2/db?w=1") == "mongodb://app:***@h1,h2/db?w=1", "a '/' or ',' in a password")
        #expect(LogRedaction.redact("mongodb://app@h/db") == "mongodb://app@h/db", "a user alone is not a secret")
        #expect(LogRedaction.redact(#"{"a":"redis://:s@h","b":"mongodb://u:t@h"}"#) == #"{"a":"redis://:***@h","b":"mongodb://u:***@h"}"#)
        #expect(throws: RedisURL.ParseError.self) { try RedisURL(parsing: "redis://h:99999") }
        // Cluster seeds: full URLs, or host:port sharing the first URL's password.
        let seeds = try RedisSeeds(parsing: "redis://:pw@n1:7000, n2:7001,redis://:pw@n3")
        #expect(seeds.urls.map(\.host) == ["n1", "n2", "n3"] && seeds.urls.map(\.port) == [7000, 7001, 6379])
        #expect(seeds.urls.allSatisfy { $0.password == "pw" } && !seeds.description.contains("pw"))
        let s = try CoreOptions.parse(["--partition-count", "6"]).resolve(environment: ["TXSTATS_REDIS_WAIT_REPLICAS": "2"])
        #expect(s.partitions == 6 && s.replicaWait == 2 && s.partitionKeys.map(\.queue).last == "TransactionQueue:5")
        do {
            _ = try CoreOptions.parse([]).resolve(environment: ["REDIS_URL": "redis://:hunter2@h:0"])
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("import markers round-trip through their text form")
    func marker() {
        let m = ImportMarker(generation: 2, line: 1234, queued: 1200, rejected: 33, hash: "00ff")
        #expect(ImportMarker(parsing: m.description) == m)
        #expect(ImportMarker(parsing: "garbage") == nil)
    }
}
