import Foundation

/// SentencePiece's Unigram tokeniser as Hugging Face `tokenizers` runs it for XLM-RoBERTa-style
/// `tokenizer.json` files (multilingual-e5-small): special tokens matched in the raw text; the `Precompiled`
/// normaliser, then runs of spaces collapsed; the `Metaspace` pre-tokeniser (spaces become `▁`, a `▁` is
/// prepended, words split before each `▁`); per word the Viterbi segmentation of highest total piece score,
/// where a character no piece covers becomes the unknown piece (score: the lowest piece score − 10) and runs of
/// unknowns fuse into one; `<s> … </s>` around the text; truncation at `maxLength`. No padding.
public struct UnigramTokenizer: TextTokenizer {
    private let charsmap: PrecompiledCharsmap?
    private let collapseSpaces: Bool
    private let prependMetaspace: Bool
    private let trie: PieceTrie
    private let scores: [Double]
    private let unknownScore: Double
    private let specialTokens: [(bytes: [UInt8], id: Int32)]
    /// Whether every special token starts with `<` (then only a `<` can start one).
    private let specialsStartWithAngle: Bool
    /// The id of `<s>`.
    public let bosID: Int32
    /// The id of `</s>`.
    public let eosID: Int32
    /// The id of the unknown piece.
    public let unknownID: Int32
    /// The most ids per text, `<s>` and `</s>` included.
    public var maxLength: Int
    /// Number of pieces in the vocabulary.
    public var vocabularySize: Int { scores.count }

    private static let metaspace: [UInt8] = Array("\u{2581}".utf8)

    /// Loads a tokenizer from a Hugging Face `tokenizer.json` whose model is `Unigram`.
    /// - Throws: `ModelError` naming the file and the part it cannot use.
    public init(tokenizerJSON path: String, maxLength: Int = 128) throws(ModelError) {
        try self.init(tokenizerJSON: try TokenizerLoader.readJSON(path), path: path, maxLength: maxLength)
    }

