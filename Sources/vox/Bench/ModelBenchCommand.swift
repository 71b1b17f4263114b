import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox bench model`: encoder throughput on real tweets at each precision, tokenisation included, with optional
/// ONNX Runtime fp32 and dynamic-int8 reference runs on the same texts in the same invocation; repeated with the
/// order alternating, medians reported.
struct ModelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure encoder posts/s and GFLOP/s per precision on the sample tweets, beside ONNX Runtime.",
        discussion: """
            Each repeat runs vox fp32 (1 and 2 threads), bf16 and int8 (2 threads) and, with --peer, ONNX Runtime fp32 \
            and dynamic int8 (2 threads), reversing the order every other repeat; the table shows each run's median \
            and range, and per precision the embeddings' cosine to fp32 (vox to vox fp32, ONNX Runtime int8 to its \
            fp32). The peer runs need Benchmarks/peer/setup.sh once (a venv with onnxruntime, the exported and the \
            quantised model).
            Example: vox bench model --posts 2000 --repeats 3 --peer
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @Option(help: "Posts per measurement (the 2,000 sample tweets, repeated as needed).")
    var posts = 4000

    @Option(help: "Posts handed to the encoder at a time.")
    var batch = 32

    @Option(help: "Repeats (the order alternates; medians are reported).")
    var repeats = 3

    @Flag(help: "Also run ONNX Runtime fp32 and dynamic int8 (Benchmarks/peer/onnx_bench.py) on the same texts.")
    var peer = false

    @Option(help: ArgumentHelp("Python of the peer venv.", valueName: "path"))
    var peerPython = "Benchmarks/peer/.venv/bin/python"

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard posts > 0, batch > 0, repeats > 0 else {
            throw ValidationError("--posts, --batch, --repeats must be positive")
        }
    }

    /// One configuration's measurements over the repeats.
    struct Run {
        var name: String
        var rates: [Double] = []
        var gflops: Double = .nan
        var cosine: (mean: Double, min: Double)? = nil
        var median: Double { ModelBenchCommand.median(rates) }
    }

    static let voxRuns: [(Precision, Int)] = [(.fp32, 1), (.fp32, 2), (.bf16, 2), (.int8, 2)]

    func run() async throws {
        let directory = try model.baseModelDirectory()
        let sample = try IngestCorpus.sampleTexts()
        let texts = (0..<posts).map { sample[$0 % sample.count] }
        let tokenizer = try TokenizerLoader.load(directory: directory)
        let tokenizeStart = DispatchTime.now()
        var tokenCount = 0
        for text in texts { tokenCount += tokenizer.encode(text).count }
        let tokenizerRate = Double(texts.count) / tokenizeStart.elapsed
        var runs = ModelBenchCommand.voxRuns.map { Run(name: "vox \($0.0), \($0.1) thread\($0.1 > 1 ? "s" : "")") }
        var peerRuns = [Run(name: "ONNX Runtime fp32, 2 threads"), Run(name: "ONNX Runtime int8 (dynamic), 2 threads")]
        var peerTokenizerRate: Double? = nil
        var reference: [[Float]] = []
        for repeatIndex in 0..<repeats {
            let reversed = repeatIndex % 2 == 1
            if peer && reversed { peerTokenizerRate = try runPeer(texts: texts, reversed: true, into: &peerRuns) }
            let order = reversed ? Array(runs.indices.reversed()) : Array(runs.indices)
            for index in order {
                let (precision, threads) = ModelBenchCommand.voxRuns[index]
                let measured = try await measure(texts, directory: directory, precision: precision, threads: threads)
                runs[index].rates.append(measured.rate)
                runs[index].gflops = measured.gflops
                // The first repeat runs fp32 first: its embeddings are what the other precisions are compared with.
                if precision == .fp32 && reference.isEmpty { reference = measured.embeddings }
                if precision != .fp32 && runs[index].cosine == nil && !reference.isEmpty {
                    runs[index].cosine = PrecisionBound.cosine(measured.embeddings, reference)
                }
            }
            if peer && !reversed { peerTokenizerRate = try runPeer(texts: texts, reversed: false, into: &peerRuns) }
        }
        let all = runs + (peer ? peerRuns.filter { !$0.rates.isEmpty } : [])
        func rate(_ prefix: String) -> Double? { all.first { $0.name.hasPrefix(prefix) }.map(\.median) }
        var ratios: [(String, Double)] = []
        for (name, numerator, denominator) in [
            ("vox_fp32_vs_onnxruntime_fp32", "vox fp32, 2", "ONNX Runtime fp32"),
            ("vox_bf16_vs_onnxruntime_fp32", "vox bf16", "ONNX Runtime fp32"),
            ("vox_int8_vs_onnxruntime_fp32", "vox int8", "ONNX Runtime fp32"),
            ("vox_int8_vs_onnxruntime_int8", "vox int8", "ONNX Runtime int8"),
            ("vox_int8_vs_vox_fp32", "vox int8", "vox fp32, 2"),
            ("vox_bf16_vs_vox_fp32", "vox bf16", "vox fp32, 2"),
        ] {
            if let top = rate(numerator), let bottom = rate(denominator), bottom > 0 {
                ratios.append((name, top / bottom))
            }
        }
        if json {
            print(
                ModelBenchCommand.json(
                    all, ratios: ratios, posts: posts, batch: batch, repeats: repeats, tokenizerRate: tokenizerRate,
                    peerTokenizerRate: peerTokenizerRate))
            return
        }
        print(
            "\(posts) posts (2,000 sample tweets repeated), batch \(batch), tokenisation included, median of \(repeats) "
                + "alternating repeats; CPU: \(Precision.cpuDescription)")
        for run in all {
            let range = String(format: " (%.1f–%.1f)", run.rates.min() ?? 0, run.rates.max() ?? 0)
            print(
                run.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + String(format: "%8.1f posts/s", run.median) + range
                    + (run.gflops.isNaN ? "" : String(format: "   %6.1f GFLOP/s", run.gflops))
                    + (run.cosine.map { String(format: "   cosine to fp32 mean %.5f min %.5f", $0.mean, $0.min) } ?? "")
            )
        }
        for (name, value) in ratios { print(String(format: "%@: %.2f×", name, value)) }
        print(
            String(format: "tokenizer, 1 thread: vox %.0f posts/s (%d tokens)", tokenizerRate, tokenCount)
                + (peerTokenizerRate.map { String(format: ", Hugging Face tokenizers %.0f posts/s", $0) } ?? ""))
    }

    private func measure(
        _ texts: [String], directory: String, precision: Precision, threads: Int
    ) async throws -> (rate: Double, gflops: Double, embeddings: [[Float]]) {
        let encoder = try SentenceEncoder.load(directory: directory, threads: threads, precision: precision)
        _ = await encoder.embed(Array(texts.prefix(64)))  // warm up
        let flops = texts.reduce(0.0) {
            $0 + ModelBenchCommand.flops(tokens: encoder.tokenizer.encode($1).count, config: encoder.model.config)
        }
        var embeddings: [[Float]] = []
        embeddings.reserveCapacity(texts.count)
        let started = DispatchTime.now()
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + batch)
            embeddings += await encoder.embed(Array(texts[start..<end]))
            start = end
        }
        let seconds = started.elapsed
        return (Double(texts.count) / seconds, flops / seconds / 1e9, embeddings)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Multiply-add FLOPs of one forward pass over `tokens` tokens (projections, attention, feed-forward).
    static func flops(tokens: Int, config: BertConfig) -> Double {
        let l = Double(tokens)
        let h = Double(config.hiddenSize)
        let i = Double(config.intermediateSize)
        let perLayer = 2 * l * h * 3 * h + 2 * 2 * l * l * h + 2 * l * h * h + 2 * 2 * l * h * i
        return perLayer * Double(config.numHiddenLayers)
    }

    static func json(
        _ runs: [Run], ratios: [(String, Double)], posts: Int, batch: Int, repeats: Int, tokenizerRate: Double,
        peerTokenizerRate: Double?
    ) -> String {
        let entries = runs.map { run in
            JSONText.object([
                ("name", JSONText.quote(run.name)), ("posts_per_s", String(format: "%.1f", run.median)),
                ("samples", "[" + run.rates.map { String(format: "%.1f", $0) }.joined(separator: ",") + "]"),
                ("gflops", run.gflops.isNaN ? "null" : String(format: "%.1f", run.gflops)),
                ("cosine_to_fp32_mean", run.cosine.map { String(format: "%.6f", $0.mean) } ?? "null"),
                ("cosine_to_fp32_min", run.cosine.map { String(format: "%.6f", $0.min) } ?? "null"),
            ])
        }
        var members = [
            ("posts", String(posts)), ("batch", String(batch)), ("repeats", String(repeats)),
            ("cpu", JSONText.quote(Precision.cpuDescription)), ("runs", "[" + entries.joined(separator: ",") + "]"),
            ("ratios", JSONText.object(ratios.map { ($0.0, String(format: "%.3f", $0.1)) })),
            ("tokenizer_posts_per_s", String(format: "%.0f", tokenizerRate)),
        ]
        if let peerTokenizerRate {
            members.append(("hf_tokenizers_posts_per_s", String(format: "%.0f", peerTokenizerRate)))
        }
        return JSONText.object(members)
    }

    /// Runs ONNX Runtime fp32 and int8 once (in the given order) and appends their rates; returns the tokenizer rate.
    private func runPeer(texts: [String], reversed: Bool, into runs: inout [Run]) throws -> Double? {
        let input = NSTemporaryDirectory() + "vox-bench-texts-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try Data(texts.map { JSONText.object([("text", JSONText.quote($0))]) + "\n" }.joined().utf8).write(
            to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: peerPython)
        process.arguments = [
            "Benchmarks/peer/onnx_bench.py", "--texts", input, "--model-dir", try model.baseModelDirectory(), "--batch",
            String(batch), "--order", reversed ? "int8,fp32" : "fp32,int8",
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
            let measured = result["runs"] as? [String: [String: Double]]
        else { throw CLIError("the peer benchmark failed (exit \(process.terminationStatus))") }
        for (index, key) in ["fp32", "int8"].enumerated() {
            guard let entry = measured[key], let rate = entry["posts_per_s"] else { continue }
            runs[index].rates.append(rate)
            if let mean = entry["cosine_to_fp32_mean"], let minimum = entry["cosine_to_fp32_min"] {
                runs[index].cosine = (mean, minimum)
            }
        }
        return result["tokenizer_posts_per_s"] as? Double
    }
}
