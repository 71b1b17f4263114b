import Foundation
import Testing
import VoxFeeds

@testable import VoxStream

/// The counters `/metrics` reports are the same whether taken from a live pipeline or read back from its `run.json`.
@Suite struct RunCountersTests {
    @Test func runJSONReadsBackToTheLiveCounters() throws {
        var stats = PipelineStats(sources: ["a.jsonl", "https://example.com/feed \"b\""], model: "m@1")
        stats.ingest.sources[0].lines = 120
        stats.ingest.sources[0].posts = 100
        stats.ingest.sources[0].skipped = 12
        stats.ingest.sources[0].deadLetters = [.invalidJSON: 5, .missingText: 3]
        stats.ingest.sources[1].lines = 7
        stats.ingest.sources[1].posts = 6
        stats.ingest.sources[1].deadLetters = [.invalidJSON: 1]
        stats.ingest.sources[1].bytes = 123_456
        stats.ingest.sources[1].reconnects = 4
        stats.filtered = 9
        stats.duplicates = 2
        stats.late = 3
        stats.classified = 95
        stats.abstained = [.tooShort: 2, .unsupportedLanguage: 1]
        stats.windowed = 92
        stats.windows = 4
        stats.alerts = 1
        stats.webhookSent = 1
        stats.webhookFailed = 0
        stats.seconds = 12.5
        stats.modelSeconds = 0.25
        let live = RunCounters(stats)
        let read = try RunCounters(runJSON: Data(stats.json.utf8))
        #expect(read == live)
        #expect(read.deadLetters == ["invalid_json": 6, "missing_text": 3])
        #expect(read.abstained == ["too_short": 2, "unsupported_language": 1, "uncertain": 0])
        #expect(read.sources.map(\.reconnects) == [0, 4])
    }

    @Test func anOlderRunJSONWithoutNewerFieldsReadsThemAsZero() throws {
        let json =
            #"{"lines":1,"posts":1,"sources":[{"name":"x","lines":1,"posts":1,"skipped":0,"bytes":9,"reconnects":0}],"classified":1}"#
        let read = try RunCounters(runJSON: Data(json.utf8))
        #expect(read.classified == 1)
        #expect(read.webhookFailed == 0)
        #expect(read.modelSeconds == 0)
        #expect(throws: DecodingError.self) { try RunCounters(runJSON: Data("[1,2]".utf8)) }
    }
}
