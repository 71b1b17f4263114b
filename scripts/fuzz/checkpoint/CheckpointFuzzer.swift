import Foundation
import Synchronization
import VoxFeeds
import VoxModel
import VoxStream

/// libFuzzer target for the checkpoint loader (`scripts/fuzz.sh checkpoint`): each input is a run's
/// `CHECKPOINT/state.json`, resumed over a small feed whose first half that checkpoint covers, with the outputs as
/// they were when it was written. A resume may refuse the state with an error; it must never crash, and a resumed
/// run must account for every post (`balanced`). Built with `-sanitize=fuzzer,address -DVOX_FUZZ` it is a libFuzzer
/// binary; built plainly, `vox-fuzz-checkpoint FILE…` replays inputs (a crash found earlier, for instance), and
/// `vox-fuzz-checkpoint --seed FILE` writes the seed checkpoint.
enum CheckpointFuzzer {
    /// The fixed folder of the feed, the seed run's outputs and each input's resume.
    static let root = NSTemporaryDirectory() + "vox-fuzz-checkpoint"
    static let texts = [
        "Still waiting for my bag at the airport", "Loving the new iphone camera", "The album is a masterpiece",
        "Customer support never answers", "Great concert tonight, thank you", "RT @fan: Loving the new iphone camera",
    ]
    static let classifier: TextClassifier? = try? TextClassifier.standIn(vocabularyFrom: texts)
    static let watch = try? WatchTopics.parse("topics:\n  Apple: 'iphone OR ipad'\n  Music: 'album OR concert'\n")

    /// The feed: `count` posts, 10 minutes apart, with a dead letter and a repeated id.
    static func feed(_ count: Int) -> String {
        (0..<count).map { index in
            if index == 7 { return #"{"data":{"id":"broken""# }
            let time = Timestamp.format(millis: 1_795_824_000_000 + Int64(index) * 600_000)
            let id = index == 12 ? 11 : index
            return
                #"{"data":{"id":"\#(id)","text":"\#(texts[index % texts.count])","created_at":"\#(time)","lang":"en"}}"#
        }.joined(separator: "\n") + "\n"
    }

    static func options(checkpoint: String, output: String) -> PipelineOptions {
        var options = PipelineOptions()
        options.output = output
        options.checkpoint = checkpoint
        options.checkpointInterval = 0
        options.dedupe = true
        options.batchSize = 4
        return options
    }

    /// Runs the pipeline to completion on the current thread's behalf (the fuzzer's callback is synchronous).
    static func run(feed path: String, options: PipelineOptions) -> Result<PipelineStats, any Error> {
        guard let classifier, let watch else { return .failure(CocoaError(.featureUnsupported)) }
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task.detached {
            do {
                let feed = Feed(
                    sources: [try FeedSource(path)], options: FeedOptions(registry: try ProfileRegistry.bundled()))
                outcome.set(
                    .success(
                        try await Pipeline(feed: feed, classifier: classifier, watch: watch, options: options).run()))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return outcome.value ?? .failure(CocoaError(.featureUnsupported))
    }

    /// The seed: the checkpoint of a run over the feed's first half, marked unfinished, and that run's outputs.
    static func prepare() -> Data? {
        let manager = FileManager.default
        if let seed = manager.contents(atPath: root + "/seed/state.json") { return seed }
        try? manager.removeItem(atPath: root)
        try? manager.createDirectory(atPath: root + "/seed", withIntermediateDirectories: true)
        // The source grows after the seed run, as a followed file does: the checkpoint covers its first half.
        guard manager.createFile(atPath: root + "/feed.jsonl", contents: Data(feed(20).utf8)),
            case .success = run(
                feed: root + "/feed.jsonl", options: options(checkpoint: root + "/seed", output: root + "/outputs")),
            manager.createFile(atPath: root + "/feed.jsonl", contents: Data(feed(40).utf8)),
            let state = manager.contents(atPath: root + "/seed/state.json")
        else { return nil }
        let unfinished = Data(
            String(decoding: state, as: UTF8.self).replacingOccurrences(
                of: #""completed":true"#, with: #""completed":false"#
            )
            .utf8)
        guard manager.createFile(atPath: root + "/seed/state.json", contents: unfinished) else { return nil }
        return unfinished
    }

    /// Resumes from `input` as the checkpoint; a crash or an unbalanced count is a finding. Returns what the resume
    /// did, for the reproducer.
    @discardableResult
    static func check(_ input: Data) -> String {
        guard prepare() != nil else { fatalError("the fuzzer's seed run failed in \(root)") }
        let manager = FileManager.default
        let work = root + "/work"
        try? manager.removeItem(atPath: work)
        do {
            try manager.createDirectory(atPath: work + "/checkpoint", withIntermediateDirectories: true)
            try manager.copyItem(atPath: root + "/outputs", toPath: work + "/out")
            try input.write(to: URL(fileURLWithPath: work + "/checkpoint/state.json"))
        } catch {
            fatalError("cannot stage the input in \(work): \(error)")
        }
        switch run(
            feed: root + "/feed.jsonl", options: options(checkpoint: work + "/checkpoint", output: work + "/out"))
        {
        case .success(let stats):
            precondition(stats.balanced, "a resumed run does not account for every post: \(stats.json)")
            return "resumed: \(stats.ingest.posts) posts, \(stats.windowed) windowed, \(stats.windows) windows"
        case .failure(let error):
            return "refused: \(error)"
        }
    }
}

/// One run's result, handed from the pipeline's task to the waiting fuzzer thread.
final class Outcome: Sendable {
    private let stored = Mutex<Result<PipelineStats, any Error>?>(nil)
    var value: Result<PipelineStats, any Error>? { stored.withLock { $0 } }
    func set(_ result: Result<PipelineStats, any Error>) { stored.withLock { $0 = result } }
}

/// libFuzzer's entry for the inputs: resume from each one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    CheckpointFuzzer.check(Data(bytes: data, count: size))
    return 0
}

@main struct CheckpointFuzzerMain {
    /// libFuzzer's driver, `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t))`.
    typealias Driver =
        @convention(c) (
            UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
            @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
        ) -> CInt

    static func main() {
        #if VOX_FUZZ
        // SwiftPM gives an executable its own main, so this one hands over to libFuzzer's driver.
        // nil: RTLD_DEFAULT, the program's own symbols.
        guard let symbol = dlsym(nil, "LLVMFuzzerRunDriver") else {
            print("vox-fuzz-checkpoint: not linked with libFuzzer (build with -sanitize=fuzzer)")
            exit(1)
        }
        var count = CommandLine.argc
        var vector = CommandLine.unsafeArgv
        exit(unsafeBitCast(symbol, to: Driver.self)(&count, &vector, fuzzCheckpoint))
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--seed", arguments.count == 2 {
            guard let seed = CheckpointFuzzer.prepare(),
                FileManager.default.createFile(atPath: arguments[1], contents: seed)
            else {
                print("vox-fuzz-checkpoint: cannot write the seed to \(arguments[1])")
                exit(1)
            }
            return
        }
        for path in arguments {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("vox-fuzz-checkpoint: cannot read \(path)")
                exit(1)
            }
            print("\(path): \(CheckpointFuzzer.check(data))")
        }
        #endif
    }
}
