import VoxFeeds
import VoxModel

/// The classify stage: one encoder pass over a micro-batch feeds both heads; returns each post's sentiment and
/// topic probabilities and how long the model took. Shared by the single-node pipeline and `vox worker`.
public struct ClassifyStage: Sendable {
    /// The classifier.
    public let classifier: TextClassifier
    /// What the model reads, and when it abstains.
    public let gate: LanguageGate
    private let sentimentHead: Int
    private let topicHead: Int?
    /// Whether identical texts are answered from the classifier's cache (the same predictions, faster).
    public let cached: Bool

    /// The outcome of one post: its language and either its probabilities or why the model abstained.
    public struct Scores: Sendable, Equatable {
        /// Negative, neutral, positive (empty when abstained from, unless `uncertain`).
        public var sentiment: [Float]
        /// In the taxonomy's order (empty without a topic head, or when abstained from, unless `uncertain`).
        public var topics: [Float]
        /// The post's language as settled (nil when it could not be told).
        public var lang: String?
        /// Where `lang` came from (nil when no language decision was made).
        public var langSource: LanguageSource?
        /// Why the post is not counted in the shares, or nil.
        public var abstained: AbstainReason?

        /// Creates scores.
        public init(
            sentiment: [Float], topics: [Float], lang: String? = nil, langSource: LanguageSource? = nil,
            abstained: AbstainReason? = nil
        ) {
            self.sentiment = sentiment
            self.topics = topics
            self.lang = lang
            self.langSource = langSource
            self.abstained = abstained
        }

        /// The post with this outcome's language decision.
        public func applied(to post: Post) -> Post {
            guard langSource != nil else { return post }
            var post = post
            post.lang = lang
            post.langSource = langSource
            return post
        }
    }

    /// A stage for `classifier`.
    /// - Throws: `ModelError` when the model has no sentiment head with the labels negative, neutral, positive
    ///   (windows, shares and alerts are sentiment: a model without one would report every post as neutral).
    public init(classifier: TextClassifier, abstainBelow: Float? = nil, cached: Bool = true) throws(ModelError) {
        self.classifier = classifier
        self.cached = cached
        gate = LanguageGate(supported: classifier.artifact.supportedLanguages, abstainBelow: abstainBelow)
        let heads = classifier.artifact.heads
        let label = classifier.artifact.label
        guard let sentiment = heads.firstIndex(where: { $0.name == "sentiment" }) else {
            throw ModelError(
                .format,
                "\(label) has no sentiment head, which windows, shares and alerts need (train one with vox train "
                    + "--sentiment-train FILE)")
        }
        guard heads[sentiment].labels == HeadSpec.sentimentLabels, heads[sentiment].kind == .softmax else {
            throw ModelError(
                .format,
                "\(label)'s sentiment head has labels \(heads[sentiment].labels.joined(separator: ", ")); the "
                    + "pipeline needs one softmax over negative, neutral, positive")
        }
        sentimentHead = sentiment
        topicHead = heads.firstIndex { $0.name == "topic" }
    }

    /// Settles each post's language, scores those the model reads (off the cooperative pool, one batch) and
    /// returns every post's outcome in order with the model's time in nanoseconds.
    public func classify(_ posts: [Post]) async -> (scores: [Scores], nanoseconds: Int64) {
        var outcomes: [Scores] = []
        outcomes.reserveCapacity(posts.count)
        var texts: [String] = []
        for post in posts {
            var decided = post
            let reason = gate.check(&decided)
            outcomes.append(
                Scores(sentiment: [], topics: [], lang: decided.lang, langSource: decided.langSource, abstained: reason)
            )
            if reason == nil { texts.append(post.text) }
        }
        let (scores, nanoseconds) = await classify(texts)
        var next = 0
        for index in outcomes.indices where outcomes[index].abstained == nil {
            outcomes[index].sentiment = scores[next].sentiment
            outcomes[index].topics = scores[next].topics
            if gate.isUncertain(scores[next].sentiment) { outcomes[index].abstained = .uncertain }
            next += 1
        }
        return (outcomes, nanoseconds)
    }

    /// Scores `texts` in order (off the cooperative pool), with no language decision, and returns them with the
    /// model's time in nanoseconds.
    public func classify(_ texts: [String]) async -> (scores: [Scores], nanoseconds: Int64) {
        guard !texts.isEmpty else { return ([], 0) }
        let clock = ContinuousClock()
        let started = clock.now
        let predictions = await classifier.classify(texts, cached: cached)
        let elapsed = clock.now - started
        let scores = predictions.map { prediction in
            Scores(
                sentiment: prediction.probabilities[sentimentHead],
                topics: topicHead.map { prediction.probabilities[$0] } ?? [])
        }
        return (scores, elapsed.totalNanoseconds)
    }
}
