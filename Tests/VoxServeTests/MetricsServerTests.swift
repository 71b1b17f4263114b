import CoreMetrics
import Foundation
import Prometheus
import Testing
import VoxTestSupport

@testable import VoxServe

/// The metrics-only server of `vox publish --serve` and `vox worker --serve`.
@Suite struct MetricsServerTests {
    @Test func servesTheRegistryAndHealthAndNothingElse() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricsSource.makeFactory(registry: registry)
        let counter = Counter(label: "vox_cluster_messages_fetched_total", factory: factory)
        counter.increment(by: 7)
        let server = try await MetricsServer(registry: registry, port: 0).start()
        let metrics = try await ServeHarness.get(server.port, "/metrics")
        let health = try await ServeHarness.get(server.port, "/healthz")
        let missing = try await ServeHarness.get(server.port, "/api/windows")
        counter.increment(by: 3)
        let later = try await ServeHarness.get(server.port, "/metrics")
        await server.stop()
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("vox_cluster_messages_fetched_total 7"))
        #expect(later.text.contains("vox_cluster_messages_fetched_total 10"))
        #expect(health.status == 200 && health.text.contains(#""status":"ok""#))
        #expect(missing.status == 404)
    }

    @Test func aPortInUseIsAClearError() async throws {
        let first = try await MetricsServer(registry: PrometheusCollectorRegistry(), port: 0).start()
        await #expect(throws: ServeError.self) {
            _ = try await MetricsServer(registry: PrometheusCollectorRegistry(), port: first.port).start()
        }
        await first.stop()
    }
}
