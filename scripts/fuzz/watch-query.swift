// libFuzzer target: the watch-query parser and matcher (scripts/fuzz.sh watch-query). A query either is a clear
// error or parses, matches without crashing, and prints as a query that parses to the same print.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWatchQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let query = try? WatchQuery.parse(text, topic: "fuzz") else { return 0 }
    _ = query.matches(WatchText(text))
    _ = query.matches(WatchText("the quick #brown fox @jumps over \"the lazy\" dog"))
    let printed = query.description
    if let again = try? WatchQuery.parse(printed, topic: "fuzz") {
        // fatalError, not precondition: -O drops a precondition's message.
        if again.description != printed {
            fatalError("printing is not stable: \(printed.debugDescription) / \(again.description.debugDescription)")
        }
    }
    return 0
}
