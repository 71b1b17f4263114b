/// The JSON Lines forms of posts and dead letters, as `vox cat` prints them and sinks store them.
public enum RecordJSON {
    /// Appends `post` as one JSON object (no newline): `id`, `text`, `created_at` (ISO-8601 UTC with
    /// milliseconds), `author`, `lang`, `source`, then `extra` when the profile keeps extra fields.
    public static func append(_ post: Post, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONText.appendQuoted(post.id, to: &out)
        out.append(contentsOf: #","text":"#.utf8)
        JSONText.appendQuoted(post.text, to: &out)
        out.append(contentsOf: #","created_at":""#.utf8)
        out.append(contentsOf: Timestamp.format(millis: post.createdAt).utf8)
        out.append(contentsOf: #"","author":"#.utf8)
        appendOptional(post.author, to: &out)
        out.append(contentsOf: #","lang":"#.utf8)
        appendOptional(post.lang, to: &out)
        out.append(contentsOf: #","source":"#.utf8)
        JSONText.appendQuoted(post.source, to: &out)
        if let extra = post.extra {
            out.append(contentsOf: #","extra":"#.utf8)
            out.append(contentsOf: extra.utf8)
        }
        out.append(0x7D)
    }

    /// Appends `letter` as one JSON object (no newline): `source`, `offset`, `line`, `reason`, `snippet`, `detail`.
    public static func append(_ letter: DeadLetter, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"source":"#.utf8)
        JSONText.appendQuoted(letter.source, to: &out)
        out.append(contentsOf: #","offset":\#(letter.offset),"line":\#(letter.line),"reason":"#.utf8)
        JSONText.appendQuoted(letter.reason.rawValue, to: &out)
        out.append(contentsOf: #","snippet":"#.utf8)
        JSONText.appendQuoted(letter.snippet, to: &out)
        out.append(contentsOf: #","detail":"#.utf8)
        appendOptional(letter.detail, to: &out)
        out.append(0x7D)
    }

    private static func appendOptional(_ value: String?, to out: inout [UInt8]) {
        if let value {
            JSONText.appendQuoted(value, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }
}
