import Foundation
import Logging
import Redis
import StatsCore

/// One JSON object per line on standard error, for log collectors: time, level, worker,
/// instance, message and the metadata as string fields. Used when standard error is not a
/// terminal; people at a terminal get swift-log's readable lines instead.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let worker: String
    let instance: String

    public init(label: String, level: Logger.Level, instance: String) {
        worker = label.hasPrefix("txstats.") ? String(label.dropFirst("txstats.".count)) : label
        logLevel = level
        self.instance = instance
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", event.level.rawValue), ("worker", worker),
            ("instance", instance), ("msg", event.message.description),
        ]
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let m = event.metadata { all.merge(m) { $1 } }
        for key in all.keys.sorted() where !["ts", "level", "worker", "instance", "msg"].contains(key) {
            fields.append((key, "\(all[key]!)"))
        }
        if let error = event.error { fields.append(("error", "\(error)")) }
        var line = "{"
        for (i, (k, v)) in fields.enumerated() {
            line += (i == 0 ? "" : ",") + JSONText.quote(k) + ":" + JSONText.quote(LogRedaction.redact(v))
        }
        Console.err(line + "}\n")
    }

    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = Int64(now.rounded(.down))
        let millis = Int((now - Double(seconds)) * 1000)
        let iso = UTCTimestamp.iso8601(seconds)
        return "\(iso.dropLast()).\(millis < 10 ? "00" : millis < 100 ? "0" : "")\(millis)Z"
    }
}
