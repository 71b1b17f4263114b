import Foundation

/// Why a post got its label: each of its words' signed contribution to the log-probability of a class of one head
/// (the sentiment head by default), computed through the training engine's backward pass.
///
/// A word's weight is the sum over its tokens of (gradient of log p(class) with respect to the token's word
/// embedding) · (the word embedding): gradient × input. Integrated gradients averages that gradient along the path
/// that scales every word embedding from 0 (positions and token types kept) to its value, at the midpoints of
/// `steps` equal intervals; its weights then add up to log p(class) minus its value with no words, as the method
/// promises. Each post is explained alone, so its explanation does not depend on what else is explained with it.
public final class Explainer: @unchecked Sendable {
    // @unchecked: the training engine's buffers are used under `lock`, on one explaining thread at a time.

    /// How the attributions are computed.
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        /// Gradient × input: one forward and one backward pass.
        case gradientInput
        /// Integrated gradients with this many steps (forward and backward passes).
        case integratedGradients(steps: Int)

        public var description: String {
            switch self {
            case .gradientInput: "gradient-input"
            case .integratedGradients(let steps): "integrated-gradients (\(steps) steps)"
            }
        }

        /// The word-embedding scales the gradient is averaged over.
        var scales: [Float] {
            switch self {
            case .gradientInput: [1]
            case .integratedGradients(let steps):
                (0..<max(1, steps)).map { (Float($0) + 0.5) / Float(max(1, steps)) }
            }
        }
    }

    /// One post's explanation.
    public struct Explanation: Sendable, Equatable {
        /// A word (or punctuation mark) of the post and its contribution to the explained class.
        public struct Word: Sendable, Equatable {
            public var text: String
            public var weight: Float
        }

        /// The explained class's index among the head's labels.
        public var label: Int
        /// The post's words in order, covering its whole text.
        public var words: [Word]

        /// Where each word is in `text` (the explained text), found in order; nil for a word not found there.
        public func ranges(in text: String) -> [Range<String.Index>?] {
            var cursor = text.startIndex
            return words.map { word in
                guard let range = text.range(of: word.text, range: cursor..<text.endIndex) else { return nil }
                cursor = range.upperBound
                return range
            }
        }
    }

    /// The explained head's name and labels.
    public let head: HeadSpec
    /// How the weights are computed.
    public let method: Method
    private let encoder: TrainableEncoder
    private let trainableHead: TrainableHead
    let tokenizer: any TextTokenizer
    private let lock = NSLock()

    /// An explainer for `classifier`'s head named `headName`.
    /// - Throws: `ModelError` when the classifier has no such softmax head, or the steps are out of range.
    public init(
        classifier: TextClassifier, head headName: String = "sentiment", method: Method = .gradientInput
    ) throws(ModelError) {
        guard let index = classifier.heads.firstIndex(where: { $0.spec.name == headName }) else {
            throw ModelError(.format, "the model has no \(headName) head to explain")
        }
        let (spec, weight, bias, query) = classifier.heads[index]
        guard spec.kind == .softmax else {
            throw ModelError(.format, "only a softmax head can be explained; \(headName) is multi-label")
        }
        if case .integratedGradients(let steps) = method, !(1...256).contains(steps) {
            throw ModelError(.format, "integrated gradients needs 1 to 256 steps, not \(steps)")
        }
        self.head = spec
        self.method = method
        tokenizer = classifier.encoder.tokenizer
        // A rank-1 adapter whose B is zero leaves the merged weights exactly as they are; the training engine then
        // shares them instead of copying the embedding table, as full fine-tuning would.
        var tuning = FineTuning()
        tuning.loraRank = 1
        tuning.dropout = 0
        let model = classifier.encoder.model
        encoder = try TrainableEncoder(
            model: model, tuning: tuning, seed: 0, backend: model.backend, threads: classifier.encoder.threads)
        var generator = SeededGenerator(seed: 0)
        let trainable = TrainableHead(spec: spec, hidden: model.config.hiddenSize, dropout: 0, generator: &generator)
        trainable.weight.value.pointer.update(from: weight.pointer, count: weight.count)
        trainable.bias.value.pointer.update(from: bias.pointer, count: bias.count)
        if let query, let target = trainable.query {
            target.value.pointer.update(from: query.pointer, count: query.count)
        }
        trainableHead = trainable
    }

    /// Explains each text's class in `labels` (its most probable class where nil), off the cooperative pool.
    /// - Returns: One explanation per text, nil where a weight came out non-finite.
    public func explain(_ texts: [String], labels: [Int?]? = nil) async -> [Explanation?] {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let explanations = texts.indices.map { index in
                    self.explainNow(texts[index], label: labels?[index] ?? nil)
                }
                continuation.resume(returning: explanations)
            }
            thread.name = "vox-explain"
            thread.start()
        }
    }

    /// Explains one text on the calling thread, which must not be a cooperative one.
    func explainNow(_ text: String, label: Int?) -> Explanation? {
        lock.lock()
        defer { lock.unlock() }
        let alignment = TokenAlignment(text: text, tokenizer: tokenizer)
        let explained = label.flatMap { head.labels.indices.contains($0) ? $0 : nil } ?? predicted(alignment.ids)
        let tokenWeights = attributions(alignment.ids, label: explained)
        let words = alignment.spans.map { span in
            Explanation.Word(text: span.text, weight: span.tokens.reduce(0) { $0 + tokenWeights[$1] })
        }
        guard words.allSatisfy({ $0.weight.isFinite }) else { return nil }
        return Explanation(label: explained, words: words)
    }

    /// The head's most probable class for token ids `ids` (by the training engine's forward pass).
    func predicted(_ ids: [Int32]) -> Int {
        Evaluator.argmax(logProbabilities(ids, wordScale: 1))
    }

    /// Each token's attribution to log p(`label`) (special tokens included), by `method`.
    func attributions(_ ids: [Int32], label: Int) -> [Float] {
        let h = encoder.config.hiddenSize
        var target = [Float](repeating: 0, count: head.labels.count)
        target[label] = 1
        var generator = SeededGenerator(seed: 0)
        // The mean over the path of the gradient of log p(class) (the loss is −log p), per token and dimension.
        var gradients = [Float](repeating: 0, count: ids.count * h)
        let scales = method.scales
        for scale in scales {
            for parameter in encoder.parameters + trainableHead.parameters { parameter.zeroGradient() }
            let saved = encoder.forward([ids], dropout: false, generator: &generator, wordScale: scale)
            let loss = trainableHead.loss(
                saved, targets: [target], classWeights: nil, training: true, generator: &generator)
            let gradient = encoder.backward(saved, gradient: loss.gradient)
            for element in 0..<(ids.count * h) { gradients[element] -= gradient.pointer[element] / Float(scales.count) }
        }
        let words = encoder.wordEmbeddings?.value ?? encoder.base.wordEmbeddings
        return ids.enumerated().map { position, id in
            let token = Int(id) >= 0 && Int(id) < encoder.config.vocabSize ? Int(id) : 0
            var sum: Float = 0
            for index in 0..<h { sum += gradients[position * h + index] * words.pointer[token * h + index] }
            return sum
        }
    }

    /// The head's log-probabilities (no temperature) for token ids `ids` with word embeddings scaled by `wordScale`.
    func logProbabilities(_ ids: [Int32], wordScale: Float) -> [Float] {
        var generator = SeededGenerator(seed: 0)
        let saved = encoder.forward([ids], dropout: false, generator: &generator, wordScale: wordScale)
        return probabilities(saved).map { log(max($0, 1e-30)) }
    }

    /// The head's probabilities (no temperature) for a forward pass of one sequence.
    func probabilities(_ saved: EncoderActivations) -> [Float] {
        let h = encoder.config.hiddenSize
        let pooled = Tensor(zeros: [h])
        let weights = Tensor(zeros: [max(1, saved.tokens)])
        HeadMath.pool(
            saved.output.pointer, tokens: saved.tokens, h: h, pooling: head.pooling,
            query: trainableHead.query?.value.pointer, into: pooled.pointer, weights: weights.pointer)
        let logits = HeadMath.logits(
            pooled.pointer, h: h, weight: trainableHead.weight.value.pointer, bias: trainableHead.bias.value.pointer,
            classes: head.labels.count)
        return HeadMath.probabilities(logits, kind: head.kind)
    }
}
