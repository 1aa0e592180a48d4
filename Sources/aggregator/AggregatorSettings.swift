import StatsCore
import WorkerRuntime

struct AggregatorSettings: Sendable {
    var core: CoreSettings
    var workerId: String
    var batchRows: Int
    var batchItems: Int
    var batchMilliseconds: Int
    var heartbeatTimeout: Double
    var drain: Bool
    /// The partitions this process works, when pinned with `--partitions`; nil: shared with
    /// every live aggregator (``PartitionAssignment``).
    var pinned: [Int]? = nil

    var heartbeatTimeoutMs: Int { Int(heartbeatTimeout * 1000) }
    /// Blocking pops wake at least this often to beat the heartbeat and check for shutdown;
    /// always well below the socket timeout (a timed-out hiredis read kills the connection).
    var blockSeconds: Double { drain ? 0.05 : min(1.0, heartbeatTimeout / 4) }
}
