import VoxFeeds

/// Running statistics of one topic in one window: `posts = negative + neutral + positive + abstained` (with
/// `--reposts collapse`, `posts = negative + neutral + positive + abstained + reposts` and the last four are over
/// distinct posts), and the shares and means are over the classified posts (all but the abstained). Sums of probabilities are kept in
/// fixed point (units of 1e-9) so they are exact and independent of the order posts arrive in: replay equals live.
public struct TopicStats: Sendable, Equatable, Codable {
    public private(set) var posts = 0
    public private(set) var negative = 0
    public private(set) var neutral = 0
    public private(set) var positive = 0
    /// Posts the model abstained from (language it does not read, too short, uncertain).
    public private(set) var abstained = 0
    /// Posts that nearly duplicate an earlier post (retweets, copies).
    public private(set) var reposts = 0
    private var scoreSum: Int64 = 0
    private var confidenceSum: Int64 = 0
    /// Sums of P(negative) and P(positive) (nil in a window opened by a checkpoint written before they were kept).
    private var negativeSum: Int64? = 0
    private var positiveSum: Int64? = 0
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

    enum CodingKeys: String, CodingKey {
        case posts, negative, neutral, positive, abstained, reposts, scoreSum, confidenceSum, mostNegative, mostPositive
        case negativeSum, positiveSum
    }

    /// An empty window.
    public init() {}

    /// Decodes statistics (a checkpoint written before abstention has no `abstained`: none were).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        posts = try container.decode(Int.self, forKey: .posts)
        negative = try container.decode(Int.self, forKey: .negative)
        neutral = try container.decode(Int.self, forKey: .neutral)
        positive = try container.decode(Int.self, forKey: .positive)
        abstained = try container.decodeIfPresent(Int.self, forKey: .abstained) ?? 0
        reposts = try container.decodeIfPresent(Int.self, forKey: .reposts) ?? 0
        scoreSum = try container.decode(Int64.self, forKey: .scoreSum)
        confidenceSum = try container.decode(Int64.self, forKey: .confidenceSum)
        negativeSum = try container.decodeIfPresent(Int64.self, forKey: .negativeSum)
        positiveSum = try container.decodeIfPresent(Int64.self, forKey: .positiveSum)
        mostNegative = try container.decode([Example].self, forKey: .mostNegative)
        mostPositive = try container.decode([Example].self, forKey: .mostPositive)
    }

    /// Counts a post (an abstained one only in `posts` and `abstained`, a collapsed repost only in `posts` and
    /// `reposts`).
    public mutating func add(_ post: ClassifiedPost) {
        posts += 1
        if let repost = post.repost {
            reposts += 1
            if repost == .collapse { return }
        }
        if post.abstained != nil {
            abstained += 1
            return
        }
        switch post.sentimentClass {
        case 0: negative += 1
        case 1: neutral += 1
        default: positive += 1
        }
        scoreSum += TopicStats.fixed(post.score)
        confidenceSum += TopicStats.fixed(post.sentiment.max() ?? 0)
        if post.sentiment.count == 3 {
            negativeSum = negativeSum.map { $0 + TopicStats.fixed(post.sentiment[0]) }
            positiveSum = positiveSum.map { $0 + TopicStats.fixed(post.sentiment[2]) }
        }
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

    /// Posts the model classified: the denominator of every share and mean (neither abstained nor collapsed).
    public var classified: Int { negative + neutral + positive }

    /// Posts that are not reposts.
    public var distinctPosts: Int { posts - reposts }

    /// Shares of each class, the net sentiment, the mean score and the mean confidence, over the classified
    /// posts (all 0 without any).
    public var negativeShare: Double { share(negative) }
    public var neutralShare: Double { share(neutral) }
    public var positiveShare: Double { share(positive) }
    public var netSentiment: Double { share(positive - negative) }
    public var meanScore: Double { classified == 0 ? 0 : Double(scoreSum) / 1e9 / Double(classified) }
    public var meanConfidence: Double { classified == 0 ? 0 : Double(confidenceSum) / 1e9 / Double(classified) }

    /// Sums of the sentiment probabilities per class over the classified posts (negative, neutral, positive; the
    /// neutral sum is what the other two leave), or nil when they were not kept for this window.
    public var probabilitySums: [Double]? {
        guard let negativeSum, let positiveSum else { return nil }
        let negative = Double(negativeSum) / 1e9
        let positive = Double(positiveSum) / 1e9
        return [negative, Double(classified) - negative - positive, positive]
    }

    private func share(_ count: Int) -> Double { classified == 0 ? 0 : Double(count) / Double(classified) }
}
