/// Where a post's language came from, as recorded in `posts.jsonl` (`lang_source`).
public enum LanguageSource: String, Sendable, Codable, Hashable, CaseIterable {
    /// The source's own tag, which language identification agreed with or could not contradict.
    case feed
    /// Language identification (CLD2), where the source gave no tag or a tag it reliably contradicted.
    case detected
    /// Neither: too little text to tell, and no tag from the source.
    case unknown
}
