import Testing
import VoxFeeds

@testable import VoxStream

/// Spike alerts on synthetic window series.
@Suite struct AlertDetectorTests {
    static let hour: Int64 = 3_600_000

    /// One window's `all` row with `posts` posts of which `negative` are negative.
    private func window(_ index: Int, posts: Int, negative: Int) -> [WindowRecord] {
        var stats = TopicStats()
        for item in 0..<posts {
            let sentiment: [Float] = item < negative ? [0.9, 0.05, 0.05] : [0.05, 0.15, 0.8]
            stats.add(
                ClassifiedPost(
                    post: Post(
                        id: "\(index)-\(item)", text: "t", createdAt: Int64(index) * AlertDetectorTests.hour,
                        source: "generic"),
                    sourceIndex: 0, sentiment: sentiment, topics: [1], watch: []))
        }
        return [
            WindowRecord(
                windowStart: Int64(index) * AlertDetectorTests.hour,
                windowEnd: Int64(index + 1) * AlertDetectorTests.hour, topic: "all", kind: .all, stats: stats,
                model: "m")
        ]
    }

    @Test func aNegativeShareSpikeRaisesOneAlertThenCoolsDown() {
        var detector = AlertDetector()
        var alerts: [Alert] = []
        let negatives = [5, 6, 5, 4, 6, 5, 30, 31, 30, 5]  // of 50 posts per window
        for (index, negative) in negatives.enumerated() {
            alerts += detector.observe(window(index, posts: 50, negative: negative))
        }
        #expect(alerts.map(\.kind) == [.negativeShare])
        #expect(alerts.first?.windowStart == 6 * AlertDetectorTests.hour)
        #expect((alerts.first?.deviation ?? 0) > 3)
        #expect(alerts.first?.json.contains(#""kind":"negative_share","value":0.6000"#) == true)
    }

    @Test func volumeSurgesAlertButSmallWindowsDoNotJudgeSentiment() {
        var detector = AlertDetector()
        var alerts: [Alert] = []
        let volumes = [100, 110, 95, 105, 100, 400, 100]
        for (index, posts) in volumes.enumerated() {
            alerts += detector.observe(window(index, posts: posts, negative: posts / 10))
        }
        #expect(alerts.map(\.kind) == [.volume])
        #expect(alerts.first?.posts == 400)
        var quiet = AlertDetector()
        var none: [Alert] = []
        for index in 0..<8 { none += quiet.observe(window(index, posts: 10, negative: index == 6 ? 10 : 1)) }
        #expect(none.isEmpty)  // 10 posts is below the minimum for a negative-share alert, and volume is flat
    }

    @Test func nothingBeforeTheWarmup() {
        var detector = AlertDetector()
        #expect(detector.observe(window(0, posts: 50, negative: 1)).isEmpty)
        #expect(detector.observe(window(1, posts: 500, negative: 400)).isEmpty)
    }
}
