import Foundation
import WorkerRuntime

/// The dumper's own settings, declared once.
enum DumperSetting {
    static let interval = Setting<Double>.seconds(
        flag: "interval", variable: "TXSTATS_DUMP_INTERVAL_SECONDS", default: 10, range: 0.05...86_400,
        summary: "Seconds between passes")

    /// The lease owner. The host name by default: a dumper restarted on the same host (after a
    /// crash, kill -9, an upgrade) is the same owner and resumes at once instead of waiting for
    /// its dead predecessor's lease to expire. Two dumpers on one host need distinct ids.
    static let dumperId = Setting<String>.name(
        flag: "dumper-id", variable: "TXSTATS_DUMPER_ID", default: ProcessInfo.processInfo.hostName,
        summary: "Owner name of the dumper lease; stable across restarts", defaultText: "HOSTNAME")
}
