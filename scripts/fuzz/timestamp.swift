// libFuzzer target: the timestamp parsers (scripts/fuzz.sh timestamp). Every parsed time is in the supported range
// and formats to text that parses back to the same time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimestamp(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for parsed in [Timestamp.parseISO8601(bytes), Timestamp.parseTwitterClassic(bytes)] {
        guard let millis = parsed else { continue }
        precondition(Timestamp.supported.contains(millis), "parsed a time outside the supported range")
        let text = Array(Timestamp.format(millis: millis).utf8)
        precondition(text.withUnsafeBufferPointer(Timestamp.parseISO8601) == millis, "format does not read back")
    }
    if size >= 8 {
        let value = UnsafeRawPointer(data).loadUnaligned(as: Double.self)
        for format in Timestamp.Format.allCases {
            if let millis = Timestamp.millis(epoch: value, format: format) {
                precondition(Timestamp.supported.contains(millis), "an epoch outside the supported range")
            }
        }
    }
    return 0
}
