import StatsCore
import WorkerRuntime

/// The aggregator's own settings, each declared once.
enum AggregatorSetting {
    static let workerId = Setting<String>.name(
        flag: "worker-id", variable: "TXSTATS_WORKER_ID", default: ProcessInstance.name,
        summary: "Unique id of this worker; its in-flight list is named after it", defaultText: "HOSTNAME-PID")

    /// A batch closes at whichever bound it reaches first: rows, queue items or age. Rows are
    /// what a commit's cost follows; items only cap how many queue entries one batch holds.
    static let batchRows = Setting<Int>.integer(
        flag: "batch-rows", variable: "TXSTATS_BATCH_ROWS", default: 32_768, range: 1...200_000,
        summary: "Most transactions in one batch (one commit)")

    static let batchItems = Setting<Int>.integer(
        flag: "batch-items", variable: "TXSTATS_BATCH_ITEMS", default: 8192, range: 1...200_000,
        summary: "Most queue items in one batch")

    static let batchMilliseconds = Setting<Int>.integer(
        flag: "batch-ms", variable: "TXSTATS_BATCH_MS", default: 50, range: 1...60_000,
        summary: "Most milliseconds a batch stays open taking more items before it is committed")

    /// Checked against TXSTATS_PARTITIONS once both are known (``PartitionAssignment/parse(_:count:)``).
    static let partitions = Setting<String?>(
        flag: "partitions", variable: "TXSTATS_AGGREGATOR_PARTITIONS", default: nil, defaultText: "shared with every live aggregator",
        summary: "Partitions this aggregator works, such as 0,2 or 0-3 (pinned); by default live aggregators share them all",
        expectation: "partition numbers below TXSTATS_PARTITIONS, such as 0,2 or 0-3"
    ) { text -> String?? in
        PartitionAssignment.parse(text, count: Partitioning.range.upperBound) == nil ? nil : .some(text)
    }

    static let heartbeatTimeout = Setting<Double>.seconds(
        flag: "heartbeat-timeout", variable: "TXSTATS_HEARTBEAT_TIMEOUT_SECONDS", default: 15, range: 1...3600,
        summary: "Seconds without a heartbeat after which a worker counts as dead and its in-flight items are taken over")
}
