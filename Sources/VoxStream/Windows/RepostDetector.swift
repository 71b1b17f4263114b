import Foundation
import VoxFeeds

/// Finds reposts in a stream: retweets (`RT @user: …`), quote copies and copy-paste campaigns, as posts whose text
/// nearly duplicates an earlier post's within an event-time horizon.
///
/// Texts are normalised (lower-cased; leading `RT @user:` markers, links and punctuation dropped) and cut into
/// overlapping three-word shingles. Each text gets a MinHash signature of ``hashes`` values; locality-sensitive
/// hashing (``bands`` bands of ``rows`` values) finds the earlier posts that may share most shingles, and a post is a
/// repost when one of them agrees on at least ``agreement`` of the signature's values (an estimated Jaccard
/// similarity of 0.8). Texts of fewer than ``minimumWords`` words are never reposts: short replies ("so true",
/// "thank you!") repeat without being copies. Only distinct posts are remembered, at most `capacity` of them and none
/// older than the horizon before the newest post seen, so memory is bounded whatever the feed. Posts are compared in
/// the order they are applied (line order), so a run, a replay and a resumed run find the same reposts.
public struct RepostDetector: Sendable, Equatable, Codable {
    /// MinHash values per signature.
    static let hashes = 32
    /// LSH bands, and values per band (bands × rows = hashes).
    static let bands = 8
    static let rows = 4
    /// Signature values two posts must share to be near-duplicates (26 of 32: an estimated Jaccard ≥ 0.8).
    static let agreement = 26
    /// Words a text needs to be compared.
    static let minimumWords = 4
    /// Distinct posts remembered at most, by default.
    public static let defaultCapacity = 50_000

    /// The event times a checkpoint may hold: the supported years 1970–9999, in milliseconds.
    static let times: ClosedRange<Int64> = 0...253_402_300_799_999

    /// How far back (event time, milliseconds) an earlier post counts.
    public let horizon: Int64
    /// Distinct posts remembered at most (the oldest are forgotten first).
    public let capacity: Int
    private var entries: [Entry] = []
    private var first = 0
    private var buckets: [UInt64: [Int]] = [:]
    private var newest: Int64 = .min

    struct Entry: Sendable, Equatable, Codable {
        var time: Int64
        var signature: [UInt32]
    }

    enum CodingKeys: String, CodingKey { case horizon, capacity, entries, packed, newest }

    /// A detector remembering posts for `horizon` milliseconds of event time, at most `capacity` of them.
    public init(horizon: Int64, capacity: Int = RepostDetector.defaultCapacity) {
        self.horizon = max(0, horizon)
        self.capacity = max(1, capacity)
    }

