/// How a classification head pools token states.
public enum Pooling: String, Codable, Sendable, CaseIterable {
    /// The mean of the post's token states (sentence-transformers' pooling).
    case mean
    /// A learned query attends over the token states: softmax(x·q/√d)-weighted sum.
    case attention
}

/// A classification head's description: its name, labels, pooling, and whether one label or several apply.
public struct HeadSpec: Codable, Sendable, Equatable {
    /// Whether labels are exclusive (softmax) or independent (sigmoid, multi-label).
    public enum Kind: String, Codable, Sendable {
        /// One label per post; probabilities sum to 1.
        case softmax
        /// Any number of labels per post; each probability is independent.
        case sigmoid
    }

    /// The head's name (`sentiment`, `topic`).
    public var name: String
    /// The labels, in output order.
    public var labels: [String]
    /// The pooling.
    public var pooling: Pooling
    /// Single- or multi-label.
    public var kind: Kind
    /// Logits are divided by this before the softmax or sigmoid (fitted on validation data by
    /// `vox model calibrate`); nil means 1 (uncalibrated).
    public var temperature: Double?

    /// Creates a head description.
    public init(name: String, labels: [String], pooling: Pooling = .mean, kind: Kind = .softmax) {
        self.name = name
        self.labels = labels
        self.pooling = pooling
        self.kind = kind
    }

    /// The temperature logits are divided by (1 when uncalibrated or invalid).
    public var effectiveTemperature: Double {
        guard let temperature, temperature.isFinite, temperature > 0 else { return 1 }
        return temperature
    }

    /// The sentiment head's labels.
    public static let sentimentLabels = ["negative", "neutral", "positive"]
    /// The TweetTopic single-label taxonomy.
    public static let topicLabels = [
        "arts_&_culture", "business_&_entrepreneurs", "pop_culture", "daily_life", "sports_&_gaming",
        "science_&_technology",
    ]
}
