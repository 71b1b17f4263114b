import Foundation
import Testing
import VoxFeeds
import VoxModel

@testable import VoxStream

/// Event-time windows and watermarks, driven without I/O.
@Suite struct WindowAggregatorTests {
    static let hour: Int64 = 3_600_000
    static let base: Int64 = 1_795_824_000_000  // 2026-11-28T00:00:00Z

    private func post(
        _ id: String, at offset: Int64, source: Int = 0, sentiment: [Float] = [0.1, 0.2, 0.7], topic: Int = 0,
        watch: [Int] = []
    ) -> ClassifiedPost {
        ClassifiedPost(
            post: Post(id: id, text: "text \(id)", createdAt: WindowAggregatorTests.base + offset, source: "generic"),
            sourceIndex: source,
            sentiment: sentiment, topics: topic == 0 ? [0.9, 0.1] : [0.1, 0.9], watch: watch)
    }

    /// Feeds posts in order like the model stage does; returns (closed windows, late count).
    private func run(
        _ posts: [ClassifiedPost], sources: Int = 1, lateness: Int64 = 300_000, release: Bool = true
    ) -> ([WindowAggregator.Closed], Int) {
        var watermark = Watermark(sources: sources, lateness: lateness)
        var aggregator = WindowAggregator(
            size: WindowAggregatorTests.hour, taxonomy: ["a", "b"], watch: ["w"], model: "m@1")
        var closed: [WindowAggregator.Closed] = []
        var late = 0
        for item in posts {
            let mark = watermark.value()
            if aggregator.isLate(item.post.createdAt, watermark: mark) {
                late += 1
            } else {
                aggregator.add(item, watermark: mark)
            }
            watermark.observe(item.post.createdAt, source: item.sourceIndex)
            closed += aggregator.close(through: watermark.value(fallback: .min))
        }
        if release {
            for source in 0..<sources { watermark.release(source: source) }
            closed += aggregator.close(through: watermark.value())
        }
        return (closed, late)
    }