    /// Creates a tokenizer from a parsed `tokenizer.json` (`path` names it in errors).
    init(tokenizerJSON root: [String: Any], path: String, maxLength: Int) throws(ModelError) {
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "Unigram",
            let vocab = model["vocab"] as? [[Any]], !vocab.isEmpty
        else { throw ModelError(.format, "\(path) is not a Unigram tokenizer") }
        var pieces: [(bytes: [UInt8], id: Int32)] = []
        var scores: [Double] = []
        pieces.reserveCapacity(vocab.count)
        scores.reserveCapacity(vocab.count)
        for (index, entry) in vocab.enumerated() {
            guard entry.count == 2, let piece = entry[0] as? String, let score = (entry[1] as? NSNumber)?.doubleValue,
                score.isFinite
            else { throw ModelError(.format, "\(path): vocabulary entry \(index) is not [piece, finite score]") }
            pieces.append((Array(piece.utf8), Int32(index)))
            scores.append(score)
        }
        guard let unknown = model["unk_id"] as? Int, unknown >= 0, unknown < vocab.count else {
            throw ModelError(.format, "\(path): the Unigram model has no valid unk_id")
        }
        if model["byte_fallback"] as? Bool == true {
            throw ModelError(.format, "\(path): byte fallback is not supported")
        }
        var charsmap: PrecompiledCharsmap? = nil
        var collapse = false
        let normalizer = root["normalizer"] as? [String: Any]
        let steps =
            normalizer?["type"] as? String == "Sequence"
            ? normalizer?["normalizers"] as? [[String: Any]] ?? [] : normalizer.map { [$0] } ?? []
        for step in steps {
            switch step["type"] as? String {
            case "Precompiled":
                guard let encoded = step["precompiled_charsmap"] as? String, let blob = Data(base64Encoded: encoded)
                else {
                    throw ModelError(.format, "\(path): the Precompiled normaliser has no readable charsmap")
                }
                charsmap = try PrecompiledCharsmap(Array(blob))
            case "Replace":
                let pattern = (step["pattern"] as? [String: Any])?["Regex"] as? String
                guard pattern == " {2,}", step["content"] as? String == " " else {
                    throw ModelError(.format, "\(path): only the Replace of ' {2,}' by ' ' is supported")
                }
                collapse = true
            default:
                throw ModelError(.format, "\(path): normaliser \(step["type"] ?? "?") is not supported")
            }
        }
        let pre = root["pre_tokenizer"] as? [String: Any]
        guard pre?["type"] as? String == "Metaspace", pre?["replacement"] as? String == "\u{2581}" else {
            throw ModelError(.format, "\(path): only the Metaspace pre-tokenizer with ▁ is supported")
        }
        let scheme = pre?["prepend_scheme"] as? String
        var specials: [(bytes: [UInt8], id: Int32)] = []
        for token in root["added_tokens"] as? [[String: Any]] ?? [] {
            if let content = token["content"] as? String, let id = token["id"] as? Int, !content.isEmpty {
                specials.append((Array(content.utf8), Int32(id)))
            }
        }
        let ids = Dictionary(specials.map { (String(decoding: $0.bytes, as: UTF8.self), $0.id) }) { first, _ in first }
        guard let bos = ids["<s>"], let eos = ids["</s>"] else {
            throw ModelError(.format, "\(path): the added tokens lack <s> or </s>")
        }
        self.charsmap = charsmap
        collapseSpaces = collapse
        prependMetaspace = scheme.map { $0 != "never" } ?? (pre?["add_prefix_space"] as? Bool ?? true)
        trie = PieceTrie(pieces)
        self.scores = scores
        unknownScore = (scores.min() ?? 0) - 10
        specialTokens = specials.sorted { $0.bytes.count > $1.bytes.count }
        specialsStartWithAngle = specials.allSatisfy { $0.bytes.first == UInt8(ascii: "<") }
        bosID = bos
        eosID = eos
        unknownID = Int32(unknown)
        self.maxLength = max(2, maxLength)
    }

