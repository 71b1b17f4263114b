import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox bench model`: encoder throughput on real tweets, 1 and 2 threads, tokenisation included, with
/// an optional ONNX Runtime fp32 reference run on the same texts in the same invocation.
struct ModelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure encoder posts/s and GFLOP/s on the 2,000 sample tweets, beside ONNX Runtime.",
        discussion: """
            The peer run needs Benchmarks/peer/setup.sh once (a Python venv with onnxruntime and the exported model).
            Example: vox bench model --posts 4000 --peer
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @Option(help: "Posts per measurement (the 2,000 sample tweets, repeated as needed).")
    var posts = 4000

    @Option(help: "Posts handed to the encoder at a time.")
    var batch = 32

    @Flag(help: "Also run the ONNX Runtime fp32 reference (Benchmarks/peer/onnx_bench.py) on the same texts.")
    var peer = false

    @Option(help: ArgumentHelp("Python of the peer venv.", valueName: "path"))
    var peerPython = "Benchmarks/peer/.venv/bin/python"

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let directory = try model.baseModelDirectory()
        let sample = try IngestCorpus.sampleTexts()
        let texts = (0..<posts).map { sample[$0 % sample.count] }
        var rows: [(String, Double, Double)] = []
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: directory + "/tokenizer.json")
        let tokenizeStart = DispatchTime.now()
        var tokenCount = 0
        for text in texts { tokenCount += tokenizer.encode(text).count }
        let tokenizerRate = Double(texts.count) / tokenizeStart.elapsed
        for (precision, threads) in [(Precision.fp32, 1), (.fp32, 2), (.bf16, 2), (.int8, 2)] {
            let encoder = try SentenceEncoder.load(directory: directory, threads: threads, precision: precision)
            _ = await encoder.embed(Array(texts.prefix(64)))  // warm up
            let flops = texts.reduce(0.0) {
                $0 + ModelBenchCommand.flops(tokens: encoder.tokenizer.encode($1).count, config: encoder.model.config)
            }
            let started = DispatchTime.now()
            var start = 0
            while start < texts.count {
                let end = min(texts.count, start + batch)
                _ = await encoder.embed(Array(texts[start..<end]))
                start = end
            }
            let seconds = started.elapsed
            rows.append(
                (
                    "vox \(precision), \(threads) thread\(threads > 1 ? "s" : "")", Double(texts.count) / seconds,
                    flops / seconds / 1e9
                ))
        }
        var peerRate: Double? = nil
        var peerTokenizerRate: Double? = nil
        if peer {
            (peerRate, peerTokenizerRate) = try runPeer(texts: texts)
            if let peerRate { rows.append(("ONNX Runtime fp32, 2 threads (sorted batches)", peerRate, .nan)) }
        }
        let best = rows.first { $0.0.hasPrefix("vox fp32, 2") }?.1 ?? 0
        if json {
            let entries = rows.map { row in
                JSONText.object([
                    ("name", JSONText.quote(row.0)), ("posts_per_s", String(format: "%.1f", row.1)),
                    ("gflops", row.2.isNaN ? "null" : String(format: "%.1f", row.2)),
                ])
            }
            var members = [
                ("posts", String(posts)), ("batch", String(batch)),
                ("runs", "[" + entries.joined(separator: ",") + "]"),
                ("tokenizer_posts_per_s", String(format: "%.0f", tokenizerRate)),
            ]
            if let peerRate { members.append(("ratio_vs_onnxruntime", String(format: "%.3f", best / peerRate))) }
            if let peerTokenizerRate {
                members.append(("hf_tokenizers_posts_per_s", String(format: "%.0f", peerTokenizerRate)))
            }
            print(JSONText.object(members))
        } else {
            print("\(posts) posts (2,000 sample tweets repeated), batch \(batch), tokenisation included")
            for row in rows {
                print(
                    row.0.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%8.1f posts/s", row.1)
                        + (row.2.isNaN ? "" : String(format: "   %6.1f GFLOP/s", row.2)))
            }
            if let peerRate { print(String(format: "ratio vox (2 threads) / ONNX Runtime: %.2f×", best / peerRate)) }
            print(
                String(format: "tokenizer, 1 thread: vox %.0f posts/s (%d tokens)", tokenizerRate, tokenCount)
                    + (peerTokenizerRate.map { String(format: ", Hugging Face tokenizers %.0f posts/s", $0) } ?? ""))
        }
    }

    /// Multiply-add FLOPs of one forward pass over `tokens` tokens (projections, attention, feed-forward).
    static func flops(tokens: Int, config: BertConfig) -> Double {
        let l = Double(tokens)
        let h = Double(config.hiddenSize)
        let i = Double(config.intermediateSize)
        let perLayer = 2 * l * h * 3 * h + 2 * 2 * l * l * h + 2 * l * h * h + 2 * 2 * l * h * i
        return perLayer * Double(config.numHiddenLayers)
    }

    private func runPeer(texts: [String]) throws -> (Double, Double?) {
        let input = NSTemporaryDirectory() + "vox-bench-texts-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try Data(texts.map { JSONText.object([("text", JSONText.quote($0))]) + "\n" }.joined().utf8).write(
            to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: peerPython)
        process.arguments = [
            "Benchmarks/peer/onnx_bench.py", "--texts", input, "--model-dir", try model.baseModelDirectory(), "--batch",
            String(batch),
        ]
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run the peer benchmark with \(peerPython): run Benchmarks/peer/setup.sh first")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let result = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rate = result["posts_per_s"] as? Double
        else { throw CLIError("the peer benchmark failed (exit \(process.terminationStatus))") }
        return (rate, result["tokenizer_posts_per_s"] as? Double)
    }
}
