import Foundation

/// Sentence embeddings as sentence-transformers computes them for all-MiniLM-L6-v2: tokenize, run the
/// encoder, mean-pool the token states, L2-normalise.
///
/// Batches are spread over `threads` dedicated threads (never Swift's cooperative pool); each post is
/// computed by the same sequence of operations whatever batch it is in, so embeddings are bitwise
/// batch-invariant.
public final class SentenceEncoder: @unchecked Sendable {
    // @unchecked: the workspace is only used under `workspaceLock`, on one inference thread at a time.
    /// The encoder.
    public let model: BertModel
    /// The tokenizer.
    public let tokenizer: any TextTokenizer
    /// Threads a batch is spread over.
    public let threads: Int
    private let gang: WorkerGang
    private let workspace: BertModel.Workspace
    private let workspaceLock = NSLock()

    /// Creates an encoder.
    public init(model: BertModel, tokenizer: any TextTokenizer, threads: Int = 2) {
        self.model = model
        self.tokenizer = tokenizer
        self.threads = max(1, threads)
        gang = WorkerGang(count: self.threads)
        workspace = BertModel.Workspace(
            config: model.config, maxSequence: min(model.config.maxPositionEmbeddings, max(tokenizer.maxLength, 2)),
            workers: self.threads)
    }

    /// Loads the model and tokenizer from a folder (`config.json`, `model.safetensors`, `tokenizer.json`, and
    /// `vox-encoder.json` where the encoder has one).
    public static func load(
        directory: String, threads: Int = 2, precision: Precision = .fp32
    ) throws(ModelError) -> SentenceEncoder {
        let model = try BertModel.load(directory: directory, precision: precision)
        let tokenizer = try TokenizerLoader.load(directory: directory)
        return SentenceEncoder(model: model, tokenizer: tokenizer, threads: threads)
    }

    /// Mean-pooled, L2-normalised embeddings of tokenized sequences, computed on the calling thread
    /// (which must not be one of Swift's cooperative threads) with the encoder's worker gang.
    public func embed(batch: [[Int32]], workspace: BertModel.Workspace) -> [[Float]] {
        forward(batch: batch, workspace: workspace)
        let h = model.config.hiddenSize
        var offset = 0
        return batch.map { ids in
            let states = workspace.hiddenStates(tokens: offset + ids.count)
            var pooled = [Float](repeating: 0, count: h)
            for row in offset..<(offset + ids.count) {
                for index in 0..<h { pooled[index] += states[row * h + index] }
            }
            offset += ids.count
            var norm: Float = 0
            for index in 0..<h {
                pooled[index] /= Float(ids.count)
                norm += pooled[index] * pooled[index]
            }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for index in 0..<h { pooled[index] *= scale }
            return pooled
        }
    }

    /// Runs the encoder over tokenized posts with this encoder's worker gang (on an inference thread).
    public func forward(batch: [[Int32]], workspace: BertModel.Workspace) {
        model.forward(batch, workspace: workspace, gang: gang)
    }

    /// Embeddings of `texts`, in order, computed off the cooperative pool.
    public func embed(_ texts: [String]) async -> [[Float]] {
        await onInferenceThread { workspace in
            self.embed(batch: self.tokenize(texts), workspace: workspace)
        }
    }

    /// Token ids of `texts`, tokenized on the worker gang (call on an inference thread).
    public func tokenize(_ texts: [String]) -> [[Int32]] {
        var ids = [[Int32]](repeating: [], count: texts.count)
        ids.withUnsafeMutableBufferPointer { slots in
            let slots = UnsafeMutableSendableBuffer(slots)
            gang.run { part in
                for index in gang.share(of: texts.count, part: part) {
                    slots.buffer[index] = tokenizer.encode(texts[index])
                }
            }
        }
        return ids
    }

    /// Runs `body` with this encoder's workspace on the calling thread, which must not be a cooperative one.
    public func withWorkspace<Result>(_ body: (BertModel.Workspace) -> Result) -> Result {
        workspaceLock.lock()
        defer { workspaceLock.unlock() }
        return body(workspace)
    }

    /// Runs `body` on a dedicated inference thread with this encoder's workspace (one batch at a time).
    public func onInferenceThread<Result: Sendable>(
        _ body: @escaping @Sendable (BertModel.Workspace) -> Result
    ) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                self.workspaceLock.lock()
                let result = body(self.workspace)
                self.workspaceLock.unlock()
                continuation.resume(returning: result)
            }
            thread.name = "vox-inference"
            thread.start()
        }
    }
}

/// A buffer that gang workers write to at disjoint indices.
struct UnsafeMutableSendableBuffer<Element>: @unchecked Sendable {
    // @unchecked: each worker writes only its own share of indices, and `WorkerGang.run` waits for all.
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