    /// The ids of `text`: `<s>`, its pieces (truncated to fit), `</s>`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [bosID]
        let budget = maxLength - 2
        let bytes = Array(text.utf8)
        var start = 0
        var position = 0
        while position <= bytes.count && ids.count <= budget {
            let special = position < bytes.count ? specialToken(in: bytes, at: position) : nil
            guard position == bytes.count || special != nil else {
                position += 1
                continue
            }
            if position > start {
                let segment = String(decoding: bytes[start..<position], as: UTF8.self)
                appendPieces(of: segment[...], to: &ids, limit: budget + 1)
            }
            guard let special else { break }
            if ids.count <= budget { ids.append(special.id) }
            position += special.bytes.count
            start = position
        }
        if ids.count > budget + 1 { ids.removeLast(ids.count - budget - 1) }
        ids.append(eosID)
        return ids
    }

    /// The longest special token written at `position`, if any.
    private func specialToken(in bytes: [UInt8], at position: Int) -> (bytes: [UInt8], id: Int32)? {
        guard bytes[position] == UInt8(ascii: "<") || !specialsStartWithAngle else { return nil }
        return specialTokens.first { token in
            token.bytes.count <= bytes.count - position
                && token.bytes.indices.allSatisfy { bytes[position + $0] == token.bytes[$0] }
        }
    }

    /// The normalised, pre-tokenised text: UTF-8 with `▁` for spaces, and where each word starts.
    func words(_ text: Substring) -> (bytes: [UInt8], starts: [Int]) {
        var normalized = charsmap?.normalize(text) ?? Array(text.utf8)
        if collapseSpaces {
            var collapsed: [UInt8] = []
            collapsed.reserveCapacity(normalized.count)
            for byte in normalized where !(byte == 0x20 && collapsed.last == 0x20) { collapsed.append(byte) }
            normalized = collapsed
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(normalized.count + 8)
        for byte in normalized {
            if byte == 0x20 { bytes += UnigramTokenizer.metaspace } else { bytes.append(byte) }
        }
        if prependMetaspace && !bytes.isEmpty && !bytes.starts(with: UnigramTokenizer.metaspace) {
            bytes.insert(contentsOf: UnigramTokenizer.metaspace, at: 0)
        }
        var starts: [Int] = bytes.isEmpty ? [] : [0]
        var index = 1
        while index < bytes.count {
            if bytes[index] == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x96, bytes[index + 2] == 0x81 {
                starts.append(index)
                index += 3
            } else {
                index += 1
            }
        }
        return (bytes, starts)
    }

    private func appendPieces(of text: Substring, to ids: inout [Int32], limit: Int) {
        let (bytes, starts) = words(text)
        guard !starts.isEmpty else { return }
        // One lattice for all words of the text, each word using its first `length + 1` entries.
        var lattice = Lattice(capacity: bytes.count + 1)
        bytes.withUnsafeBufferPointer { buffer in
            for (index, start) in starts.enumerated() {
                if ids.count >= limit { return }
                let end = index + 1 < starts.count ? starts[index + 1] : buffer.count
                segment(UnsafeBufferPointer(rebasing: buffer[start..<end]), lattice: &lattice, into: &ids)
            }
        }
    }

    /// The Viterbi lattice: per byte position the best score of a path ending there, where its last piece
    /// starts, and that piece.
    private struct Lattice {
        var score: [Double]
        var start: [Int]
        var id: [Int32]

        init(capacity: Int) {
            score = [Double](repeating: 0, count: capacity)
            start = [Int](repeating: -1, count: capacity)
            id = [Int32](repeating: -1, count: capacity)
        }
    }

    /// The best segmentation of one word, appended to `ids`.
    private func segment(_ word: UnsafeBufferPointer<UInt8>, lattice: inout Lattice, into ids: inout [Int32]) {
        let length = word.count
        let unknownID = unknownID
        let unknownScore = unknownScore
        let trie = trie
        scores.withUnsafeBufferPointer { scores in
            lattice.score.withUnsafeMutableBufferPointer { bestScore in
                lattice.start.withUnsafeMutableBufferPointer { bestStart in
                    lattice.id.withUnsafeMutableBufferPointer { bestID in
                        for index in 0...length {
                            bestScore[index] = 0
                            bestStart[index] = -1
                        }
                        var position = 0
                        while position < length {
                            let here = bestScore[position]
                            let characterLength = min(UTF8Scalars.length(leading: word[position]), length - position)
                            var coversCharacter = false
                            trie.prefixes(of: word, from: position) { pieceEnd, id in
                                let candidate = here + scores[Int(id)]
                                if bestStart[pieceEnd] < 0 || candidate > bestScore[pieceEnd] {
                                    bestScore[pieceEnd] = candidate
                                    bestStart[pieceEnd] = position
                                    bestID[pieceEnd] = id
                                }
                                if pieceEnd - position == characterLength { coversCharacter = true }
                            }
                            if !coversCharacter {
                                let target = position + characterLength
                                let candidate = here + unknownScore
                                if bestStart[target] < 0 || candidate > bestScore[target] {
                                    bestScore[target] = candidate
                                    bestStart[target] = position
                                    bestID[target] = unknownID
                                }
                            }
                            position += characterLength
                        }
                        // Back from the end; runs of unknown pieces fuse into one.
                        let mark = ids.count
                        var cursor = length
                        while cursor > 0 {
                            let id = bestID[cursor]
                            if !(id == unknownID && ids.count > mark && ids[ids.count - 1] == unknownID) {
                                ids.append(id)
                            }
                            cursor = bestStart[cursor]
                        }
                        ids[mark...].reverse()
                    }
                }
            }
        }
    }
}
