import CoreMetrics
import Foundation
import Prometheus
import VoxStream

/// Where `/metrics` gets its numbers: the live registry of a pipeline running in this process (`vox tail
/// --serve`), or the `run.json` of the folder served (`vox serve`: a finished run, or one running elsewhere).
public enum MetricsSource: Sendable {
    /// A registry that a pipeline in this process updates.
    case live(PrometheusCollectorRegistry)
    /// The counters in the served folder's `run.json`, read at each request.
    case runFile

    /// A Prometheus registry and the swift-metrics factory that writes to it, with Vox's histogram buckets.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["vox_batch_posts"] = PipelineMetrics.batchSizeBuckets
        factory.durationHistogramBuckets["vox_batch_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        return factory
    }

    /// The metrics in Prometheus' text exposition format.
    func render(outputs: RunOutputs) async -> String {
        switch self {
        case .live(let registry):
            return registry.emitToString()
        case .runFile:
            let registry = PrometheusCollectorRegistry()
            let up = registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "vox", metricName: "run_file", unitName: "readable",
                    helpText: "1 when the served folder's run.json was read, 0 when it is missing or not a run summary")
            )
            guard let data = await outputs.runJSON, let counters = try? RunCounters(runJSON: data) else {
                up.set(Double(0))
                return registry.emitToString()
            }
            up.set(Double(1))
            var metrics = PipelineMetrics(factory: MetricsSource.makeFactory(registry: registry))
            metrics.record(counters)
            return registry.emitToString()
        }
    }
}