    @Test func aPostExactlyOnABoundaryStartsTheNextWindow() {
        let (closed, late) = run([
            post("a", at: 0), post("b", at: WindowAggregatorTests.hour - 1), post("c", at: WindowAggregatorTests.hour),
        ])
        #expect(late == 0)
        #expect(
            closed.map(\.start) == [
                WindowAggregatorTests.base, WindowAggregatorTests.base + WindowAggregatorTests.hour,
            ])
        #expect(closed.map { $0.records[0].stats.posts } == [2, 1])
    }

    @Test func outOfOrderWithinLatenessCountsAndBeyondIsLate() {
        let hour = WindowAggregatorTests.hour
        // "c" is 2 minutes behind (within the 5 minutes of lateness); "e" arrives after window 0 has closed.
        let posts = [
            post("a", at: 10), post("b", at: hour + 60_000), post("c", at: hour - 1_000),
            post("d", at: hour + 10 * 60_000), post("e", at: hour - 2_000),
        ]
        let (closed, late) = run(posts)
        #expect(late == 1)
        #expect(closed.map { $0.records[0].stats.posts } == [2, 2])
        #expect(closed.reduce(0) { $0 + $1.records[0].stats.posts } + late == posts.count)
    }

    @Test func aSilentSourceHoldsTheWatermarkUntilItIsReleased() {
        var watermark = Watermark(sources: 2, lateness: 0)
        watermark.observe(WindowAggregatorTests.base + 5 * WindowAggregatorTests.hour, source: 0)
        #expect(watermark.value() == .min)
        watermark.observe(WindowAggregatorTests.base + WindowAggregatorTests.hour, source: 1)
        #expect(watermark.value() == WindowAggregatorTests.base + WindowAggregatorTests.hour)
        watermark.release(source: 1)  // idle or finished: no longer holds it back
        #expect(watermark.value() == WindowAggregatorTests.base + 5 * WindowAggregatorTests.hour)
        watermark.release(source: 0)
        #expect(watermark.value(fallback: 42) == WindowAggregatorTests.base + 5 * WindowAggregatorTests.hour)
        #expect(Watermark(sources: 1, lateness: 0).value(fallback: 7) == .min)
    }

    @Test func everyTopicGetsARowInOrderEvenWithoutPosts() {
        let (closed, _) = run([
            post("a", at: 0, sentiment: [0.8, 0.1, 0.1], topic: 1, watch: [0]),
            post("b", at: 1, sentiment: [0.1, 0.1, 0.8]),
        ])
        let rows = closed[0].records
        #expect(rows.map(\.topic) == ["all", "a", "b", "w"])
        #expect(rows.map(\.kind) == [.all, .taxonomy, .taxonomy, .watch])
        #expect(rows.map(\.stats.posts) == [2, 1, 1, 1])
        let all = rows[0].stats
        #expect(all.negative == 1 && all.positive == 1 && all.netSentiment == 0)
        #expect(abs(all.meanScore - 0) < 1e-9)
        #expect(abs(all.meanConfidence - 0.8) < 1e-6)
        #expect(
            rows[3].csv.hasSuffix(
                ",w,watch,1,1,0,0,0,1.0000,0.0000,0.0000,-1.0000,-0.7000,0.8000,m@1,1.0000,1.0000,0.0000,,,,"
                    + "0.2065,1.0000,0.0000,0.7935,0.0000,0.7935,0,1,0.8000,0.1000,0.1000"))
        // Without a domain estimate the corrected shares are empty and the intervals are Wilson's (1 of 2: 9–91%).
        #expect(rows[0].csv.hasSuffix(",m@1,,,,,,,0.0945,0.9055,0.0000,0.6576,0.0945,0.9055,0,2,0.4500,0.1000,0.4500"))
        let expectedJSON: String = [
            #""model":"m@1","share_of_voice":null,"negative_voice_share":null,"positive_voice_share":null,"#,
            #""negative_share_adjusted":null,"neutral_share_adjusted":null,"positive_share_adjusted":null,"#,
            #""negative_share_low":0.0945,"negative_share_high":0.9055,"neutral_share_low":0.0000,"#,
            #""neutral_share_high":0.6576,"positive_share_low":0.0945,"positive_share_high":0.9055,"#,
            #""reposts":0,"distinct_posts":2,"negative_probability_mean":0.4500,"#,
            #""neutral_probability_mean":0.1000,"positive_probability_mean":0.4500}"#,
        ].joined()
        #expect(rows[0].json.hasSuffix(expectedJSON))
    }

    @Test func anAdaptedModelsRowsCarryCorrectedSharesFromItsDomainEstimate() {
        // The model over-calls neutral by a quarter of the posts and under-calls negative by as much.
        let domain = DomainEstimate(
            labels: ["negative", "neutral", "positive"],
            rows: [(0, 1, 1), (0, 0, 1), (1, 1, 1), (2, 2, 1)], folds: 2)
        var aggregator = WindowAggregator(
            size: WindowAggregatorTests.hour, taxonomy: [], watch: [], model: "m", domain: domain)
        for index in 0..<4 {
            aggregator.add(post("n\(index)", at: 60_000, sentiment: [0.1, 0.8, 0.1]), watermark: .min)
        }
        let row = aggregator.close(through: .max)[0].records[0]
        #expect(row.shares.adjusted == [0.25, 0.75, 0])
        #expect(row.csv.contains(",0.2500,0.7500,0.0000,"))
        #expect(row.shares.low[0] < 0.25 && row.shares.high[0] > 0.25)
        let restored = try? JSONDecoder().decode(WindowRecord.self, from: JSONEncoder().encode(row))
        #expect(restored == row)
    }

    @Test func slidingWindowsHoldAPostOncePerOverlap() {
        var aggregator = WindowAggregator(
            size: WindowAggregatorTests.hour, slide: 15 * 60_000, taxonomy: [], watch: [], model: "m")
        aggregator.add(post("a", at: 40 * 60_000), watermark: .min)
        let closed = aggregator.close(through: .max)
        #expect(closed.count == 4)
        #expect(closed.map { ($0.start - WindowAggregatorTests.base) / 60_000 } == [-15, 0, 15, 30])
    }

    @Test func csvQuotesTopicNamesWithCommasAndQuotes() {
        let record = WindowRecord(
            windowStart: 0, windowEnd: WindowAggregatorTests.hour, topic: #"Tea, "Earl" Grey"#, kind: .watch,
            stats: TopicStats(), model: "m")
        #expect(record.csv.contains(#","Tea, ""Earl"" Grey",watch,0,"#))
        #expect(record.json.contains(#""topic":"Tea, \"Earl\" Grey""#))
        #expect(WindowRecord.csvHeader.split(separator: ",").count == 33)
    }

    @Test func examplesKeepTheThreeMostNegativeAndPositive() {
        var stats = TopicStats()
        for (index, score) in [0.9, -0.8, 0.1, -0.2, 0.95, -0.99, 0.3].enumerated() {
            let positive = Float((1 + score) / 2)
            stats.add(post("p\(index)", at: 0, sentiment: [1 - positive, 0, positive]))
        }
        #expect(stats.mostNegative.map(\.id) == ["p5", "p1", "p3"])
        #expect(stats.mostPositive.map(\.id) == ["p4", "p0", "p6"])
    }
}

