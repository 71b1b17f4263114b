import Foundation
import Synchronization

/// Sentence embeddings as sentence-transformers computes them for all-MiniLM-L6-v2: tokenize, run the
/// encoder, mean-pool the token states, L2-normalise.
///
/// Batches are spread over `threads` dedicated threads (never Swift's cooperative pool); each post is
/// computed by the same sequence of operations whatever batch it is in, so embeddings are bitwise
/// batch-invariant.
public final class SentenceEncoder: Sendable {
    /// The encoder.
    public let model: BertModel
    /// The tokenizer.
    public let tokenizer: WordPieceTokenizer
    /// Threads a batch is spread over.
    public let threads: Int

    /// Creates an encoder.
    public init(model: BertModel, tokenizer: WordPieceTokenizer, threads: Int = 2) {
        self.model = model
        self.tokenizer = tokenizer
        self.threads = max(1, threads)
    }

    /// Loads the model and tokenizer from a folder (`config.json`, `model.safetensors`, `tokenizer.json`).
    public static func load(directory: String, threads: Int = 2) throws(ModelError) -> SentenceEncoder {
        let model = try BertModel.load(directory: directory)
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: directory + "/tokenizer.json")
        return SentenceEncoder(model: model, tokenizer: tokenizer, threads: threads)
    }

    /// Mean-pooled, L2-normalised embeddings of already tokenized sequences, computed on this thread.
    public func embed(ids: [Int32], workspace: BertModel.Workspace) -> [Float] {
        model.forward(ids, workspace: workspace)
        let h = model.config.hiddenSize
        let states = workspace.hiddenStates(tokens: ids.count, width: h)
        var pooled = [Float](repeating: 0, count: h)
        for row in 0..<ids.count {
            for index in 0..<h { pooled[index] += states[row * h + index] }
        }
        var norm: Float = 0
        for index in 0..<h {
            pooled[index] /= Float(ids.count)
            norm += pooled[index] * pooled[index]
        }
        let scale = 1 / max(norm.squareRoot(), 1e-12)
        for index in 0..<h { pooled[index] *= scale }
        return pooled
    }

    /// Embeddings of `texts`, in order, computed on dedicated threads.
    public func embed(_ texts: [String]) async -> [[Float]] {
        await map(texts.count) { index, workspace in self.embed(ids: self.tokenizer.encode(texts[index]), workspace: workspace) }
    }

    /// Runs `body` for every index in `0..<count` on `threads` dedicated threads, each with its own workspace,
    /// and returns the results in index order.
    public func map<Result: Sendable>(
        _ count: Int, _ body: @escaping @Sendable (Int, BertModel.Workspace) -> Result
    ) async -> [Result] {
        guard count > 0 else { return [] }
        let results = ResultSlots<Result>(count: count)
        let next = Atomic<Int>(0)
        let workers = min(threads, count)
        let config = model.config
        let maxTokens = min(config.maxPositionEmbeddings, max(tokenizer.maxLength, 2))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let remaining = Atomic<Int>(workers)
            for _ in 0..<workers {
                let thread = Thread {
                    let workspace = BertModel.Workspace(config: config, maxTokens: maxTokens)
                    while true {
                        let index = next.add(1, ordering: .relaxed).oldValue
                        if index >= count { break }
                        results.set(index, body(index, workspace))
                    }
                    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation.resume() }
                }
                thread.name = "vox-inference"
                thread.start()
            }
        }
        return results.values()
    }
}

/// Write-once result slots filled by worker threads, each slot by exactly one thread.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every slot is written by one worker before the continuation resumes, and read only after.
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
