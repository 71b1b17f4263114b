// libFuzzer target: the WordPiece tokenizer with all-MiniLM-L6-v2's vocabulary (scripts/fuzz.sh wordpiece). Any
// text gives [CLS] … [SEP] within the length limit, every id in the vocabulary, the same ids every time.
import Foundation

/// The model's tokenizer.json, named by scripts/fuzz.sh.
private let tokenizerPath =
    ProcessInfo.processInfo.environment["VOX_FUZZ_TOKENIZER"] ?? "Tests/VoxModelTests/Fixtures/tokenizer.json"

nonisolated(unsafe) private var tokenizer: WordPieceTokenizer = {
    do { return try WordPieceTokenizer(tokenizerJSON: tokenizerPath, maxLength: 128) } catch {
        fatalError("cannot load \(tokenizerPath): \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWordPiece(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let ids = tokenizer.encode(text)
    guard ids.count >= 2, ids.count <= tokenizer.maxLength, ids.first == tokenizer.clsID, ids.last == tokenizer.sepID
    else { fatalError("\(ids.count) ids, not [CLS] … [SEP] within \(tokenizer.maxLength)") }
    guard ids.allSatisfy({ $0 >= 0 && Int($0) < tokenizer.vocabularySize }) else { fatalError("an id out of range") }
    guard tokenizer.encode(text) == ids else { fatalError("two encodings differ") }
    return 0
}
