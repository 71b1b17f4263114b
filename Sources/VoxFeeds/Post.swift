/// One social-media post, normalised from whatever format its source uses.
public struct Post: Sendable, Equatable, Hashable {
    /// The source's own id for the post, as a string.
    public var id: String
    /// The post's text (HTML already converted to plain text).
    public var text: String
    /// When the post was created: milliseconds since the Unix epoch, UTC.
    public var createdAt: Int64
    /// The author's handle or id, when the source gives one.
    public var author: String?
    /// The language tag the source gives (`en`, `pt`, …), when it gives one; after the classify stage, the
    /// language Vox settled on (nil when it could not tell).
    public var lang: String?
    /// Where `lang` came from, once the classify stage has decided (nil before).
    public var langSource: LanguageSource? = nil
    /// The connector profile that read it (`x-v2`, `reddit`, `mastodon`, `bluesky-jetstream`, `generic`).
    public var source: String
    /// Extra fields the profile keeps, as one JSON object's text (`{"name":raw-json,…}`, names sorted),
    /// or nil when there are none. Kept as text so carrying them costs one string per post.
    public var extra: String?

    /// Creates a post.
    @inlinable
    public init(
        id: String, text: String, createdAt: Int64, author: String? = nil, lang: String? = nil,
        source: String, extra: String? = nil
    ) {
        self.id = id
        self.text = text
        self.createdAt = createdAt
        self.author = author
        self.lang = lang
        self.source = source
        self.extra = extra
    }
}
