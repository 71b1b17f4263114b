/// Turns the small HTML that Mastodon and similar servers put in a status's `content` into plain text:
/// tags removed, `<br>` and paragraph breaks as newlines, character references decoded.
public enum HTMLText {
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "#39": "'", "nbsp": " ",
        "hellip": "…", "mdash": "—", "ndash": "–", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“",
    ]

    /// The plain text of `html`.
    /// - Parameter html: An HTML fragment.
    /// - Returns: Its text, with block breaks as newlines and no leading or trailing whitespace.
    public static func plainText(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var scalars = html.unicodeScalars[...]
        var paragraphs = 0
        while let scalar = scalars.first {
            scalars.removeFirst()
            switch scalar {
            case "<":
                var tag = ""
                while let next = scalars.first, next != ">" {
                    tag.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
                if !scalars.isEmpty { scalars.removeFirst() }
                let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first ?? ""
                if name == "br" {
                    out.append("\n")
                } else if name == "p" && tag.first != "/" {
                    if paragraphs > 0 { out.append("\n\n") }
                    paragraphs += 1
                }
            case "&":
                var entity = ""
                var probe = scalars
                while let next = probe.first, next != ";", entity.unicodeScalars.count < 10 {
                    entity.unicodeScalars.append(next)
                    probe.removeFirst()
                }
                if probe.first == ";", let decoded = decode(entity) {
                    out.append(decoded)
                    probe.removeFirst()
                    scalars = probe
                } else {
                    out.append("&")
                }
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return String(out.trimmed(of: " \n\t"))
    }

    private static func decode(_ entity: String) -> String? {
        if let text = named[entity] { return text }
        guard entity.hasPrefix("#") else { return nil }
        let digits = entity.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits)
        }
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}

extension String {
    /// The string without the given leading and trailing characters.
    func trimmed(of set: String) -> Substring {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return slice
    }
}
