import Metrics
import WorkerRuntime

/// The aggregator's metrics (see README "Metrics"); updated per batch, never per row.
struct AggregatorMetrics {
    let items = Counter(label: "txstats_aggregator_items_total")
    let rows = Counter(label: "txstats_aggregator_rows_total")
    let deadLetters = Counter(label: "txstats_aggregator_dead_letters_total")
    let commits = Counter(label: "txstats_aggregator_commits_total")
    let commitSeconds = Metrics.Timer(label: "txstats_aggregator_commit_seconds")
    let inflight = Gauge(label: "txstats_aggregator_inflight_items")
    let queueLength = Gauge(label: "txstats_queue_length")
    let deadLetterSize = Gauge(label: "txstats_dead_letter_size")
    let oldestAge = Gauge(label: "txstats_queue_oldest_age_seconds")
    let redisErrors = Counter(label: "txstats_redis_errors_total")
}
