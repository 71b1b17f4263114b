import Foundation

/// The stop-word lists of emerging terms, compiled into the binary from `Terms/StopWords/<language>.txt` (made by
/// `scripts/stopwords.py`, which names their sources): one lower-case word per line.
enum StopWords {
    /// The lists by language tag.
    static let lists: [String: Set<String>] = {
        let files: [(String, [UInt8])] = [
            ("ar", PackageResources.ar_txt), ("de", PackageResources.de_txt), ("en", PackageResources.en_txt),
            ("es", PackageResources.es_txt), ("fr", PackageResources.fr_txt), ("hi", PackageResources.hi_txt),
            ("it", PackageResources.it_txt), ("pt", PackageResources.pt_txt),
        ]
        var lists: [String: Set<String>] = [:]
        for (language, bytes) in files {
            lists[language] = Set(
                String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty })
        }
        return lists
    }()
}
