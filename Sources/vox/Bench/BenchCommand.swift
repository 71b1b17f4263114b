import ArgumentParser

/// `vox bench`: measured, side-by-side benchmarks.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks, each measured side by side with a reference run.",
        discussion: "Examples: vox bench ingest --size-mb 200; vox bench model --peer",
        subcommands: [
            AlertsBenchCommand.self, ClusterBenchCommand.self, ExplainBenchCommand.self, IngestBenchCommand.self,
            ModelBenchCommand.self,
            PipelineBenchCommand.self,
            SharesBenchCommand.self, SoakBenchCommand.self, TermsBenchCommand.self,
            TokenizerBenchCommand.self,
        ]
    )
}
