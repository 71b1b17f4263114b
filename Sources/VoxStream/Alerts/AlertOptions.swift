extension AlertDetector {
    /// What a window is compared with: the same time of day (or of week) over past periods, or simply the windows
    /// before it.
    public enum Season: String, Sendable, Codable, CaseIterable {
        /// The same time of day on the previous days.
        case daily
        /// The same time of the week in the previous weeks.
        case weekly
        /// The windows just before (no cycle).
        case none

        /// Milliseconds in one period (nil for `none`, whose period is one window).
        var period: Int64? {
            switch self {
            case .daily: 86_400_000
            case .weekly: 7 * 86_400_000
            case .none: nil
            }
        }
    }

    /// Tuning of the detector.
    public struct Options: Sendable, Codable, Equatable {
        /// The cycle baselines follow.
        public var season = Season.daily
        /// Periods of history a baseline is drawn from (days for `daily`, weeks for `weekly`, windows for `none`).
        public var history = 7
        /// Periods of history needed before a topic can alert.
        public var warmup = 3
        /// One-sided p-value at or below which a rise is significant.
        public var significance = 1e-5
        /// Volume: fewest times the expected volume a window must reach.
        public var minimumRatio = 1.5
        /// Volume: fewest posts above the expected volume.
        public var minimumExcess = 10
        /// Negative share: fewest classified posts in the span tested.
        public var minimumPosts = 20
        /// Negative share: smallest rise over the baseline share (0.02 = two points).
        public var minimumChange = 0.02
        /// Windows without a significant rise before a topic's alert of the same kind can fire again, and the
        /// longest quiet gap inside one incident.
        public var cooldown = 3

        /// Most periods of history a baseline may draw from.
        public static let maximumHistory = 1000

        /// Default tuning.
        public init() {}

        private enum CodingKeys: String, CodingKey {
            case season, history, warmup, significance, minimumRatio, minimumExcess, minimumPosts, minimumChange
            case cooldown
        }

        /// Decodes a tuning (from a checkpoint), refusing values the command line would refuse.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            season = try container.decode(Season.self, forKey: .season)
            history = try container.decode(Int.self, forKey: .history)
            warmup = try container.decode(Int.self, forKey: .warmup)
            significance = try container.decode(Double.self, forKey: .significance)
            minimumRatio = try container.decode(Double.self, forKey: .minimumRatio)
            minimumExcess = try container.decode(Int.self, forKey: .minimumExcess)
            minimumPosts = try container.decode(Int.self, forKey: .minimumPosts)
            minimumChange = try container.decode(Double.self, forKey: .minimumChange)
            cooldown = try container.decode(Int.self, forKey: .cooldown)
            guard isValid else {
                throw DecodingError.dataCorruptedError(
                    forKey: .history, in: container, debugDescription: "alert options out of range")
            }
        }

        /// Whether every value is in the range the command line accepts.
        public var isValid: Bool {
            (1...Options.maximumHistory).contains(history) && (1...history).contains(warmup) && significance > 0
                && significance < 1 && minimumRatio.isFinite && minimumRatio >= 1 && minimumExcess >= 0
                && minimumPosts >= 0 && minimumChange.isFinite && minimumChange >= 0 && minimumChange < 1
                && cooldown >= 0
        }

        /// The tuning as one line (part of a checkpoint's configuration).
        public var configuration: String {
            "\(season.rawValue),\(history),\(warmup),\(significance),\(minimumRatio),\(minimumExcess),"
                + "\(minimumPosts),\(minimumChange),\(cooldown)"
        }
    }

    /// The longest share span, in time: windows are pooled up to a day to catch slow drifts.
    static let longestSpan: Int64 = 86_400_000
    /// Share spans tested besides the window alone, in time (those that are whole numbers of windows).
    static let spanLengths: [Int64] = [3, 6, 12, 24].map { $0 * 3_600_000 }
}
