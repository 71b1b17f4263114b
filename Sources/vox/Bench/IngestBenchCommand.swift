import ArgumentParser
import Foundation
import VoxFeeds
import VoxTestSupport

/// `vox bench ingest`: full ingest (inflate + frame + parse + map) from a file and over loopback HTTP,
/// side by side with zlib's inflate alone on the same file, and `pigz -dc` as an outside reference.
struct IngestBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure ingest throughput against inflate-only on the same .jsonl.gz.",
        discussion: """
            Generates the feed when the file is missing (X API v2 shaped posts from the bundled sample texts).
            Example: vox bench ingest --size-mb 200 --json
            """
    )

    @Option(help: ArgumentHelp("The .jsonl.gz to read (generated when missing).", valueName: "path"))
    var file = NSTemporaryDirectory() + "vox-bench-ingest.jsonl.gz"

    @Option(help: "Compressed size of the generated file, in MB.")
    var sizeMb = 200

    @Option(help: "Runs of each measurement; the best is reported.")
    var repeats = 2

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: "Skip the loopback HTTP measurement.")
    var noHttp = false

    func run() async throws {
        if !FileManager.default.fileExists(atPath: file) {
            FileHandle.standardError.write(Data("vox: generating \(sizeMb) MB of gzip'd posts at \(file)…\n".utf8))
            try IngestCorpus.generate(path: file, compressedMegabytes: sizeMb)
        }
        let compressed = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        let compressedMB = Double(compressed.count) / 1e6

        var inflate = Measurement(name: "zlib inflate only")
        var decodedBytes = 0
        for _ in 0..<repeats {
            let started = DispatchTime.now()
            decodedBytes = try IngestCorpus.inflateOnly(compressed)
            inflate.keep(seconds: started.elapsed, posts: 0)
        }
        let decodedMB = Double(decodedBytes) / 1e6

        var fileIngest = Measurement(name: "vox ingest, file")
        for _ in 0..<repeats {
            let started = DispatchTime.now()
            let posts = try await IngestCorpus.ingest(source: file)
            fileIngest.keep(seconds: started.elapsed, posts: posts)
        }

        var httpIngest: Measurement? = nil
        if !noHttp {
            let body = [UInt8](compressed)
            let server = try LoopbackHTTPServer { request in
                var response = TestResponse.resource(body, for: request)
                response.writeChunk = 1 << 20
                return response
            }
            var measurement = Measurement(name: "vox ingest, loopback HTTP")
            for _ in 0..<repeats {
                let started = DispatchTime.now()
                let posts = try await IngestCorpus.ingest(source: server.baseURL + "/bench.jsonl.gz")
                measurement.keep(seconds: started.elapsed, posts: posts)
            }
            server.stop()
            httpIngest = measurement
        }
        let pigz = IngestCorpus.timeExternal(["pigz", "-dc", file])
        let report = IngestReport(
            compressedMB: compressedMB, decodedMB: decodedMB, inflate: inflate, file: fileIngest, http: httpIngest,
            pigzSeconds: pigz)
        print(json ? report.json : report.table)
    }
}

extension DispatchTime {
    /// Seconds since this time.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - uptimeNanoseconds) / 1e9 }
}
