import Foundation
import Testing
import VoxFeeds

@testable import VoxStream

/// The output folder after a crash: whole files only, and nothing a killed write left behind.
struct OutputSinksTests {
    private func folder() throws -> String {
        let root = NSTemporaryDirectory() + "vox-sinks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/hourly", withIntermediateDirectories: true)
        return root
    }

    @Test func anAtomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/hourly/2026-12-03T14.csv"
        try writeAtomically("first\n", to: path)
        try writeAtomically("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/hourly") == ["2026-12-03T14.csv"])
    }

    @Test func anAtomicWriteIntoAMissingFolderThrows() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: WatchError.self) { try writeAtomically("x", to: root + "/absent/run.json") }
    }

    @Test func resumingClearsWhatAKilledWriteLeftBehind() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // What a run killed between writing and renaming leaves: the finished report and its half-written successor.
        try "hour,topic\n".write(toFile: root + "/hourly/2026-12-03T14.csv", atomically: false, encoding: .utf8)
        try "hour,to".write(toFile: root + "/hourly/2026-12-03T14.csv.partial", atomically: false, encoding: .utf8)
        try "{\"li".write(toFile: root + "/run.json.partial", atomically: false, encoding: .utf8)
        _ = try OutputSinks(
            directory: root, format: .both, sliding: false, emitPosts: false,
            deadLetterPath: root + "/dead-letter.jsonl", restoring: .empty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/hourly") == ["2026-12-03T14.csv"])
        #expect(!FileManager.default.fileExists(atPath: root + "/run.json.partial"))
        #expect(try String(contentsOfFile: root + "/hourly/2026-12-03T14.csv", encoding: .utf8) == "hour,topic\n")
    }

    /// Resuming onto outputs that changed since the checkpoint is refused: cutting a shorter file "back" would pad
    /// it with NUL bytes, and an edited or replaced file would silently lose or mix windows.
    @Test func resumingOntoChangedOutputsIsRefused() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func open(_ state: OutputSinks.State) throws -> OutputSinks {
            try OutputSinks(
                directory: root, format: .jsonl, sliding: false, emitPosts: false,
                deadLetterPath: root + "/dead-letter.jsonl", restoring: state)
        }
        let sinks = try open(.empty)
        let letter = DeadLetter(source: "f", offset: 0, line: 1, reason: .invalidJSON, snippet: "{x", detail: nil)
        try sinks.write(deadLetters: [letter, letter])
        let state = try sinks.state()
        let path = root + "/dead-letter.jsonl"
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        // Unchanged, or only grown past the checkpoint: resumed and cut back to the recorded length.
        try (written + Data("{\"after\":1}\n".utf8)).write(to: URL(fileURLWithPath: path))
        _ = try open(state)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == written)
        // Shorter, emptied, edited before the recorded length, or deleted: refused, and left as it is.
        for (changed, message) in [
            (written.prefix(10), "fewer than the"), (Data(), "fewer than the"),
            (Data(written.map { $0 == UInt8(ascii: "x") ? UInt8(ascii: "y") : $0 }), "is not what the checkpoint"),
        ] {
            try Data(changed).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: WatchError.self) { try open(state) }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(changed))
        }
        try FileManager.default.removeItem(atPath: path)
        let missing = #expect(throws: WatchError.self) { try open(state) }
        #expect(missing?.message.contains("is missing") == true)
    }
}
