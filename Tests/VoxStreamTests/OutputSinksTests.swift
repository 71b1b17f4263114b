import Foundation
import Testing

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
}
