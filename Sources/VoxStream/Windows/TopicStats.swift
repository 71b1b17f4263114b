import VoxFeeds

/// Running statistics of one topic in one window. Sums of probabilities are kept in fixed point (units of
/// 1e-9) so they are exact and independent of the order posts arrive in: replay equals live.
public struct TopicStats: Sendable, Equatable, Codable {
    public private(set) var posts = 0
    public private(set) var negative = 0
    public private(set) var neutral = 0
    public private(set) var positive = 0
    private var scoreSum: Int64 = 0
    private var confidenceSum: Int64 = 0
    /// The three most negative and three most positive posts (by P(positive) − P(negative), ties by id).
    public private(set) var mostNegative: [Example] = []
    public private(set) var mostPositive: [Example] = []

    /// A post kept as an example.
    public struct Example: Sendable, Equatable, Codable {
        public var id: String
        public var text: String
        public var sentiment: [Float]
        public var score: Float
    }

    /// An empty window.
    public init() {}

    /// Counts a post.
    public mutating func add(_ post: ClassifiedPost) {
        posts += 1
        switch post.sentimentClass {
        case 0: negative += 1
        case 1: neutral += 1
        default: positive += 1
        }
        scoreSum += TopicStats.fixed(post.score)
        confidenceSum += TopicStats.fixed(post.sentiment.max() ?? 0)
        let example = Example(id: post.post.id, text: post.post.text, sentiment: post.sentiment, score: post.score)
        TopicStats.keep(example, in: &mostNegative) { ($0.score, $0.id) < ($1.score, $1.id) }
        TopicStats.keep(example, in: &mostPositive) { ($0.score, $1.id) > ($1.score, $0.id) }
    }

    /// Keeps the first three by `order`; an example equal to one kept goes after it (as a stable sort would).
    private static func keep(_ example: Example, in list: inout [Example], by order: (Example, Example) -> Bool) {
        if list.count == 3, let last = list.last, !order(example, last) { return }
        let index = list.firstIndex { order(example, $0) } ?? list.endIndex
        list.insert(example, at: index)
        if list.count > 3 { list.removeLast() }
    }

    private static func fixed(_ value: Float) -> Int64 { Int64((Double(value) * 1e9).rounded()) }

    /// Shares of each class, the net sentiment, the mean score and the mean confidence (all 0 without posts).
    public var negativeShare: Double { share(negative) }
    public var neutralShare: Double { share(neutral) }
    public var positiveShare: Double { share(positive) }
    public var netSentiment: Double { posts == 0 ? 0 : Double(positive - negative) / Double(posts) }
    public var meanScore: Double { posts == 0 ? 0 : Double(scoreSum) / 1e9 / Double(posts) }
    public var meanConfidence: Double { posts == 0 ? 0 : Double(confidenceSum) / 1e9 / Double(posts) }

    private func share(_ count: Int) -> Double { posts == 0 ? 0 : Double(count) / Double(posts) }
}