/// Window rows print their shares with their own four-decimal formatter: the text must be `printf`'s.
@Suite struct DecimalTextTests {
    @Test func fourDecimalsAreExactlyPrintfs() {
        var generator = SeededGenerator(seed: 4)
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.03125, -0.03125, 0.00005, -0.00004, 0.99995, 0.12345, 0.123449999, 2.5e-5,
            123_456.78905, 999_999_999.5, 1e12, -1e12, .nan, .infinity, -.infinity, .leastNonzeroMagnitude,
            0.1 + 0.2, 1.0 / 3, -2.0 / 3,
        ]
        for _ in 0..<20_000 { values.append(Double.random(in: -1...1, using: &generator)) }
        // Exact ties on the fifth decimal (k/2⁵ ×…) and their neighbours.
        for numerator in 0..<400 {
            let tie = (Double(numerator) + 0.5) / 10_000
            values += [tie, tie.nextUp, tie.nextDown, -tie]
        }
        for value in values {
            let printf = String(format: "%.4f", value)
            #expect(WindowRecord.decimal(value) == (printf == "-0.0000" ? "0.0000" : printf), "\(value)")
        }
    }
}

/// Abstained posts: counted in a window's `all` and watch rows, in no share and no taxonomy row.
@Suite struct AbstentionWindowTests {
    @Test func abstainedPostsCountInPostsButInNoShare() throws {
        var aggregator = WindowAggregator(size: 3_600_000, taxonomy: ["a", "b"], watch: ["w"], model: "m@1")
        func post(_ id: String, _ sentiment: [Float], abstained: AbstainReason? = nil) -> ClassifiedPost {
            ClassifiedPost(
                post: Post(id: id, text: id, createdAt: 1_000, source: "generic"), sourceIndex: 0,
                sentiment: sentiment, topics: sentiment.isEmpty ? [] : [0.9, 0.1], watch: [0], abstained: abstained)
        }
        aggregator.add(post("1", [0.8, 0.1, 0.1]), watermark: .min)
        aggregator.add(post("2", [0.1, 0.1, 0.8]), watermark: .min)
        aggregator.add(post("3", [], abstained: .unsupportedLanguage), watermark: .min)
        aggregator.add(post("4", [0.4, 0.3, 0.3], abstained: .uncertain), watermark: .min)
        let rows = try #require(aggregator.close(through: .max).first).records
        let all = rows[0].stats
        #expect((all.posts, all.negative, all.neutral, all.positive, all.abstained) == (4, 1, 0, 1, 2))
        #expect(all.classified == 2 && all.negativeShare == 0.5 && all.netSentiment == 0)
        #expect(rows[1].stats.posts == 2 && rows[1].stats.abstained == 0)  // taxonomy "a": the classified two
        #expect(rows[3].stats.posts == 4 && rows[3].stats.abstained == 2)  // watch "w": every post
        #expect(rows[0].csv.contains(",all,all,4,1,0,1,2,0.5000,0.0000,0.5000,0.0000,"))
        #expect(rows[0].json.contains(#""positive":1,"abstained":2,"negative_share":0.5000"#))
        // The statistics survive a checkpoint, and one written before abstention reads as none abstained.
        let decoded = try JSONDecoder().decode(TopicStats.self, from: JSONEncoder().encode(all))
        #expect(decoded == all)
        let old =
            #"{"posts":1,"negative":1,"neutral":0,"positive":0,"scoreSum":0,"confidenceSum":0,"mostNegative":[],"mostPositive":[]}"#
        #expect(try JSONDecoder().decode(TopicStats.self, from: Data(old.utf8)).abstained == 0)
    }
}
