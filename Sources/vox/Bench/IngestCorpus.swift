import Foundation
import VoxFeeds
import VoxSamples

/// The ingest benchmark's data and its measured operations.
enum IngestCorpus {
    /// Writes a gzip'd X API v2 feed of about `compressedMegabytes` MB built from the sample's texts.
    static func generate(path: String, compressedMegabytes: Int) throws {
        let texts = try sampleTexts()
        guard !texts.isEmpty else { throw CLIError("the sample feed holds no texts to build a benchmark from") }
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CLIError("cannot create \(path)")
        }
        defer { try? handle.close() }
        let deflater = try GzipDeflater(level: 6)
        var written = 0
        var index = 0
        let target = compressedMegabytes * 1_000_000
        let start: Int64 = 1_795_824_000_000
        while written < target {
            var chunk = ""
            for _ in 0..<5000 {
                let millis = start + Int64(index) * 37
                let text = JSONText.quote(texts[index % texts.count])
                chunk +=
                    #"{"data":{"id":"\#(1_862_000_000_000_000_000 + index)","text":\#(text),"created_at":"\#(Timestamp.format(millis: millis))","author_id":"\#(100_000 + index * 7919 % 50_000)","lang":"en","public_metrics":{"retweet_count":\#(index % 17),"like_count":\#(index % 101)}}}"#
                chunk += "\n"
                index += 1
            }
            let bytes = deflater.compress(Array(chunk.utf8))
            try handle.write(contentsOf: bytes)
            written += bytes.count
        }
        try handle.write(contentsOf: deflater.finish())
    }

    /// The texts of the bundled sample feed.
    static func sampleTexts() throws -> [String] {
        guard let path = VoxSamples.feedPath else { throw CLIError("the bundled sample feed is missing") }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var texts: [String] = []
        let inflater = try GzipInflater()
        var framer = LineFramer(origin: path)
        var mapper = ProfileMapper(profile: try ProfileRegistry.bundled().profile(named: "x-v2"))
        let collect = { (batch: LineBatch) in
            for line in batch.lines {
                if case .post(let post) = batch.withBytes(of: line, { mapper.map($0) }) { texts.append(post.text) }
            }
        }
        try [UInt8](data).withUnsafeBytes { bytes in
            try inflater.inflate(bytes) { framer.feed($0, emit: collect) }
        }
        framer.finish(emit: collect)
        return texts
    }

    /// Inflates `compressed` in 256 KB input chunks, discarding the output; returns the decoded size.
    static func inflateOnly(_ compressed: Data) throws -> Int {
        let inflater = try GzipInflater()
        var total = 0
        try compressed.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
            var start = 0
            while start < all.count {
                let end = min(all.count, start + 256 * 1024)
                try inflater.inflate(UnsafeRawBufferPointer(rebasing: all[start..<end])) { total += $0.count }
                start = end
            }
        }
        return total
    }

    /// Runs a full ingest of `source` and returns the number of posts.
    static func ingest(source: String) async throws -> Int {
        let options = FeedOptions(registry: try ProfileRegistry.bundled())
        let feed = Feed(sources: [try FeedSource(source)], options: options)
        var posts = 0
        let stats = try await feed.run { event in
            if case .batch(let batch) = event { posts += batch.posts.count }
        }
        guard stats.allSourcesSucceeded, stats.deadLetterTotal == 0 else {
            throw CLIError("benchmark ingest failed: \(stats.summary)")
        }
        return posts
    }

    /// Seconds an external command takes with its output discarded, or nil when it is not installed.
    static func timeExternal(_ arguments: [String]) -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let started = DispatchTime.now()
        do {
            try process.run()
        } catch {
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? started.elapsed : nil
    }
}
