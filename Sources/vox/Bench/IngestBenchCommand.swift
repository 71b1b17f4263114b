import ArgumentParser
struct IngestBenchCommand: AsyncParsableCommand { func run() async throws {} }
