import Foundation
import Testing

@testable import VoxModel

/// Explanations: the attributions' defining properties on a tiny random BERT (gradient × input is the derivative
/// along the word-embedding scale; integrated gradients adds up to the change from no words), and the alignment of
/// tokens with the words a person reads, with both real tokenizers.
@Suite struct ExplainerTests {
    static let config = BertConfig(
        hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32, vocabSize: 24,
        maxPositionEmbeddings: 32)
    static let words = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "flight", "was", "late", "great", "job", "love", "it", "!", ",",
        "not", "bad", "##ly", "delay", "##ed", "'", "t", "don", "?", "#",
    ]

    /// A classifier on the tiny random encoder with a random three-class sentiment head.
    static func classifier(pooling: Pooling = .mean, maxLength: Int = 32) throws -> TextClassifier {
        var vocabulary: [String: Int] = [:]
        for (index, word) in words.enumerated() { vocabulary[word] = index }
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: maxLength)
        let model = BertModel(config: config, weights: .random(config, seed: 11))
        let spec = HeadSpec(name: "sentiment", labels: ["negative", "neutral", "positive"], pooling: pooling)
        var generator = SeededGenerator(seed: 4)
        let head = TrainableHead(spec: spec, hidden: config.hiddenSize, dropout: 0, generator: &generator)
        for index in 0..<head.weight.value.count { head.weight.value.pointer[index] *= 6 }
        if let query = head.query {
            for index in 0..<query.value.count {
                query.value.pointer[index] = Float.random(in: -1...1, using: &generator)
            }
        }
        let artifact = ClassifierArtifact(id: "tiny", version: "1", fineTuning: FineTuning(), heads: [spec])
        return TextClassifier(artifact: artifact, model: model, tokenizer: tokenizer, heads: [head], threads: 1)
    }

    static let text = "The flight was delayed, not badly! Great job"

    @Test(arguments: [Pooling.mean, .attention])
    func gradientTimesInputIsTheDerivativeAlongTheWordScale(pooling: Pooling) throws {
        let explainer = try Explainer(classifier: Self.classifier(pooling: pooling), method: .gradientInput)
        let ids = explainer.tokenizerIDs(Self.text)
        for label in 0..<3 {
            let sum = explainer.attributions(ids, label: label).reduce(0, +)
            let epsilon: Float = 1e-2
            let plus = explainer.logProbabilities(ids, wordScale: 1 + epsilon)[label]
            let minus = explainer.logProbabilities(ids, wordScale: 1 - epsilon)[label]
            let numeric = (plus - minus) / (2 * epsilon)
            #expect(abs(numeric - sum) <= 2e-3 + 0.02 * abs(numeric), "label \(label): \(numeric) vs \(sum)")
        }
    }

    @Test func integratedGradientsAddUpToTheChangeFromNoWords() throws {
        let explainer = try Explainer(classifier: Self.classifier(), method: .integratedGradients(steps: 128))
        let ids = explainer.tokenizerIDs(Self.text)
        for label in 0..<3 {
            let sum = explainer.attributions(ids, label: label).reduce(0, +)
            let change =
                explainer.logProbabilities(ids, wordScale: 1)[label]
                - explainer.logProbabilities(ids, wordScale: 0)[label]
            #expect(abs(change) > 0.05, "the random head must react to the words")
            #expect(abs(sum - change) <= 0.01 * max(1, abs(change)), "label \(label): Σ \(sum) vs Δ \(change)")
        }
        // Few steps only approximate the integral, yet keep its sign.
        let coarse = try Explainer(classifier: Self.classifier(), method: .integratedGradients(steps: 4))
        let label = coarse.predicted(ids)
        let change =
            coarse.logProbabilities(ids, wordScale: 1)[label] - coarse.logProbabilities(ids, wordScale: 0)[label]
        #expect((coarse.attributions(ids, label: label).reduce(0, +) > 0) == (change > 0))
    }

    @Test func explanationsCoverTheTextInOrderWithPiecesMerged() async throws {
        let explainer = try Explainer(classifier: Self.classifier())
        let explanation = try #require(await explainer.explain([Self.text])[0])
        #expect(
            explanation.words.map(\.text) == [
                "The", "flight", "was", "delayed", ",", "not", "badly", "!", "Great", "job",
            ])
        #expect(explanation.words.allSatisfy { $0.weight != 0 })
        #expect(explanation.ranges(in: Self.text).allSatisfy { $0 != nil })
        // The explained class is the one asked for, and defaults to the most probable.
        let asked = try #require(await explainer.explain([Self.text], labels: [0])[0])
        #expect(asked.label == 0)
        #expect(explanation.label == explainer.predicted(explainer.tokenizerIDs(Self.text)))
        // Explained alone: the same whatever else is explained in the call.
        let batch = await explainer.explain(["love it", Self.text, "the flight"])
        #expect(batch[1] == explanation)
    }

    @Test func truncatedWordsGetNoWeightAndEmptyTextsNoWords() async throws {
        let explainer = try Explainer(classifier: Self.classifier(maxLength: 6))
        let explanation = try #require(await explainer.explain([Self.text])[0])
        #expect(explanation.words.count == 10)
        // [CLS] the flight was delay [SEP]: "delayed" is cut after its first piece and everything after it.
        #expect(explanation.words.prefix(4).allSatisfy { $0.weight != 0 })
        #expect(explanation.words.dropFirst(4).allSatisfy { $0.weight == 0 })
        let empty = try #require(await explainer.explain(["   "])[0])
        #expect(empty.words.isEmpty)
    }

    @Test func wrongHeadsAndStepsAreRefused() throws {
        let classifier = try Self.classifier()
        #expect(throws: ModelError.self) { try Explainer(classifier: classifier, head: "topic") }
        #expect(throws: ModelError.self) {
            try Explainer(classifier: classifier, method: .integratedGradients(steps: 0))
        }
    }

    /// MiniLM's WordPiece tokenizer on the 2,029 golden texts: every token but the special ones in exactly one entry,
    /// entries in text order; pieces merge into their word, punctuation stands alone, and an emoji the vocabulary
    /// lacks merges with the word it is glued to (the tokenizer makes one unknown token of both).
    @Test func wordPieceAlignmentCoversEveryTokenOfTheGoldenTexts() throws {
        let tokenizer = try #require(TokenizerTests.tokenizer)
        let texts = try Self.goldenTexts(TokenizerTests.fixture("tokenizer-golden.jsonl"))
        #expect(texts.count == 2029)
        for text in texts { try Self.checkCoverage(text, tokenizer: tokenizer) }
        let words = TokenAlignment(text: "Don't you love flightdelayz?! #fail great😀 #1", tokenizer: tokenizer).spans
        #expect(
            words.map(\.text) == [
                "Don", "'", "t", "you", "love", "flightdelayz", "?", "!", "#", "fail", "great😀", "#", "1",
            ])
        #expect(words[5].tokens.count > 1)
    }

    /// multilingual-e5-small's Unigram tokenizer (with its `query: ` prefix) on the 3,139 golden texts in 8 languages.
    @Test func unigramAlignmentCoversEveryTokenOfTheGoldenTexts() throws {
        let tokenizer = PrefixedTokenizer(base: try UnigramTokenizerTests.requireTokenizer(), prefix: "query: ")
        let texts = try UnigramTokenizerTests.golden().map(\.text)
        var merged = 0
        var entries = 0
        for text in texts {
            let spans = try Self.checkCoverage(text, tokenizer: tokenizer)
            entries += spans.count
            merged += spans.count { TokenAlignment.words($0.text).count > 1 }
        }
        // SentencePiece pieces seldom straddle two of BERT's words.
        #expect(Double(merged) / Double(entries) < 0.05, "\(merged) of \(entries) entries merged")
    }

    @discardableResult
    static func checkCoverage(_ text: String, tokenizer: any TextTokenizer) throws -> [TokenAlignment.Span] {
        let alignment = TokenAlignment(text: text, tokenizer: tokenizer)
        // The words start after the start token and the model's prefix (at most the empty text's tokens).
        var next = alignment.spans.first?.tokens.lowerBound ?? alignment.ids.count - 1
        #expect(next >= 1 && next <= tokenizer.encode("").count - 1, "\(text.debugDescription): starts at \(next)")
        for span in alignment.spans {
            #expect(span.tokens.lowerBound == next, "\(text.debugDescription): gap before \(span.text)")
            next = span.tokens.upperBound
        }
        #expect(next == alignment.ids.count - 1, "\(text.debugDescription): tokens left over")
        let joined = alignment.spans.map(\.text).joined().filter { !$0.isWhitespace }
        #expect(joined == text.filter { !$0.isWhitespace }, "\(text.debugDescription) not covered")
        return alignment.spans
    }

    static func goldenTexts(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["text"] as? String)
        }
    }
}

