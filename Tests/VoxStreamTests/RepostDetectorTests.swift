import Foundation
import Testing
import VoxFeeds

@testable import VoxStream

/// Near-duplicate detection: retweets, quote copies and copy-paste found on real tweets, distinct tweets left alone,
/// the horizon and the memory bound kept, and a checkpointed detector continuing exactly as one never stopped.
@Suite struct RepostDetectorTests {
    /// The 300 TweetEval validation tweets of the vox tests' fixture (see Tests/voxTests/Fixtures/README.md).
    static func tweets() throws -> [String] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("voxTests/Fixtures/sentiment-val-300.jsonl").path
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["text"] as? String)
        }
    }

    static let hour: Int64 = 3_600_000

    /// Copies as feeds carry them: a retweet, a retweet of a retweet, the text with a new link, shouted, with a
    /// few words of comment before it, and with its last word changed.
    static func copies(of text: String, user: Int) -> [String] {
        [
            "RT @user\(user): \(text)", "RT @fan\(user): RT @user\(user): \(text)", "\(text) https://t.co/x\(user)",
            text.uppercased(), "So true: \(text)", text.split(separator: " ").dropLast().joined(separator: " ") + " ok",
        ]
    }

    @Test func findsCopiesOfRealTweetsAndNothingElse() throws {
        let tweets = try Self.tweets()
        #expect(tweets.count == 300)
        var detector = RepostDetector(horizon: 24 * Self.hour)
        // Every original first: distinct tweets are not reposts of one another.
        let falseAlarms = tweets.enumerated().filter { detector.isRepost($1, at: Int64($0) * 1000) }
        #expect(falseAlarms.count <= 1, "\(falseAlarms.map(\.element))")
        // Then the copies of the tweets long enough to compare (ten words or more).
        var copies = 0
        var found = 0
        for (index, tweet) in tweets.enumerated() where RepostDetector.words(tweet).count >= 10 {
            for copy in Self.copies(of: tweet, user: index) {
                copies += 1
                if detector.isRepost(copy, at: 400_000 + Int64(copies)) { found += 1 }
            }
        }
        #expect(copies > 800)
        #expect(Double(found) / Double(copies) >= 0.97, "found \(found) of \(copies) copies")
        // Copies found are not remembered: memory holds the posts taken as distinct only.
        #expect(detector.count == tweets.count - falseAlarms.count + copies - found)
    }

    @Test func shortTextsAndOtherWordsAreNeverReposts() {
        var detector = RepostDetector(horizon: Self.hour)
        let r1 = detector.isRepost("so true", at: 0)
        #expect(!r1)
        let r2 = detector.isRepost("so true", at: 1)
        #expect(!r2)
        let r3 = detector.isRepost("RT @a: thank you!", at: 2)
        #expect(!r3)
        let r4 = detector.isRepost("The flight to Boston was delayed again this morning", at: 3)
        #expect(!r4)
        let r5 = detector.isRepost("The train to Boston was on time again this morning", at: 4)
        #expect(!r5)
        let r6 = detector.isRepost("RT @b: The flight to Boston was delayed again this morning", at: 5)
        #expect(r6)
    }

    @Test func onlyCopiesWithinTheHorizonCount() {
        var detector = RepostDetector(horizon: Self.hour)
        let text = "Our new phone ships next week in three colours"
        let r7 = detector.isRepost(text, at: 0)
        #expect(!r7)
        let r8 = detector.isRepost(text, at: Self.hour)
        #expect(r8)
        let r9 = detector.isRepost(text, at: 2 * Self.hour + 1)
        #expect(!r9)  // the first is past the horizon: this one is new
        let r10 = detector.isRepost(text, at: 2 * Self.hour + 2)
        #expect(r10)
        #expect(detector.count == 1)  // the original past the horizon was forgotten
    }

    @Test func memoryStaysWithinItsCapacity() {
        var detector = RepostDetector(horizon: 1000 * Self.hour, capacity: 500)
        for index in 0..<3_000 {
            _ = detector.isRepost("post number \(index) about topic \(index * 7) and more", at: Int64(index))
            #expect(detector.count <= 500)
        }
        // The newest are kept.
        let r11 = detector.isRepost("post number 2999 about topic 20993 and more", at: 3_000)
        #expect(r11)
        let r12 = detector.isRepost("post number 10 about topic 70 and more", at: 3_001)
        #expect(!r12)
    }

    @Test func aCheckpointedDetectorContinuesExactly() throws {
        let tweets = try Self.tweets()
        let stream = tweets.enumerated().flatMap { index, tweet in
            index % 3 == 0 ? [tweet, "RT @x: " + tweet] : [tweet]
        }
        var straight = RepostDetector(horizon: 24 * Self.hour, capacity: 100)
        let expected = stream.enumerated().map { straight.isRepost($1, at: Int64($0) * 60_000) }
        var resumed = RepostDetector(horizon: 24 * Self.hour, capacity: 100)
        var actual: [Bool] = []
        for (index, text) in stream.enumerated() {
            if index % 97 == 50 {
                resumed = try JSONDecoder().decode(RepostDetector.self, from: JSONEncoder().encode(resumed))
            }
            actual.append(resumed.isRepost(text, at: Int64(index) * 60_000))
        }
        #expect(actual == expected)
        #expect(resumed == straight)
        #expect(expected.count { $0 } >= 95)
    }

    @Test func malformedCheckpointsAreRefused() throws {
        var detector = RepostDetector(horizon: Self.hour)
        _ = detector.isRepost("one two three four five six", at: 10)
        let json = try #require(String(data: try JSONEncoder().encode(detector), encoding: .utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let packed = try #require(object["packed"] as? String)
        let entries = try #require(RepostDetector.unpack(packed))
        #expect(entries.count == 1 && entries[0].time == 10 && entries[0].signature.count == 32)
        // Checkpoints written before packing hold the entries as JSON: they still resume, to the same detector.
        let legacy = try #require(
            String(data: try JSONEncoder().encode(entries), encoding: .utf8).map {
                json.replacingOccurrences(
                    of: "\"packed\":\"\(packed.replacingOccurrences(of: "/", with: "\\/"))\"", with: "\"entries\":" + $0
                )
            })
        #expect(legacy != json)
        #expect(try JSONDecoder().decode(RepostDetector.self, from: Data(legacy.utf8)) == detector)
        for bad in [
            legacy.replacingOccurrences(of: "\"signature\":[", with: "\"signature\":[1,"),
            legacy.replacingOccurrences(of: "\"time\":10", with: "\"time\":-5"),
            json.replacingOccurrences(of: "\"capacity\":50000", with: "\"capacity\":0"),
            json.replacingOccurrences(of: "\"packed\":\"", with: "\"packed\":\"AAAA"),
            json.replacingOccurrences(of: "\"packed\":\"", with: "\"packed\":\"*"),
        ] {
            #expect(bad != json && bad != legacy)
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(RepostDetector.self, from: Data(bad.utf8)) }
        }
    }

    @Test func windowsCountRepostsOrCollapseThem() {
        func post(_ id: String, _ sentiment: [Float], repost: ClassifiedPost.Repost?) -> ClassifiedPost {
            var post = ClassifiedPost(
                post: Post(id: id, text: id, createdAt: 0, lang: "en", source: "t"), sourceIndex: 0,
                sentiment: sentiment, topics: [1], watch: [])
            post.repost = repost
            return post
        }
        let negative: [Float] = [0.8, 0.1, 0.1]
        let positive: [Float] = [0.1, 0.1, 0.8]
        for mode in ClassifiedPost.Repost.allCases {
            var stats = TopicStats()
            stats.add(post("a", positive, repost: nil))
            stats.add(post("b", negative, repost: nil))
            for index in 0..<3 { stats.add(post("rt\(index)", negative, repost: mode)) }
            #expect(stats.posts == 5 && stats.reposts == 3 && stats.distinctPosts == 2)
            switch mode {
            case .count:
                #expect(stats.negative == 4 && stats.positive == 1 && stats.classified == 5)
                #expect(stats.negativeShare == 0.8)
            case .collapse:
                #expect(stats.negative == 1 && stats.positive == 1 && stats.classified == 2)
                #expect(stats.negativeShare == 0.5)
                #expect(stats.mostNegative.map(\.id) == ["b", "a"])
            }
        }
    }
}
