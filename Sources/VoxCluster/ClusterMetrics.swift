import CoreMetrics

/// What each scaled-out role reports through swift-metrics (`--serve PORT` exposes them at `/metrics` in
/// Prometheus' text format). Every name starts with `vox_cluster_`; each role creates only its own series.
///
/// | Role | Series |
/// |---|---|
/// | publish | `vox_cluster_messages_published_total` |
/// | worker | `vox_cluster_messages_fetched_total`, `_redelivered_total`, `_acknowledged_total`, `vox_cluster_posts_classified_total`, `vox_cluster_results_stored_total`, `vox_cluster_model_seconds_total`, `vox_cluster_messaging_seconds_total`, `vox_cluster_consumer_pending` (not yet delivered: the workers' lag), `vox_cluster_consumer_unacknowledged` |
/// | aggregate | `vox_cluster_results_applied_total`, `vox_cluster_results_reread_total`, `vox_cluster_reorder_buffer_depth`, `vox_cluster_lines_behind` (line messages stored but not yet applied: the aggregator's lag), plus every `vox_` series of a replay |
public enum ClusterMetrics {
    /// The publisher's series.
    public struct Publisher: Sendable {
        let published: Counter

        /// The series on `factory`.
        public init(factory: any MetricsFactory) {
            published = Counter(label: "vox_cluster_messages_published_total", factory: factory)
        }

        func record(published count: Int) {
            if count > 0 { published.increment(by: count) }
        }
    }

    /// A worker's series.
    public struct Worker: Sendable {
        let fetched: Counter
        let redelivered: Counter
        let acknowledged: Counter
        let classified: Counter
        let results: Counter
        let modelSeconds: FloatingPointCounter
        let messagingSeconds: FloatingPointCounter
        let pending: Gauge
        let unacknowledged: Gauge

        /// The series on `factory`.
        public init(factory: any MetricsFactory) {
            fetched = Counter(label: "vox_cluster_messages_fetched_total", factory: factory)
            redelivered = Counter(label: "vox_cluster_messages_redelivered_total", factory: factory)
            acknowledged = Counter(label: "vox_cluster_messages_acknowledged_total", factory: factory)
            classified = Counter(label: "vox_cluster_posts_classified_total", factory: factory)
            results = Counter(label: "vox_cluster_results_stored_total", factory: factory)
            modelSeconds = FloatingPointCounter(label: "vox_cluster_model_seconds_total", factory: factory)
            messagingSeconds = FloatingPointCounter(label: "vox_cluster_messaging_seconds_total", factory: factory)
            pending = Gauge(label: "vox_cluster_consumer_pending", factory: factory)
            unacknowledged = Gauge(label: "vox_cluster_consumer_unacknowledged", factory: factory)
            for counter in [fetched, redelivered, acknowledged, classified, results] { counter.increment(by: 0) }
        }

        /// Adds what `now` gained over `before`.
        func record(_ now: VoxCluster.Worker.Stats, since before: VoxCluster.Worker.Stats) {
            fetched.increment(by: now.fetched - before.fetched)
            redelivered.increment(by: now.redelivered - before.redelivered)
            acknowledged.increment(by: now.acknowledged - before.acknowledged)
            classified.increment(by: now.classified - before.classified)
            results.increment(by: now.results - before.results)
            modelSeconds.increment(by: max(0, now.modelSeconds - before.modelSeconds))
            messagingSeconds.increment(by: max(0, now.messagingSeconds - before.messagingSeconds))
        }

        func record(pending: UInt64, unacknowledged: Int64) {
            self.pending.record(Double(pending))
            self.unacknowledged.record(Double(unacknowledged))
        }
    }

    /// The aggregator's own series (the aggregate stage reports the replay's through `PipelineOptions.metrics`).
    public struct Aggregator: Sendable {
        let applied: Counter
        let reread: Counter
        let depth: Gauge
        let behind: Gauge

        /// The series on `factory`.
        public init(factory: any MetricsFactory) {
            applied = Counter(label: "vox_cluster_results_applied_total", factory: factory)
            reread = Counter(label: "vox_cluster_results_reread_total", factory: factory)
            depth = Gauge(label: "vox_cluster_reorder_buffer_depth", factory: factory)
            behind = Gauge(label: "vox_cluster_lines_behind", factory: factory)
            applied.increment(by: 0)
            reread.increment(by: 0)
        }

        func record(applied count: Int, depth: Int) {
            if count > 0 { applied.increment(by: count) }
            self.depth.record(depth)
        }

        func record(reread count: Int) {
            if count > 0 { reread.increment(by: count) }
        }

        func record(behind lines: UInt64) { behind.record(Double(lines)) }
    }
}
