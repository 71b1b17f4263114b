import ArgumentParser
import Foundation
import VoxCluster
import VoxFeeds
import VoxModel
import VoxServe
import VoxStream

/// `vox aggregate`: the third role: joins posts and results in stream order and writes what `vox replay` writes.
struct AggregateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Scale out, step 3: join posts with the workers' results in order and write windows and reports.",
        discussion: """
            Runs the same windows, watch topics, alerts and sinks as vox replay, on the order the publisher wrote, so \
            the outputs are the ones replay writes. --checkpoint resumes after a crash. For a finite feed it ends \
            once the publisher's end is aggregated. Give the --model and --precision the workers use.
            Example: vox aggregate --stream brands --nats nats://10.0.0.5:4222 --watch brands.yaml --out reports/
            """
    )

    @OptionGroup var cluster: ClusterOptionGroup
    @OptionGroup var pipeline: PipelineOptionGroup
    @OptionGroup var serving: ServeOptionGroup
    @OptionGroup var classifier: ClassifierOptionGroup

    @Option(
        help: "Line messages whose results are held ahead of the next one needed (further ones are read again later).")
    var reorder = 10_000

    @Flag(help: "A live job (the publisher follows its feeds): idle sources release the watermark.")
    var live = false

    func validate() throws {
        guard reorder > 0 else { throw ValidationError("--reorder must be positive") }
    }

    func run() async throws {
        let watch: WatchTopics
        do {
            watch = try pipeline.watch.map { path throws(WatchError) in try WatchTopics.load(path) } ?? WatchTopics([])
        } catch {
            throw ValidationError(error.message)
        }
        let artifact: ClassifierArtifact
        do {
            artifact = try ClassifierArtifact.load(
                directory: try ClassifierOptionGroup.directory(named: classifier.model))
        } catch let error as ModelError {
            throw CLIError(error.message)
        }
        // Only explanations need the model itself here; the workers classify.
        var options =
            try pipeline.explainExamples
            ? pipeline.pipelineOptions(classifier: classifier.load()) : pipeline.pipelineOptions()
        options.live = live
        let server = try await serving.start(options: &options)
        var clusterOptions = ClusterAggregator.Options(url: cluster.nats, streams: try cluster.streams())
        clusterOptions.reorderCapacity = reorder
        clusterOptions.replicas = cluster.replicas
        let aggregator = ClusterAggregator(
            model: ModelDescription(artifact: artifact, precision: classifier.precision.resolve(for: artifact)),
            watch: watch, pipeline: options, options: clusterOptions)
        let stop = StopSignal()
        let handlers = SignalTrap.stoppingOnSignals { stop.stop() }
        defer { for handler in handlers { handler.cancel() } }
        let stats: PipelineStats
        do {
            stats = try await aggregator.run(
                stop: stop, notice: { FileHandle.standardError.write(Data("vox: \($0)\n".utf8)) })
        } catch let error as ClusterError {
            await server?.stop()
            throw CLIError(error.message)
        }
        FileHandle.standardError.write(
            Data(
                "vox: \(stats.ingest.posts) posts aggregated: \(stats.windows) windows written to \(options.output)/\n"
                    .utf8))
        if let server { await serving.serveUntilInterrupted(server) }
        if !stats.ingest.allSourcesSucceeded { throw ExitCode(1) }
    }
}
