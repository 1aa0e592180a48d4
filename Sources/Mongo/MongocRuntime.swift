import CMongoc
import Logging

/// Process-wide libmongoc set-up: `mongoc_init()` exactly once, and its log output routed to
/// swift-log instead of libmongoc's default stderr printer.
enum MongocRuntime {
    /// Swift runs a static initializer once, thread-safely (swift_once).
    private static let initialized: Void = {
        mongoc_log_set_handler(mongocLogHandler, nil)
        mongoc_init()
    }()

    static func ensureInitialized() { _ = initialized }

    /// Created on first use, i.e. after the executable has bootstrapped its logging.
    static let logger = Logger(label: "txstats.mongoc")
}

/// Warnings and worse go to swift-log; libmongoc's messages below warning are dropped.
private func mongocLogHandler(
    _ level: mongoc_log_level_t, _ domain: UnsafePointer<CChar>?,
    _ message: UnsafePointer<CChar>?, _ userData: UnsafeMutableRawPointer?
) {
    let swiftLevel: Logger.Level
    switch level {
    case MONGOC_LOG_LEVEL_ERROR, MONGOC_LOG_LEVEL_CRITICAL: swiftLevel = .error
    case MONGOC_LOG_LEVEL_WARNING: swiftLevel = .warning
    default: return
    }
    let text = message.map { String(cString: $0) } ?? ""
    let source = domain.map { String(cString: $0) } ?? "mongoc"
    MongocRuntime.logger.log(level: swiftLevel, "\(source): \(text)")
}
