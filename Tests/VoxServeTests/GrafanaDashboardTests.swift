import Foundation
import Prometheus
import Testing
import VoxCluster
import VoxStream

@testable import VoxServe

/// `Dashboards/grafana-vox.json` queries only metrics Vox exposes, and charts every one the operators need.
@Suite struct GrafanaDashboardTests {
    static var dashboardPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Dashboards/grafana-vox.json").path
    }

    /// The `vox_…` names in a text.
    static func metricNames(_ text: String) -> Set<String> {
        let regex = /vox_[a-z_]+/
        return Set(text.matches(of: regex).map { String($0.output) })
    }

    @Test func queriesUseOnlyExposedMetricsAndCoverTheNeededOnes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: GrafanaDashboardTests.dashboardPath))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(expressions.count >= 15)
        let queried = expressions.reduce(into: Set<String>()) { $0.formUnion(GrafanaDashboardTests.metricNames($1)) }

        let registry = PrometheusCollectorRegistry()
        var metrics = PipelineMetrics(factory: MetricsSource.makeFactory(registry: registry))
        var counters = RunCounters()
        counters.sources = [RunCounters.Source(name: "feed")]
        counters.modelSeconds = 1
        metrics.record(counters)
        metrics.recordBatch(posts: 1, nanoseconds: 1)
        metrics.recordLag(source: "feed", seconds: 1)
        // The scaled-out roles' series (each role creates its own at start).
        let factory = MetricsSource.makeFactory(registry: registry)
        _ = ClusterMetrics.Publisher(factory: factory)
        _ = ClusterMetrics.Worker(factory: factory)
        _ = ClusterMetrics.Aggregator(factory: factory)
        let exposed = GrafanaDashboardTests.metricNames(registry.emitToString())

        #expect(queried.subtracting(exposed).isEmpty, "queried but not exposed: \(queried.subtracting(exposed))")
        let needed: Set = [
            "vox_lines_read_total", "vox_posts_parsed_total", "vox_posts_classified_total", "vox_dead_letters_total",
            "vox_posts_filtered_total", "vox_posts_duplicate_total", "vox_posts_late_total", "vox_batch_posts_bucket",
            "vox_batch_seconds_bucket", "vox_model_posts_per_second", "vox_source_lag_seconds",
            "vox_source_reconnects_total", "vox_cluster_messages_published_total",
            "vox_cluster_messages_fetched_total", "vox_cluster_messages_acknowledged_total",
            "vox_cluster_messages_redelivered_total", "vox_cluster_consumer_pending", "vox_cluster_lines_behind",
            "vox_cluster_results_applied_total", "vox_cluster_reorder_buffer_depth",
            "vox_cluster_messaging_seconds_total", "vox_cluster_model_seconds_total",
        ]
        #expect(needed.subtracting(queried).isEmpty, "not charted: \(needed.subtracting(queried))")
        #expect(needed.subtracting(exposed).isEmpty, "not exposed: \(needed.subtracting(exposed))")
    }
}
