import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel

/// `vox label annotate`: an interactive terminal labeller over a `vox label sample` file.
struct LabelAnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Label a sample file one post at a time in the terminal (resumable; each answer saved at once).",
        discussion: """
            Keys: 1, 2, 3 … label the post with the numbered class; a or Enter accepts the suggestion; s skips the \
            post; z (or Backspace) undoes the last answer; q (or Ctrl-C) quits. Each answer is written into the \
            file's line ("label", or "skipped": true) atomically, so quitting at any moment loses nothing and running \
            the command again continues at the first unlabelled post. Without a terminal, keys are read from \
            standard input (whitespace ignored), which scripts the labeller.
            Example: vox label annotate labels.jsonl
            """
    )

    @Argument(help: "The sample file (JSON Lines with \"text\"; from vox label sample, or any such file).")
    var file: String

    @Option(help: "The classes, in key order (comma-separated).")
    var labels = HeadSpec.sentimentLabels.joined(separator: ",")

    func run() throws {
        let classes = labels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard (1...9).contains(classes.count), !classes.contains(where: \.isEmpty) else {
            throw ValidationError("--labels must name one to nine classes")
        }
        var sample = try LabelFile(path: file)
        let keys = KeyReader()
        defer { keys.restore() }
        var history: [Int] = []
        var position = sample.firstOpen(after: -1)
        while let current = position {
            LabelAnnotateCommand.show(sample, at: current, classes: classes)
            guard let key = keys.next() else { break }
            switch key {
            case UInt8(ascii: "q"), 3, 4:
                position = nil
                continue
            case UInt8(ascii: "z"), 127, 8:
                guard let previous = history.popLast() else {
                    print("(nothing to undo)")
                    continue
                }
                try sample.set(previous, label: nil, skipped: false)
                position = previous
                continue
            case UInt8(ascii: "s"):
                try sample.set(current, label: nil, skipped: true)
            case UInt8(ascii: "a"), 10, 13:
                guard let suggested = sample.suggested(current), classes.contains(suggested) else {
                    print("(this post has no suggestion: press a number)")
                    continue
                }
                try sample.set(current, label: suggested, skipped: false)
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                let index = Int(key - UInt8(ascii: "1"))
                guard index < classes.count else { continue }
                try sample.set(current, label: classes[index], skipped: false)
            default:
                continue
            }
            history.append(current)
            position = sample.firstOpen(after: current) ?? sample.firstOpen(after: -1)
        }
        keys.restore()
        let (labelled, skipped, open) = sample.counts
        print("\(file): \(labelled) labelled, \(skipped) skipped, \(open) to go")
    }

    static func show(_ sample: LabelFile, at index: Int, classes: [String]) {
        let (labelled, skipped, _) = sample.counts
        var lines = ["", "── \(labelled + skipped + 1) of \(sample.count) ──"]
        if let suggested = sample.suggested(index) { lines.append("suggested: \(suggested)") }
        lines.append(sample.text(index))
        lines.append(
            classes.enumerated().map { "\($0 + 1) \($1)" }.joined(separator: "  ")
                + "   a/Enter accept   s skip   z undo   q quit")
        print(lines.joined(separator: "\n"))
    }
}