    /// Restores a checkpointed detector.
    /// - Throws: `DecodingError` when a signature has the wrong length or the entries are out of range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        horizon = try container.decode(Int64.self, forKey: .horizon)
        capacity = try container.decode(Int.self, forKey: .capacity)
        newest = try container.decode(Int64.self, forKey: .newest)
        // `packed` since the soak showed JSON arrays of 50,000 signatures costing half a run's time in checkpoints;
        // checkpoints written before it hold `entries`.
        let saved: [Entry]
        if let packed = try container.decodeIfPresent(String.self, forKey: .packed) {
            guard let entries = RepostDetector.unpack(packed) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .packed, in: container, debugDescription: "packed repost signatures are malformed")
            }
            saved = entries
        } else {
            saved = try container.decode([Entry].self, forKey: .entries)
        }
        guard horizon >= 0, capacity >= 1, capacity <= 10_000_000, saved.count <= capacity,
            newest == .min || RepostDetector.times.contains(newest),
            saved.allSatisfy({ $0.signature.count == RepostDetector.hashes && RepostDetector.times.contains($0.time) })
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .entries, in: container, debugDescription: "repost signatures are malformed")
        }
        for entry in saved { remember(entry) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(horizon, forKey: .horizon)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(newest, forKey: .newest)
        try container.encode(RepostDetector.pack(entries[first...]), forKey: .packed)
    }

    /// Bytes of one packed entry: its time (Int64) and its signature (UInt32s), little-endian.
    static let packedSize = 8 + 4 * hashes

    /// The entries as base64 of their packed bytes: a checkpoint writes one string instead of 33 numbers a post.
    static func pack(_ entries: ArraySlice<Entry>) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(entries.count * packedSize)
        for entry in entries {
            withUnsafeBytes(of: entry.time.littleEndian) { bytes.append(contentsOf: $0) }
            for hash in entry.signature { withUnsafeBytes(of: hash.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return Data(bytes).base64EncodedString()
    }

    /// The entries of ``pack(_:)``'s text, or nil when it is not base64 of whole entries.
    static func unpack(_ text: String) -> [Entry]? {
        guard let data = Data(base64Encoded: text), data.count % packedSize == 0 else { return nil }
        let bytes = [UInt8](data)
        func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size {
                value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
            }
            return value
        }
        return stride(from: 0, to: bytes.count, by: packedSize).map { start in
            Entry(
                time: load(start, as: Int64.self),
                signature: (0..<hashes).map { load(start + 8 + 4 * $0, as: UInt32.self) })
        }
    }

    public static func == (a: RepostDetector, b: RepostDetector) -> Bool {
        a.horizon == b.horizon && a.capacity == b.capacity && a.newest == b.newest
            && a.entries[a.first...].elementsEqual(b.entries[b.first...])
    }

    /// Posts remembered now.
    public var count: Int { entries.count - first }

    /// Whether the post at `time` with `text` nearly duplicates an earlier one; a post that does not is remembered.
    public mutating func isRepost(_ text: String, at time: Int64) -> Bool {
        guard let signature = RepostDetector.signature(text) else { return false }
        newest = max(newest, time)
        var seen = Set<Int>()
        for band in 0..<RepostDetector.bands {
            for serial in buckets[RepostDetector.bucket(signature, band: band)] ?? [] where seen.insert(serial).inserted
            {
                let earlier = entries[serial]
                guard abs(earlier.time - time) <= horizon else { continue }
                let shared = zip(earlier.signature, signature).count { $0 == $1 }
                if shared >= RepostDetector.agreement { return true }
            }
        }
        remember(Entry(time: time, signature: signature))
        return false
    }

    private mutating func remember(_ entry: Entry) {
        let serial = entries.count
        entries.append(entry)
        for band in 0..<RepostDetector.bands {
            buckets[RepostDetector.bucket(entry.signature, band: band), default: []].append(serial)
        }
        // Forget the oldest while over capacity or past the horizon.
        while first < entries.count,
            count > capacity || entries[first].time < newest &- horizon
        {
            forget(first)
            first += 1
        }
        // Compact now and then so forgotten entries do not pile up.
        if first > 4_096 && first * 2 > entries.count {
            let kept = Array(entries[first...])
            entries = []
            first = 0
            buckets = [:]
            for entry in kept { remember(entry) }
        }
    }

    private mutating func forget(_ serial: Int) {
        for band in 0..<RepostDetector.bands {
            let key = RepostDetector.bucket(entries[serial].signature, band: band)
            buckets[key]?.removeAll { $0 == serial }
            if buckets[key]?.isEmpty == true { buckets.removeValue(forKey: key) }
        }
    }

    /// The words a text is compared by: lower-cased, without leading retweet markers, links, mentions' `@` and
    /// punctuation.
    static func words(_ text: String) -> [Substring] {
        var tokens = text.lowercased().split(whereSeparator: \.isWhitespace)
        // "RT @user:" (possibly repeated, "RT @a: RT @b: …") marks a retweet of the text after it.
        while tokens.count >= 2, tokens[0] == "rt", tokens[1].hasPrefix("@") {
            tokens.removeFirst(2)
        }
        var words: [Substring] = []
        for token in tokens where !token.contains("://") && !token.hasPrefix("www.") {
            words += token.split { !($0.isLetter || $0.isNumber) }
        }
        return words
    }

    /// The MinHash signature of a text's three-word shingles; nil for a text of fewer than ``minimumWords`` words.
    static func signature(_ text: String) -> [UInt32]? {
        let words = words(text)
        guard words.count >= minimumWords else { return nil }
        var signature = [UInt32](repeating: .max, count: hashes)
        for start in 0...(words.count - 3) {
            var hash = FNV1a()
            for word in words[start..<(start + 3)] {
                hash.add(word.utf8)
                hash.add(0x20)
            }
            for index in 0..<hashes {
                let value = UInt32(truncatingIfNeeded: mix(hash.value &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15) >> 32)
                if value < signature[index] { signature[index] = value }
            }
        }
        return signature
    }

    /// The bucket of a signature's band.
    static func bucket(_ signature: [UInt32], band: Int) -> UInt64 {
        var hash = FNV1a()
        hash.add(UInt8(band))
        for value in signature[(band * rows)..<((band + 1) * rows)] { hash.add(littleEndian: UInt64(value)) }
        return hash.value
    }

    /// SplitMix64's finaliser: a fast, well-mixed 64-bit hash of a 64-bit value.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
