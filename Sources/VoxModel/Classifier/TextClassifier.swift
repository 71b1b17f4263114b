import Foundation

/// Classifies posts with a fine-tuned model: one encoder pass (on the fast, batch-invariant inference
/// engine, LoRA merged into the weights) feeds every head.
public final class TextClassifier: Sendable {
    /// What the model is.
    public let artifact: ClassifierArtifact
    /// The encoder with the fine-tuned weights.
    public let encoder: SentenceEncoder
    let heads: [(spec: HeadSpec, weight: Tensor, bias: Tensor, query: Tensor?)]
    /// Predictions of identical texts seen before (see ``classify(_:cached:)``).
    let cache = PredictionCache(capacity: TextClassifier.cacheCapacity)
    /// Distinct token sequences whose predictions are remembered.
    public static let cacheCapacity = 8_192

    /// How outputs name the model: `id@version/precision` (e.g. `vox-minilm-sentiment-topic@1/int8`).
    public var tag: String { "\(artifact.label)/\(encoder.model.precision)" }

    /// Probabilities per head for one post, in the heads' label order.
    public struct Prediction: Sendable, Equatable {
        /// One probability vector per head.
        public var probabilities: [[Float]]
    }

    /// Builds a classifier from merged encoder weights and trained heads.
    init(
        artifact: ClassifierArtifact, model: BertModel, tokenizer: any TextTokenizer, heads: [TrainableHead],
        threads: Int
    ) {
        self.artifact = artifact
        encoder = SentenceEncoder(model: model, tokenizer: tokenizer, threads: threads)
        self.heads = heads.map { ($0.spec, $0.weight.value, $0.bias.value, $0.query?.value) }
    }

    /// Loads a fine-tuned model folder on top of the base encoder folder.
    /// - Throws: `ModelError` when a file is missing, or a tensor is missing or misshapen.
    public static func load(
        directory: String, baseDirectory: String, threads: Int = 2, precision: Precision = .fp32
    ) throws(ModelError) -> TextClassifier {
        let artifact = try ClassifierArtifact.load(directory: directory)
        try artifact.checkBase(baseDirectory)
        let base = try BertModel.load(directory: baseDirectory)
        let tokenizer = try TokenizerLoader.load(directory: baseDirectory)
        let trained = try TrainableEncoder(model: base, tuning: artifact.fineTuning, seed: 0, backend: base.backend)
        var generator = SeededGenerator(seed: 0)
        let heads = artifact.heads.map {
            TrainableHead(spec: $0, hidden: base.config.hiddenSize, dropout: 0, generator: &generator)
        }
        let file = try SafeTensors(path: directory + "/weights.safetensors")
        for parameter in trained.parameters + heads.flatMap(\.parameters) {
            let values = try file.floats(parameter.name, shape: parameter.value.shape)
            values.withUnsafeBufferPointer { source in
                if let start = source.baseAddress { parameter.value.pointer.update(from: start, count: values.count) }
            }
        }
        let model = try BertModel(
            config: base.config, weights: trained.mergedWeights(), backend: base.backend, precision: precision)
        return TextClassifier(artifact: artifact, model: model, tokenizer: tokenizer, heads: heads, threads: threads)
    }

    /// Classifies `texts`, in order, off the cooperative pool. With `cached`, a text whose token ids were classified
    /// before (in this call or an earlier one, among the last ``cacheCapacity`` distinct ones) is answered from
    /// memory: bitwise the same prediction, since the engine is batch-invariant.
    public func classify(_ texts: [String], cached: Bool = true) async -> [Prediction] {
        await encoder.onInferenceThread { workspace in
            let batch = self.encoder.tokenize(texts)
            guard cached else { return self.classify(batch: batch, workspace: workspace) }
            return self.cache.predictions(batch) { self.classify(batch: $0, workspace: workspace) }
        }
    }

    /// Texts answered from the identical-text cache so far.
    public var cacheHits: Int { cache.hits }

    /// Raw logits (before any temperature) of head `index` for each text, off the cooperative pool.
    func logits(_ texts: [String], head index: Int) async -> [[Float]] {
        let h = encoder.model.config.hiddenSize
        let head = heads[index]
        let classes = head.spec.labels.count
        return await mapPooled(texts, head: index, fallback: [Float](repeating: 0, count: classes)) { vector in
            HeadMath.logits(vector, h: h, weight: head.weight.pointer, bias: head.bias.pointer, classes: classes)
        }
    }

    /// `body` applied to each text's vector as head `index` pools it, computed off the cooperative pool in batches
    /// of 64; `fallback` for a text without hidden states.
    func mapPooled<Value: Sendable>(
        _ texts: [String], head index: Int, fallback: Value, _ body: @escaping @Sendable (UnsafePointer<Float>) -> Value
    ) async -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: 64) {
            let chunk = Array(texts[start..<min(texts.count, start + 64)])
            out += await encoder.onInferenceThread { workspace in
                self.pooled(batch: self.encoder.tokenize(chunk), workspace: workspace, heads: [index]) { _, vector in
                    body(vector)
                }.map { $0?.first ?? fallback }
            }
        }
        return out
    }

    /// Classifies tokenized posts on the calling (inference) thread.
    func classify(batch: [[Int32]], workspace: BertModel.Workspace) -> [Prediction] {
        let h = encoder.model.config.hiddenSize
        return pooled(batch: batch, workspace: workspace, heads: Array(heads.indices)) { index, vector in
            let head = heads[index]
            let logits = HeadMath.logits(
                vector, h: h, weight: head.weight.pointer, bias: head.bias.pointer, classes: head.spec.labels.count)
            return HeadMath.probabilities(
                logits, kind: head.spec.kind, temperature: Float(head.spec.effectiveTemperature))
        }.map { Prediction(probabilities: $0 ?? []) }
    }

    /// Runs the encoder over tokenized posts on the calling (inference) thread and hands `body` each post's vector
    /// as each head in `indices` pools it (valid only during the call); nil for a post without hidden states.
    func pooled<Value>(
        batch: [[Int32]], workspace: BertModel.Workspace, heads indices: [Int],
        _ body: (_ head: Int, _ vector: UnsafePointer<Float>) -> Value
    ) -> [[Value]?] {
        encoder.forward(batch: batch, workspace: workspace)
        let h = encoder.model.config.hiddenSize
        let vector = Tensor(zeros: [h])
        let weights = Tensor(zeros: [max(1, batch.map(\.count).max() ?? 1)])
        var offset = 0
        return batch.map { ids in
            let states = workspace.hiddenStates(tokens: offset + ids.count).baseAddress.map { $0 + offset * h }
            offset += ids.count
            guard let states else { return nil }
            return indices.map { index in
                let head = heads[index]
                HeadMath.pool(
                    states, tokens: ids.count, h: h, pooling: head.spec.pooling, query: head.query?.pointer,
                    into: vector.pointer, weights: weights.pointer)
                return body(index, vector.pointer)
            }
        }
    }
}
