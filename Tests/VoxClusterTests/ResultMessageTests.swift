import Testing
import VoxCluster
import VoxFeeds
import VoxStream

/// A worker batch's results travel as one message: bit-exact, with an id naming every post in it.
@Suite struct ResultMessageTests {
    private static func result(_ sequence: UInt64, _ value: Float, posts: Int = 1) -> ResultMessage {
        ResultMessage(
            sequence: sequence, model: "m@1/fp32",
            scores: (0..<posts).map { post in
                ClassifyStage.Scores(
                    sentiment: [value, 0.25, 1 - value - 0.25],
                    topics: [Float.leastNonzeroMagnitude, -0.0, value * Float(post)])
            })
    }

    @Test func aBatchRoundTripsBitForBit() throws {
        let results = [Self.result(3, 0.1, posts: 32), Self.result(300, 0.7, posts: 0), Self.result(70_000, 1e-7)]
        let decoded = try ResultMessage.decode(ResultMessage.encode(results))
        #expect(decoded == results)
        #expect(
            decoded.map { $0.scores.map { $0.topics.map(\.bitPattern) } }
                == results.map { $0.scores.map { $0.topics.map(\.bitPattern) } })
        #expect(try ResultMessage.decode(ResultMessage.encode([])).isEmpty)
    }

    @Test func languagesAndAbstentionsTravelWithTheScores() throws {
        let scores = [
            ClassifyStage.Scores(sentiment: [0.1, 0.2, 0.7], topics: [1], lang: "en", langSource: .feed),
            ClassifyStage.Scores(
                sentiment: [], topics: [], lang: "pt", langSource: .detected, abstained: .unsupportedLanguage),
            ClassifyStage.Scores(sentiment: [], topics: [], lang: nil, langSource: .unknown, abstained: .tooShort),
            ClassifyStage.Scores(
                sentiment: [0.4, 0.3, 0.3], topics: [1], lang: "en", langSource: .detected, abstained: .uncertain),
            ClassifyStage.Scores(sentiment: [0.4, 0.3, 0.3], topics: [1]),
        ]
        let results = [ResultMessage(sequence: 9, model: "m@1/fp32", scores: scores)]
        #expect(try ResultMessage.decode(ResultMessage.encode(results)) == results)
        // An abstention code the reader does not know is an error, not a classified post.
        var bytes = ResultMessage.encode([ResultMessage(sequence: 1, model: "m", scores: [scores[0]])])
        let at = try #require(bytes.firstIndex(of: 0x6d)) + 4  // past "m", the count, the sequence, the posts
        bytes[at] = 9
        #expect(throws: ClusterError.self) { try ResultMessage.decode(bytes) }
    }

    @Test func theIdNamesEveryPostInTheBatch() {
        let id = ResultMessage.id(of: [Self.result(5, 0.1), Self.result(6, 0.2), Self.result(7, 0.3)])
        // A retried store of the same batch has the same id (the server drops it); scores do not enter it.
        #expect(id == ResultMessage.id(of: [Self.result(5, 0.9), Self.result(6, 0.9), Self.result(7, 0.9)]))
        // The same first, last and count with another post in the middle is another message.
        #expect(id != ResultMessage.id(of: [Self.result(5, 0.1), Self.result(9, 0.2), Self.result(7, 0.3)]))
    }

    @Test func bytesNotFromAWorkerAreAClearError() {
        let good = ResultMessage.encode([Self.result(1, 0.5, posts: 2)])
        for bad in [[UInt8](), [9, 1, 2], Array(good.dropLast()), good + [0], Array("{\"json\":1}".utf8)] {
            #expect(throws: ClusterError.self) { try ResultMessage.decode(bad) }
        }
    }
}

/// Every prefix of a valid message (a cut or hostile payload) is an error, never a trap.
@Suite struct WireTruncationTests {
    @Test(arguments: [
        LineMessage.start(sources: ["feeds/a.jsonl.gz", "https://example.com/live"], profile: "x-v2"),
        .lines(source: 1, line: 1 << 33, [.skipped(count: 300)]), .finished(source: 0, line: 12_345),
        .lines(
            source: 2, line: 7,
            [
                .filtered(duplicate: true), .filtered(duplicate: false),
                .post(
                    Post(
                        id: "1", text: "héllo 👋", createdAt: -5, author: "a", lang: nil, source: "s",
                        extra: #"{"n":1}"#)),
                .deadLetter(
                    DeadLetter(
                        source: "feed.jsonl", offset: 1 << 35, line: 9, reason: .badTime, snippet: "{\"created_at\"",
                        detail: nil)),
                .skipped(count: 2),
            ]), .reconnected(source: 1),
        .end([.init(profile: "x-v2", bytes: 1 << 40, error: nil), .init(profile: nil, bytes: 0, error: "HTTP 503")]),
    ])
    func everyPrefixOfALineMessageIsAnError(message: LineMessage) throws {
        // An empty pack and a run of no skipped lines are errors too.
        #expect(throws: ClusterError.self) { try LineMessage(bytes: LineMessage.lines(source: 0, line: 0, []).bytes) }
        #expect(throws: ClusterError.self) {
            try LineMessage(bytes: LineMessage.lines(source: 0, line: 0, [.skipped(count: 0)]).bytes)
        }
        let bytes = message.bytes
        #expect(try LineMessage(bytes: bytes) == message)
        for length in 0..<bytes.count {
            #expect(throws: ClusterError.self) { try LineMessage(bytes: Array(bytes.prefix(length))) }
        }
    }

    @Test func everyPrefixOfAResultsMessageIsAnError() {
        let bytes = ResultMessage.encode([
            ResultMessage(
                sequence: 1 << 40, model: "model@1/int8",
                scores: [ClassifyStage.Scores(sentiment: [0.1, 0.2, 0.7], topics: [0.5])])
        ])
        for length in 0..<bytes.count {
            #expect(throws: ClusterError.self) { try ResultMessage.decode(Array(bytes.prefix(length))) }
        }
    }
}
