/// Why a post was counted but not classified: its sentiment is in no share, its topic in no taxonomy row.
public enum AbstainReason: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    /// The post is in a language the model was not trained to read.
    case unsupportedLanguage = "unsupported_language"
    /// Too little text to tell its language, and no language tag from the source.
    case tooShort = "too_short"
    /// The model's top sentiment probability is under `--abstain-below`.
    case uncertain

    /// Its code on the cluster's results stream (0 means classified).
    public var code: UInt8 {
        switch self {
        case .unsupportedLanguage: 1
        case .tooShort: 2
        case .uncertain: 3
        }
    }

    /// The reason with that code.
    public init?(code: UInt8) {
        guard let reason = AbstainReason.allCases.first(where: { $0.code == code }) else { return nil }
        self = reason
    }

    public static func < (lhs: AbstainReason, rhs: AbstainReason) -> Bool { lhs.rawValue < rhs.rawValue }
}
