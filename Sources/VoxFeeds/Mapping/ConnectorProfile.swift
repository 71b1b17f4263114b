import Foundation

/// How one feed format maps onto a `Post`: which JSON paths hold the id, text, time, author and
/// language, which events are not posts, and which extra fields to keep.
///
/// Profiles are data (JSON files in `Connectors/Profiles/`, documented in `Connectors/README.md`);
/// users add their own with `--connectors DIR`.
public struct ConnectorProfile: Sendable, Codable, Equatable {
    /// Where a field's value comes from: one path, or several paths joined.
    public enum Source: Sendable, Codable, Equatable {
        /// The value at a dot-separated path.
        case path(String)
        /// The non-empty values at several paths, joined by a separator.
        case join([String], separator: String)

        private enum CodingKeys: String, CodingKey { case join, separator }

        public init(from decoder: any Decoder) throws {
            if let path = try? decoder.singleValueContainer().decode(String.self) {
                self = .path(path)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self = .join(
                try container.decode([String].self, forKey: .join),
                separator: try container.decodeIfPresent(String.self, forKey: .separator) ?? " ")
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .path(let path):
                var container = encoder.singleValueContainer()
                try container.encode(path)
            case .join(let paths, let separator):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(paths, forKey: .join)
                try container.encode(separator, forKey: .separator)
            }
        }

        /// Every path this source reads.
        public var paths: [String] {
            switch self {
            case .path(let path): [path]
            case .join(let paths, _): paths
            }
        }
    }

    /// How the text field is written.
    public enum TextFormat: String, Sendable, Codable {
        /// Plain text.
        case plain
        /// HTML to be converted to text.
        case html
    }

    /// The profile's name, used with `--profile`.
    public var name: String
    /// One line for `vox cat --help` and `Connectors/README.md`.
    public var description: String
    /// Paths that must all be present for `--profile auto` to choose this profile.
    public var detect: [String]
    /// Where the post id comes from (first present alternative wins).
    public var id: [Source]
    /// Where the text comes from (first non-empty alternative wins).
    public var text: [Source]
    /// How the text is written.
    public var textFormat: TextFormat
    /// Where the creation time comes from.
    public var createdAt: [Source]
    /// How the time is written.
    public var timeFormat: Timestamp.Format
    /// Where the author comes from.
    public var author: [Source]
    /// Where the language tag comes from.
    public var lang: [Source]
    /// Path → required string value; a line that differs is a skipped (non-post) event.
    public var require: [String: String]
    /// Paths whose value, when an object, marks a skipped event (Mastodon boosts: `reblog`).
    public var skipIfObject: [String]
    /// Output name → path of extra fields kept verbatim.
    public var extras: [String: String]

    enum CodingKeys: String, CodingKey {
        case name, description, detect, id, text, author, lang, require, extras
        case textFormat = "text_format"
        case createdAt = "created_at"
        case timeFormat = "time_format"
        case skipIfObject = "skip_if_object"
    }

    /// Creates a profile.
    public init(
        name: String, description: String = "", detect: [String] = [], id: [Source], text: [Source],
        textFormat: TextFormat = .plain, createdAt: [Source], timeFormat: Timestamp.Format = .auto,
        author: [Source] = [], lang: [Source] = [], require: [String: String] = [:],
        skipIfObject: [String] = [], extras: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.detect = detect
        self.id = id
        self.text = text
        self.textFormat = textFormat
        self.createdAt = createdAt
        self.timeFormat = timeFormat
        self.author = author
        self.lang = lang
        self.require = require
        self.skipIfObject = skipIfObject
        self.extras = extras
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        detect = try container.decodeIfPresent([String].self, forKey: .detect) ?? []
        id = try container.decodeIfPresent([Source].self, forKey: .id) ?? []
        text = try container.decode([Source].self, forKey: .text)
        textFormat = try container.decodeIfPresent(TextFormat.self, forKey: .textFormat) ?? .plain
        createdAt = try container.decode([Source].self, forKey: .createdAt)
        timeFormat = try container.decodeIfPresent(Timestamp.Format.self, forKey: .timeFormat) ?? .auto
        author = try container.decodeIfPresent([Source].self, forKey: .author) ?? []
        lang = try container.decodeIfPresent([Source].self, forKey: .lang) ?? []
        require = try container.decodeIfPresent([String: String].self, forKey: .require) ?? [:]
        skipIfObject = try container.decodeIfPresent([String].self, forKey: .skipIfObject) ?? []
        extras = try container.decodeIfPresent([String: String].self, forKey: .extras) ?? [:]
    }

    /// Decodes a profile from its JSON document.
    /// - Parameters:
    ///   - json: The document's bytes.
    ///   - origin: Where it came from, for the error message.
    /// - Throws: `FeedError` (kind `.profile`) naming the file and the problem.
    public static func decode(_ json: [UInt8], origin: String) throws(FeedError) -> ConnectorProfile {
        do {
            let profile = try JSONDecoder().decode(ConnectorProfile.self, from: Data(json))
            guard !profile.text.isEmpty, !profile.createdAt.isEmpty else {
                throw FeedError(.profile, "connector profile \(origin) needs at least one text and one created_at path")
            }
            return profile
        } catch let error as FeedError {
            throw error
        } catch {
            throw FeedError(.profile, "connector profile \(origin) is not valid: \(error)")
        }
    }
}
