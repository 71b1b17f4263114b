import ArgumentParser

/// `vox bench`: measured, side-by-side benchmarks.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks, each measured side by side with a reference run.",
        discussion: "Example: vox bench ingest --size-mb 200",
        subcommands: [IngestBenchCommand.self]
    )
}
