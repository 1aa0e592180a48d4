import Foundation

/// The alert webhook's settings, from the environment only, each declared once.
public enum AlertSetting {
    public static let url = Setting<URL?>(
        flag: nil, variable: "TXSTATS_ALERT_WEBHOOK_URL", default: nil, defaultText: "off",
        summary: "Where alerts are posted as JSON", expectation: "an http:// or https:// URL", isSecret: true
    ) { text in
        guard let u = URL(string: text), ["http", "https"].contains(u.scheme?.lowercased() ?? ""), u.host != nil else { return nil }
        return u
    }

    public static let interval = Setting<Double>.seconds(
        flag: nil, variable: "TXSTATS_ALERT_INTERVAL_SECONDS", default: 300, range: 1...86_400,
        summary: "Each kind of alert at most once per this many seconds")

    public static let deadLetters = Setting<Int>.integer(
        flag: nil, variable: "TXSTATS_ALERT_DEAD_LETTERS", default: 1000, range: 1...1_000_000_000,
        summary: "Alert when the dead-letter list holds more entries than this")

    public static let queueAge = Setting<Double>.seconds(
        flag: nil, variable: "TXSTATS_ALERT_QUEUE_AGE_SECONDS", default: 300, range: 1...864_000,
        summary: "Alert when the oldest queued item is older than this")

    public static let failures = Setting<Int>.integer(
        flag: nil, variable: "TXSTATS_ALERT_FAILURES", default: 5, range: 1...1_000_000,
        summary: "Alert after this many failed attempts in a row")
}
