import Foundation
import Testing
import VoxModel

@testable import VoxStream

/// Emerging terms: what a term is, Dunning's G², a burst in real tweets found and quiet windows left alone, bounded
/// memory, and a checkpointed tracker continuing exactly as one never stopped.
@Suite struct TermTrackerTests {
    static let hour: Int64 = 3_600_000

    @Test func termsAreWordsHashtagsMentionsAndPhrasesWithoutStopWords() {
        let extractor = TermExtractor()
        let terms = extractor.terms(
            "RT @Delta: Flight DL123 delayed AGAIN!! #Fail https://t.co/x 2 hours, can't believe it", language: "en")
        #expect(
            terms == [
                "@delta", "flight", "dl123", "flight dl123", "delayed", "dl123 delayed", "#fail", "hours", "believe",
            ])
        // Stop-words of the post's language, besides English; the curly apostrophe is the straight one.
        #expect(
            extractor.terms("Este produto é horrível, nunca mais compro", language: "pt")
                == ["produto", "horrível", "nunca", "compro"])
        #expect(extractor.terms("Don’t buy the new phone", language: nil) == ["buy", "new", "phone", "new phone"])
        // Each term once per post, numbers and one-letter words left out, hostile lengths bounded.
        #expect(extractor.terms("refund refund REFUND 2024 x #refund", language: "en") == ["refund", "#refund"])
        let hostile = (0..<1000).map { "w\($0)" }.joined(separator: " ") + " " + String(repeating: "a", count: 500)
        let bounded = extractor.terms(hostile, language: "en")
        #expect(bounded.count == TermExtractor.maximumTerms)
        #expect(bounded.allSatisfy { $0.count <= 2 * TermExtractor.maximumLength + 1 })
    }

    @Test func logLikelihoodRatioMatchesDunningsFormula() {
        // Values from the closed form computed independently (Python, math.log).
        #expect(abs(EmergingTerm.logLikelihoodRatio(10, 100, 10, 1000) - 22.907_803_544_6) < 1e-9)
        #expect(abs(EmergingTerm.logLikelihoodRatio(5, 20, 0, 100) - 19.075_843_835_1) < 1e-9)
        #expect(EmergingTerm.logLikelihoodRatio(3, 10, 3, 10) == 0)
        #expect(EmergingTerm.logLikelihoodRatio(3, 0, 3, 10) == 0)
    }

    /// Real tweets, 60 an hour, shuffled per seed; in hour 6 a burst of `burst` posts mentions an outage.
    static func feed(seed: UInt64, burst: Int) throws -> [(text: String, time: Int64)] {
        var tweets = try RepostDetectorTests.tweets()
        var random = SeededGenerator(seed: seed)
        tweets.shuffle(using: &random)
        var posts: [(String, Int64)] = []
        for (index, text) in tweets.enumerated() {
            let hourIndex = Int64(index / 60)
            posts.append((text, hourIndex * hour + Int64(index % 60) * 60_000))
        }
        for index in 0..<burst {
            posts.append(("@bank app outage again, can't log in #bankdown \(index)", 5 * hour + Int64(index) * 1000))
        }
        return posts.sorted { $0.1 < $1.1 }
    }

    static func run(_ posts: [(text: String, time: Int64)], options: TermTracker.Options = .init()) -> [EmergingTerm] {
        var tracker = TermTracker(size: hour, topics: ["all"], options: options)
        var found: [EmergingTerm] = []
        var open: Int64? = nil
        for post in posts {
            let start = WindowAggregator.floor(post.time, hour)
            if let current = open, current != start { found += tracker.close(start: current) }
            open = start
            tracker.add(text: post.text, language: "en", at: post.time, topics: [0])
        }
        if let open { found += tracker.close(start: open) }
        return found
    }

    @Test func aBurstInRealTweetsIsFoundAndQuietHoursStayQuiet() throws {
        var quietTerms = 0
        for seed in UInt64(1)...10 {
            let found = Self.run(try Self.feed(seed: seed, burst: 8))
            let burst = found.filter { $0.windowStart == 5 * Self.hour }
            // The burst's own words are the hour's top terms.
            #expect(
                Set(burst.prefix(3).map(\.term)).isSubset(of: ["#bankdown", "outage", "@bank", "app outage", "app"]))
            // New to the baseline: taken at the heaviest weight its pruning dropped, a small upper bound.
            #expect(burst.contains { $0.term == "#bankdown" && $0.count == 8 && $0.baselineRate < 0.02 })
            quietTerms += found.count - burst.count
        }
        // Five ordinary hours of 60 real tweets each, ten shuffles: the words of ordinary tweets rarely pass.
        #expect(quietTerms <= 2, "\(quietTerms) terms emerged in 10 × 2 ordinary scored hours")
        // No burst: nothing in the ordinary hours' place either.
        #expect(Self.run(try Self.feed(seed: 1, burst: 0)).filter { $0.windowStart == 5 * Self.hour }.isEmpty)
    }

    @Test func rowsFollowTheScoreAndTheOptions() throws {
        let found = Self.run(try Self.feed(seed: 3, burst: 12))
        let burst = found.filter { $0.windowStart == 5 * Self.hour }
        #expect(burst == burst.sorted { ($0.score, $1.term) > ($1.score, $0.term) })
        #expect(burst.allSatisfy { $0.score >= TermTracker.minimumScore && $0.count >= 5 })
        #expect(burst.allSatisfy { $0.rate >= TermTracker.minimumRise * $0.baselineRate })
        var options = TermTracker.Options()
        options.top = 2
        #expect(
            Self.run(try Self.feed(seed: 3, burst: 12), options: options).filter { $0.windowStart == 5 * Self.hour }
                .map(\.term) == burst.prefix(2).map(\.term))
        options.top = 10
        options.minimumCount = 13
        #expect(Self.run(try Self.feed(seed: 3, burst: 12), options: options).allSatisfy { $0.count >= 13 })
        // No baseline before three windows: the first hours report nothing.
        #expect(found.allSatisfy { $0.windowStart >= 3 * Self.hour })
    }

    @Test func memoryIsBoundedAndTheBaselineDecays() throws {
        var tracker = TermTracker(size: Self.hour, topics: ["all"], options: .init())
        for index in 0..<(TermTracker.windowCapacity + 2_000) {
            tracker.add(text: "term\(index) word\(index)", language: "en", at: 0, topics: [0])
        }
        _ = tracker.close(start: 0)
        let state = try JSONSerialization.jsonObject(with: JSONEncoder().encode(tracker)) as? [String: Any]
        let baselines = try #require(state?["baselines"] as? [[String: Any]])
        let terms = try #require(baselines.first?["terms"] as? [String: Any])
        #expect(terms.count <= TermTracker.baselineCapacity)
        // 2^(−1/24) per window: 24 windows halve a weight (within the fixed point's rounding).
        let halved = TermTracker.power(TermTracker.halving(24), 24)
        #expect(abs(halved - 32_768) <= 16)
        #expect(TermTracker.power(TermTracker.halving(1), 40) == 0)
    }

    @Test func aCheckpointedTrackerContinuesExactly() throws {
        let posts = try Self.feed(seed: 5, burst: 10)
        let whole = Self.run(posts)
        // Stop half-way through hour 5 (the burst's), encode, decode, go on.
        var tracker = TermTracker(size: Self.hour, topics: ["all"], options: .init())
        var found: [EmergingTerm] = []
        var open: Int64? = nil
        let cut = posts.count - 40
        for (index, post) in posts.enumerated() {
            if index == cut {
                let data = try JSONEncoder().encode(tracker)
                let restored = try JSONDecoder().decode(TermTracker.self, from: data)
                #expect(restored == tracker)
                tracker = restored
            }
            let start = WindowAggregator.floor(post.time, Self.hour)
            if let current = open, current != start { found += tracker.close(start: current) }
            open = start
            tracker.add(text: post.text, language: "en", at: post.time, topics: [0])
        }
        if let open { found += tracker.close(start: open) }
        #expect(found == whole)
        #expect(!whole.isEmpty)
        // Tampered state is refused.
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(tracker)) as? [String: Any])
        var baselines = try #require(object["baselines"] as? [[String: Any]])
        baselines[0]["posts"] = -5
        object["baselines"] = baselines
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TermTracker.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }
}
