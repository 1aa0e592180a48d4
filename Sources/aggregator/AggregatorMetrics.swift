import Metrics
import StatsCore
import WorkerRuntime

/// The aggregator's metrics (see README "Metrics"); updated per batch, never per row.
struct AggregatorMetrics {
    let items = Counter(label: "txstats_aggregator_items_total")
    let rows = Counter(label: "txstats_aggregator_rows_total")
    let deadLetters = Counter(label: "txstats_aggregator_dead_letters_total")
    let commits = Counter(label: "txstats_aggregator_commits_total")
    let commitSeconds = Metrics.Timer(label: "txstats_aggregator_commit_seconds")
    let inflight: Gauge
    let queueLength: Gauge
    let deadLetterSize: Gauge
    let oldestAge: Gauge
    let redisErrors = Counter(label: "txstats_redis_errors_total")
    /// Ledger decisions for events with an id, by outcome: new, duplicate (an exact resend, or
    /// a newer event that changes nothing), stale (older than the state recorded), moved (a
    /// status change or corrected amount), expired (its day left the ledger window: counted as
    /// new), conflict (dead-lettered as conflicting_update).
    let ledgerNew = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "new")])
    let ledgerDuplicate = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "duplicate")])
    let ledgerStale = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "stale")])
    let ledgerMoved = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "moved")])
    let ledgerExpired = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "expired")])
    let ledgerConflict = Counter(label: "txstats_ledger_events_total", dimensions: [("outcome", "conflict")])
    /// Ledger entries of transactions before the window, deleted by the commits' sweep steps.
    let ledgerSwept = Counter(label: "txstats_ledger_swept_total")

    /// Gauges are per partition when there are several (one process may work a few).
    init(partition: String?) {
        let dimensions = partition.map { [("partition", $0)] } ?? []
        inflight = Gauge(label: "txstats_aggregator_inflight_items", dimensions: dimensions)
        queueLength = Gauge(label: "txstats_queue_length", dimensions: dimensions)
        deadLetterSize = Gauge(label: "txstats_dead_letter_size", dimensions: dimensions)
        oldestAge = Gauge(label: "txstats_queue_oldest_age_seconds", dimensions: dimensions)
    }

    func record(_ o: LedgerOutcome) {
        if o.new > 0 { ledgerNew.increment(by: o.new) }
        if o.duplicate > 0 { ledgerDuplicate.increment(by: o.duplicate) }
        if o.stale > 0 { ledgerStale.increment(by: o.stale) }
        if o.moved > 0 { ledgerMoved.increment(by: o.moved) }
        if o.expired > 0 { ledgerExpired.increment(by: o.expired) }
        if o.conflict > 0 { ledgerConflict.increment(by: o.conflict) }
        if o.swept > 0 { ledgerSwept.increment(by: o.swept) }
    }
}
