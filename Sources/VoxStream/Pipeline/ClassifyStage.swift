import VoxFeeds
import VoxModel

/// The classify stage: one encoder pass over a micro-batch feeds both heads; returns each post's sentiment and
/// topic probabilities and how long the model took. Shared by the single-node pipeline and `vox worker`.
public struct ClassifyStage: Sendable {
    /// The classifier.
    public let classifier: TextClassifier
    private let sentimentHead: Int
    private let topicHead: Int?

    /// The probabilities of one post.
    public struct Scores: Sendable, Equatable {
        /// Negative, neutral, positive.
        public var sentiment: [Float]
        /// In the taxonomy's order (empty without a topic head).
        public var topics: [Float]

        /// Creates scores.
        public init(sentiment: [Float], topics: [Float]) {
            self.sentiment = sentiment
            self.topics = topics
        }
    }

    /// A stage for `classifier`.
    /// - Throws: `ModelError` when the model has no sentiment head with the labels negative, neutral, positive
    ///   (windows, shares and alerts are sentiment: a model without one would report every post as neutral).
    public init(classifier: TextClassifier) throws(ModelError) {
        self.classifier = classifier
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

    /// Scores `texts` in order (off the cooperative pool) and returns them with the model's time in nanoseconds.
    public func classify(_ texts: [String]) async -> (scores: [Scores], nanoseconds: Int64) {
        guard !texts.isEmpty else { return ([], 0) }
        let clock = ContinuousClock()
        let started = clock.now
        let predictions = await classifier.classify(texts)
        let elapsed = clock.now - started
        let scores = predictions.map { prediction in
            Scores(
                sentiment: prediction.probabilities[sentimentHead],
                topics: topicHead.map { prediction.probabilities[$0] } ?? [])
        }
        return (scores, elapsed.totalNanoseconds)
    }
}