extension Explainer {
    /// The ids the explainer reads for `text`.
    func tokenizerIDs(_ text: String) -> [Int32] { TokenAlignment(text: text, tokenizer: tokenizer).ids }
}

/// The identical-text cache: the same predictions as without it, each distinct token sequence through the encoder
/// once, and no more entries than its capacity.
@Suite struct PredictionCacheTests {
    @Test func cachedPredictionsAreTheUncachedOnes() async throws {
        let classifier = try ExplainerTests.classifier()
        let texts = ["the flight was late", "great job", "the flight was late", "love it!", "great job", "not bad"]
        let plain = await classifier.classify(texts, cached: false)
        #expect(classifier.cacheHits == 0)
        let first = await classifier.classify(texts)
        #expect(first == plain)
        #expect(classifier.cacheHits == 2)  // the repeats within the batch
        let second = await classifier.classify(Array(texts.reversed()))
        #expect(second == Array(plain.reversed()))
        #expect(classifier.cacheHits == 8)  // every text seen before
    }

    @Test func theCacheKeepsAtMostItsCapacity() throws {
        let classifier = try ExplainerTests.classifier()
        let cache = PredictionCache(capacity: 3)
        var computed = 0
        let batch: [[Int32]] = (0..<10).map { [2, Int32(4 + $0 % 7), 3] }
        let predictions = classifier.encoder.withWorkspace { workspace in
            cache.predictions(batch) { misses in
                computed += misses.count
                return classifier.classify(batch: misses, workspace: workspace)
            }
        }
        #expect(computed == 7 && cache.hits == 3 && cache.count == 3)
        #expect(predictions == classifier.encoder.withWorkspace { classifier.classify(batch: batch, workspace: $0) })
    }
}
