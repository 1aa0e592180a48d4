import ArgumentParser
import Testing
import WorkerRuntime

@Suite("Settings declared once: resolution, help and errors come from one declaration")
struct SettingTests {
    static let rows = Setting<Int>.integer(
        flag: "rows", variable: "TXSTATS_TEST_ROWS", default: 500, range: 1...1000, summary: "Rows per thing")

    @Test("flag over environment over default; an empty variable counts as unset")
    func precedence() throws {
        #expect(try Self.rows.resolve(flag: nil, environment: [:]) == 500)
        #expect(try Self.rows.resolve(flag: nil, environment: ["TXSTATS_TEST_ROWS": "7"]) == 7)
        #expect(try Self.rows.resolve(flag: "9", environment: ["TXSTATS_TEST_ROWS": "7"]) == 9)
        #expect(try Self.rows.resolve(flag: nil, environment: ["TXSTATS_TEST_ROWS": ""]) == 500)
        #expect(try Self.rows.resolve(flag: nil, environment: ["TXSTATS_TEST_ROWS": " 12\t"]) == 12)
    }

    @Test("an invalid value names the setting and where it came from, and what was expected")
    func errors() {
        #expect(throws: ConfigError.self) { try Self.rows.resolve(flag: nil, environment: ["TXSTATS_TEST_ROWS": "1001"]) }
        do {
            _ = try Self.rows.resolve(flag: "x", environment: [:])
            Issue.record("x accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("TXSTATS_TEST_ROWS (--rows)") && text.contains("--rows is \"x\"") && text.contains("1...1000"), "\(text)")
        }
    }

    @Test("the help line states the variable and the default of the declaration")
    func help() {
        #expect(Self.rows.help.abstract == "Rows per thing (env TXSTATS_TEST_ROWS, default 500).")
        #expect(CoreSetting.queue.help.abstract.contains("env TXSTATS_QUEUE, default TransactionQueue"))
        #expect(AlertSetting.interval.name == "TXSTATS_ALERT_INTERVAL_SECONDS", "an environment-only setting is named by its variable")
    }

    @Test("a secret is never echoed in an error")
    func secret() {
        do {
            _ = try AlertSetting.url.resolve(flag: nil, environment: ["TXSTATS_ALERT_WEBHOOK_URL": "ftp://user:hunter2@x"])
            Issue.record("ftp accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2") && "\(error)".contains("TXSTATS_ALERT_WEBHOOK_URL"), "\(error)")
        }
    }

    @Test("a bad alert threshold stops the worker at start instead of falling back silently")
    func alertThresholds() {
        #expect(throws: ConfigError.self) {
            try AlertWebhook(worker: "t", logger: .init(label: "t"), environment: ["TXSTATS_ALERT_FAILURES": "0"])
        }
    }
}
