import VoxFeeds

/// A post with its model outputs and watch matches: what the aggregator counts.
public struct ClassifiedPost: Sendable {
    /// The post.
    public var post: Post
    /// Which source it came from (index in the run's source list).
    public var sourceIndex: Int
    /// Sentiment probabilities: negative, neutral, positive.
    public var sentiment: [Float]
    /// Topic probabilities, in the taxonomy's order.
    public var topics: [Float]
    /// The taxonomy topic (argmax of `topics`).
    public var topic: Int
    /// Indices of the watch topics it matches, in file order.
    public var watch: [Int]
    /// Why the model abstained (the post counts in no share and no taxonomy row), or nil.
    public var abstained: AbstainReason?
    /// Whether it nearly duplicates an earlier post (``RepostDetector``), and how windows count it; nil for none.
    public var repost: Repost? = nil

    /// How a repost is counted.
    public enum Repost: String, Sendable, Codable, CaseIterable {
        /// Counted like any post (and in `reposts`).
        case count
        /// Counted in `posts` and `reposts` only: shares, means and examples are over distinct posts.
        case collapse
    }

    /// Creates a classified post.
    public init(
        post: Post, sourceIndex: Int, sentiment: [Float], topics: [Float], watch: [Int],
        abstained: AbstainReason? = nil
    ) {
        self.abstained = abstained
        self.post = post
        self.sourceIndex = sourceIndex
        self.sentiment = sentiment
        self.topics = topics
        var best = 0
        for index in topics.indices where topics[index] > topics[best] { best = index }
        topic = best
        self.watch = watch
    }

    /// P(positive) − P(negative) (0 without probabilities).
    public var score: Float { sentiment.count == 3 ? sentiment[2] - sentiment[0] : 0 }

    /// The sentiment class: 0 negative, 1 neutral, 2 positive (argmax, first on ties).
    public var sentimentClass: Int {
        var best = 0
        for index in sentiment.indices where sentiment[index] > sentiment[best] { best = index }
        return best
    }
}
