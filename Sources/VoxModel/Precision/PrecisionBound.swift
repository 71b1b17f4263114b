/// How a model at one low precision compared with itself at fp32 on validation data, as `vox model qualify`
/// measures it and the model artifact stores it. `auto` precision uses a precision only when `meetsBound`.
public struct PrecisionBound: Codable, Sendable, Equatable {
    /// Sentiment macro-recall at this precision minus at fp32 (points of 1.0).
    public var sentimentMacroRecallDelta: Double
    /// Topic macro-F1 at this precision minus at fp32.
    public var topicMacroF1Delta: Double
    /// Share of posts whose predicted label (every head) equals fp32's, over every validation post (the strictest
    /// reading: topic labels of sentiment posts count too).
    public var labelAgreement: Double
    /// Per head, the share of its own validation set's posts (as `vox eval` scores it) whose label equals fp32's.
    public var headAgreement: [String: Double]?
    /// Mean and smallest cosine between this precision's and fp32's sentence embeddings.
    public var embeddingCosineMean: Double
    public var embeddingCosineMin: Double
    /// Posts the figures were measured on.
    public var posts: Int

    enum CodingKeys: String, CodingKey {
        case sentimentMacroRecallDelta = "sentiment_macro_recall_delta"
        case topicMacroF1Delta = "topic_macro_f1_delta"
        case labelAgreement = "label_agreement"
        case headAgreement = "head_agreement"
        case embeddingCosineMean = "embedding_cosine_mean"
        case embeddingCosineMin = "embedding_cosine_min"
        case posts
    }

    /// Creates a record.
    public init(
        sentimentMacroRecallDelta: Double, topicMacroF1Delta: Double, labelAgreement: Double,
        embeddingCosineMean: Double, embeddingCosineMin: Double, posts: Int, headAgreement: [String: Double]? = nil
    ) {
        self.headAgreement = headAgreement
        self.sentimentMacroRecallDelta = sentimentMacroRecallDelta
        self.topicMacroF1Delta = topicMacroF1Delta
        self.labelAgreement = labelAgreement
        self.embeddingCosineMean = embeddingCosineMean
        self.embeddingCosineMin = embeddingCosineMin
        self.posts = posts
    }

    /// Mean and smallest cosine between paired sentence embeddings (`SentenceEncoder`'s, L2-normalised, so the
    /// cosine is the dot product).
    public static func cosine(_ a: [[Float]], _ b: [[Float]]) -> (mean: Double, min: Double) {
        let values = zip(a, b).map { x, y in zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        return (values.reduce(0, +) / Double(max(1, values.count)), values.min() ?? 0)
    }

    /// The smallest mean embedding cosine to fp32 each precision must reach.
    public static func cosineBound(_ precision: Precision) -> Double { precision == .int8 ? 0.995 : 0.999 }

    /// Metrics within 0.3 points of fp32 (no more than 0.003 lower), labels identical on at least 99% of posts
    /// (each head on its own validation set, as `vox eval` measures it; every head on every post for records
    /// without per-head figures), mean embedding cosine at least 0.999 (BF16) or 0.995 (int8).
    public func meetsBound(_ precision: Precision) -> Bool {
        let agreement = headAgreement.map { $0.values.min() ?? 0 } ?? labelAgreement
        return sentimentMacroRecallDelta >= -0.003 && topicMacroF1Delta >= -0.003 && agreement >= 0.99
            && embeddingCosineMean >= PrecisionBound.cosineBound(precision)
    }
}
