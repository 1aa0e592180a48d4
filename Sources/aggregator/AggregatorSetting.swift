import WorkerRuntime

/// The aggregator's own settings, each declared once.
enum AggregatorSetting {
    static let workerId = Setting<String>.name(
        flag: "worker-id", variable: "TXSTATS_WORKER_ID", default: ProcessInstance.name,
        summary: "Unique id of this worker; its in-flight list is named after it", defaultText: "HOSTNAME-PID")

    static let batchItems = Setting<Int>.integer(
        flag: "batch-items", variable: "TXSTATS_BATCH_ITEMS", default: 64, range: 1...4096,
        summary: "Queue items taken per batch")

    static let heartbeatTimeout = Setting<Double>.seconds(
        flag: "heartbeat-timeout", variable: "TXSTATS_HEARTBEAT_TIMEOUT_SECONDS", default: 15, range: 1...3600,
        summary: "Seconds without a heartbeat after which a worker counts as dead and its in-flight items are taken over")
}
