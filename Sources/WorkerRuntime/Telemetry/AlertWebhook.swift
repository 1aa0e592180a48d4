import Foundation
import Logging
import StatsCore
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts a JSON message to `TXSTATS_ALERT_WEBHOOK_URL` when something needs a person: a worker
/// failing repeatedly, the dead-letter list past a threshold, the queue's oldest item too old.
/// Each kind of alert is sent at most once per `TXSTATS_ALERT_INTERVAL_SECONDS` (default 300).
/// Sending happens in the background: a slow or dead receiver never stalls a worker.
///
///     {"source":"txstats","kind":"dead_letters","worker":"aggregator","instance":"host-42",
///      "message":"…","at":"2026-11-25T14:00:00Z","fields":{"size":"1204","threshold":"1000"}}
public final class AlertWebhook: Sendable {
    public let url: URL?
    let worker: String
    let instance: String
    let interval: Duration
    let logger: Logger
    private let lastSent = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Thresholds, from the environment.
    public let deadLetterThreshold: Int
    public let queueAgeThreshold: Double
    public let failureThreshold: Int

    /// Thresholds from the environment (``AlertSetting``); an invalid one stops the worker.
    public init(worker: String, logger: Logger, environment: [String: String] = ProcessEnvironment.current) throws {
        url = try AlertSetting.url.resolve(flag: nil, environment: environment)
        self.worker = worker
        instance = ProcessInstance.name
        interval = .milliseconds(Int(try AlertSetting.interval.resolve(flag: nil, environment: environment) * 1000))
        deadLetterThreshold = try AlertSetting.deadLetters.resolve(flag: nil, environment: environment)
        queueAgeThreshold = try AlertSetting.queueAge.resolve(flag: nil, environment: environment)
        failureThreshold = try AlertSetting.failures.resolve(flag: nil, environment: environment)
        self.logger = logger
    }

    /// Sends unless this kind was sent within the interval.
    public func send(kind: String, message: String, fields: [String: String] = [:]) {
        guard let url else { return }
        let now = ContinuousClock.now
        let due = lastSent.withLock { sent -> Bool in
            if let last = sent[kind], now - last < interval { return false }
            sent[kind] = now
            return true
        }
        guard due else { return }
        var body = "{\"source\":\"txstats\",\"kind\":\(JSONText.quote(kind)),\"worker\":\(JSONText.quote(worker)),"
        body += "\"instance\":\(JSONText.quote(instance)),\"message\":\(JSONText.quote(message)),"
        body += "\"at\":\(JSONText.quote(UTCTimestamp.iso8601(Int64(Date().timeIntervalSince1970)))),\"fields\":{"
        body +=
            fields.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(JSONText.quote($0.value))" }.joined(separator: ",") + "}}"
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let logger = self.logger
        logger.warning("alert", metadata: ["kind": "\(kind)", "alert": "\(message)"])
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error {
                logger.error("alert webhook failed", metadata: ["error": "\(error)"])
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                logger.error("alert webhook answered \(http.statusCode)")
            }
        }.resume()
    }
}
