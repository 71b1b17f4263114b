// libFuzzer target: the line framer, JSON scanner and every bundled connector profile's mapper
// (scripts/fuzz.sh feed-line). The input is framed in two uneven chunks; every line becomes exactly one outcome in
// every profile (a post with non-blank text, a skip or a dead letter with a reason), the framer accounts for every
// byte, and a line the scanner accepts as a JSON object Foundation accepts too.
import Foundation

/// `Connectors/Profiles`, named by scripts/fuzz.sh.
private let profileFolder = ProcessInfo.processInfo.environment["VOX_FUZZ_PROFILES"] ?? "Connectors/Profiles"

nonisolated(unsafe) private var mappers: [ProfileMapper] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: profileFolder).filter { $0.hasSuffix(".json") })
    guard let names, !names.isEmpty else { fatalError("no connector profiles in \(profileFolder)") }
    return names.sorted().map { name in
        guard let data = FileManager.default.contents(atPath: profileFolder + "/" + name),
            let profile = try? ConnectorProfile.decode(Array(data), origin: name)
        else { fatalError("cannot load the connector profile \(name)") }
        return ProfileMapper(profile: profile)
    }
}()

/// Whether Foundation reads the line as an object; numbers beyond a Double's range (`1E99999`), which JSON's grammar
/// allows and Foundation refuses, are given a small exponent first.
private func foundationReads(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any] { return true }
    let text = String(decoding: bytes, as: UTF8.self)
    let tamed = hugeExponent.stringByReplacingMatches(
        in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "e0")
    return (try? JSONSerialization.jsonObject(with: Data(tamed.utf8))) is [String: Any]
}

private let hugeExponent: NSRegularExpression = {
    do { return try NSRegularExpression(pattern: "(?<=[0-9])[eE][+-]?[0-9]{3,}") } catch { fatalError("\(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeedLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var framer = LineFramer(origin: "fuzz", maxLineLength: 512, batchBytes: 1024)
    var lines = 0
    func check(_ batch: LineBatch) {
        for line in batch.lines {
            lines += 1
            guard line.kind == .complete else { continue }
            batch.withBytes(of: line) { bytes in
                for index in mappers.indices {
                    var posts: [Post] = []
                    switch mappers[index].map(bytes, into: &posts) {
                    case .post:
                        guard posts.count == 1, let post = posts.first,
                            !post.text.allSatisfy({ $0.isWhitespace })
                        else { fatalError("a post without text or several posts from one line") }
                    case .skipped, .rejected: break
                    }
                }
                var scanner = JSONScanner(plan: JSONFieldPlan())
                let parsed = UTF8Validator.isValid(bytes) && (try? scanner.scan(bytes)) != nil
                if parsed, !foundationReads(bytes) {
                    fatalError("the scanner accepted a line Foundation cannot read: \(Array(bytes))")
                }
            }
        }
    }
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    let cut = size / 3
    framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<cut]), emit: check)
    framer.feed(UnsafeRawBufferPointer(rebasing: buffer[cut..<size]), emit: check)
    framer.finish(emit: check)
    if framer.position != Int64(size) { fatalError("the framer read \(framer.position) of \(size) bytes") }
    // The lines a plain split finds: blank ones (spaces, tabs, CRs) are not lines; a leading BOM is dropped.
    var expected = 0
    for (index, segment) in UnsafeBufferPointer(start: data, count: size).split(
        separator: 10, omittingEmptySubsequences: false
    ).enumerated() {
        let content = index == 0 && segment.starts(with: [0xEF, 0xBB, 0xBF]) ? segment.dropFirst(3) : segment
        if content.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { expected += 1 }
    }
    if lines != expected { fatalError("\(lines) lines framed where a plain split finds \(expected)") }
    return 0
}
