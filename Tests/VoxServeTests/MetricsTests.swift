import Foundation
import Prometheus
import Testing
import VoxStream
import VoxTestSupport

@testable import VoxServe

/// Pipeline metrics through swift-metrics into a Prometheus registry, and `/metrics` over a run's `run.json`.
@Suite struct MetricsTests {
    /// The value of the sample `name` (with its labels, as exposed) in Prometheus text.
    static func value(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func counters(lines: Int, posts: Int, invalid: Int, classified: Int) -> RunCounters {
        var counters = RunCounters()
        counters.sources = [RunCounters.Source(name: "feed \"a\"", lines: lines, posts: posts, reconnects: 1)]
        counters.deadLetters = ["invalid_json": invalid]
        counters.classified = classified
        counters.abstained = ["unsupported_language": classified / 4]
        counters.late = 2
        counters.modelSeconds = 2
        counters.seconds = 3
        return counters
    }

    @Test func countersAddWhatChangedAndHistogramsCountBatches() {
        let registry = PrometheusCollectorRegistry()
        var metrics = PipelineMetrics(factory: MetricsSource.makeFactory(registry: registry))
        metrics.record(MetricsTests.counters(lines: 10, posts: 8, invalid: 2, classified: 8))
        metrics.record(MetricsTests.counters(lines: 25, posts: 20, invalid: 5, classified: 20))
        metrics.recordBatch(posts: 12, nanoseconds: 30_000_000)
        metrics.recordBatch(posts: 8, nanoseconds: 700_000_000)
        metrics.recordLag(source: "feed \"a\"", seconds: 4.5)
        let text = registry.emitToString()
        #expect(MetricsTests.value(text, #"vox_lines_read_total{source="feed \"a\""}"#) == 25)
        #expect(MetricsTests.value(text, #"vox_posts_parsed_total{source="feed \"a\""}"#) == 20)
        #expect(MetricsTests.value(text, #"vox_source_reconnects_total{source="feed \"a\""}"#) == 1)
        #expect(MetricsTests.value(text, #"vox_dead_letters_total{reason="invalid_json"}"#) == 5)
        // Reasons that never occurred are exposed at zero.
        #expect(MetricsTests.value(text, #"vox_dead_letters_total{reason="invalid_utf8"}"#) == 0)
        #expect(MetricsTests.value(text, "vox_posts_classified_total") == 20)
        #expect(MetricsTests.value(text, #"vox_posts_abstained_total{reason="unsupported_language"}"#) == 5)
        #expect(MetricsTests.value(text, #"vox_posts_abstained_total{reason="too_short"}"#) == 0)
        #expect(MetricsTests.value(text, "vox_posts_late_total") == 2)
        #expect(MetricsTests.value(text, "vox_model_posts_per_second") == 10)
        #expect(MetricsTests.value(text, "vox_batch_posts_count") == 2)
        #expect(MetricsTests.value(text, "vox_batch_posts_sum") == 20)
        #expect(MetricsTests.value(text, #"vox_batch_posts_bucket{le="8.0"}"#) == 1)
        #expect(MetricsTests.value(text, #"vox_batch_posts_bucket{le="16.0"}"#) == 2)
        #expect(MetricsTests.value(text, #"vox_batch_seconds_bucket{le="0.05"}"#) == 1)
        #expect(MetricsTests.value(text, #"vox_batch_seconds_bucket{le="1.0"}"#) == 2)
        #expect(MetricsTests.value(text, #"vox_source_lag_seconds{source="feed \"a\""}"#) == 4.5)
        #expect(text.contains("# TYPE vox_posts_classified_total counter"))
        #expect(text.contains("# TYPE vox_batch_seconds histogram"))
    }

    @Test func aSmallerCountIsANewRunCountedFromZero() {
        let registry = PrometheusCollectorRegistry()
        var metrics = PipelineMetrics(factory: MetricsSource.makeFactory(registry: registry))
        metrics.record(MetricsTests.counters(lines: 10, posts: 8, invalid: 2, classified: 8))
        metrics.record(MetricsTests.counters(lines: 4, posts: 3, invalid: 0, classified: 3))
        let text = registry.emitToString()
        #expect(MetricsTests.value(text, "vox_posts_classified_total") == 11)
    }

    @Test func aFinishedRunServesTheCountersOfItsRunJSON() async throws {
        let folder = try ServeHarness.copyOfRun()
        let server = try await ServeHarness.start(folder)
        defer { Task { await server.stop() } }
        let response = try await ServeHarness.get(server.port, "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4")
        let text = response.text
        #expect(MetricsTests.value(text, "vox_run_file_readable") == 1)
        #expect(MetricsTests.value(text, #"vox_lines_read_total{source="sample-feed.jsonl.gz"}"#) == 2000)
        #expect(MetricsTests.value(text, #"vox_source_bytes_total{source="sample-feed.jsonl.gz"}"#) == 158_604)
        #expect(MetricsTests.value(text, "vox_posts_classified_total") == 2000)
        #expect(MetricsTests.value(text, "vox_windows_closed_total") == 24)
        #expect(MetricsTests.value(text, "vox_alerts_total") == 8)
        #expect(MetricsTests.value(text, "vox_posts_duplicate_total") == 0)
        #expect(MetricsTests.value(text, "vox_run_seconds") == 3.632)
        let rate = try #require(MetricsTests.value(text, "vox_model_posts_per_second"))
        #expect(abs(rate - 2000 / 3.342) < 0.001)

        // A job still running rewrites run.json; each scrape reads the current one.
        var json = try String(contentsOfFile: folder + "/run.json", encoding: .utf8)
        json = json.replacingOccurrences(
            of: #""dead_letters":{},"bytes""#, with: #""dead_letters":{"line_too_long":3},"bytes""#)
        try json.write(toFile: folder + "/run.json", atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(300))
        let later = try await ServeHarness.get(server.port, "/metrics").text
        #expect(MetricsTests.value(later, #"vox_dead_letters_total{reason="line_too_long"}"#) == 3)
    }
}
