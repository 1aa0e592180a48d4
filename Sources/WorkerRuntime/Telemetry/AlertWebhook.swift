import StatsCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Synchronization

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

    public init(worker: String, logger: Logger, environment: [String: String] = ProcessEnvironment.current) {
        url = environment["TXSTATS_ALERT_WEBHOOK_URL"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        self.worker = worker
        instance = ProcessInstance.name
        interval = .seconds(environment["TXSTATS_ALERT_INTERVAL_SECONDS"].flatMap(Double.init) ?? 300)
        deadLetterThreshold = environment["TXSTATS_ALERT_DEAD_LETTERS"].flatMap(Int.init) ?? 1000
        queueAgeThreshold = environment["TXSTATS_ALERT_QUEUE_AGE_SECONDS"].flatMap(Double.init) ?? 300
        failureThreshold = environment["TXSTATS_ALERT_FAILURES"].flatMap(Int.init) ?? 5
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
        body += fields.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(JSONText.quote($0.value))" }.joined(separator: ",") + "}}"
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
