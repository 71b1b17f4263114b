import Foundation
import Testing
import VoxFeeds

/// Everything a feed run produced, for assertions.
struct Collected {
    var posts: [Post] = []
    var deadLetters: [DeadLetter] = []
    var notices: [String] = []
    var stats = IngestStats(sourceNames: [])

    /// The accounting identity every run must satisfy.
    var balanced: Bool { stats.lines == stats.posts + stats.skipped + stats.deadLetterTotal }
}

enum FeedHarness {
    /// The path of a fixture file.
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return url.path
    }

    /// Options over the bundled profiles, with fast retries for tests.
    static func options(profile: String = "auto") throws -> FeedOptions {
        var options = FeedOptions(registry: try ProfileRegistry.bundled())
        options.profile = profile
        options.pollInterval = 0.05
        options.http.initialBackoff = 0.01
        options.http.maxBackoff = 0.2
        options.http.lowSpeedTime = 5
        return options
    }

    /// Reads `sources` to the end and collects what came out.
    static func collect(_ sources: [String], options: FeedOptions) async throws -> Collected {
        let feed = Feed(sources: try sources.map { try FeedSource($0) }, options: options)
        var collected = Collected()
        collected.stats = try await feed.run { event in
            switch event {
            case .batch(let batch):
                collected.posts += batch.posts
                collected.deadLetters += batch.deadLetters
            case .notice(_, let message): collected.notices.append(message)
            default: break
            }
        }
        return collected
    }

    /// A temporary folder removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "vox-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `count` generic posts, one JSON object per line, with ids `p0`, `p1`, ….
    static func genericLines(_ count: Int, prefix: String = "p", padding: Int = 0) -> [UInt8] {
        var text = ""
        text.reserveCapacity(count * 90)
        let pad = String(repeating: "x", count: padding)
        for index in 0..<count {
            text +=
                #"{"id":"\#(prefix)\#(index)","text":"post number \#(index) \#(pad)","created_at":\#(1_764_324_000 + index)}"#
            text += "\n"
        }
        return Array(text.utf8)
    }
}
