import Testing

@testable import VoxFeeds

@Suite struct JSONScannerTests {
    private func scan(_ json: String, paths: [String]) -> Result<[String?], JSONScanner.Failure> {
        var plan = JSONFieldPlan()
        for path in paths { plan.slot(for: path) }
        var scanner = JSONScanner(plan: plan)
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBufferPointer { line in
            do throws(JSONScanner.Failure) {
                try scanner.scan(line)
            } catch {
                return .failure(error)
            }
            return .success(
                scanner.values.map { value in
                    value.map {
                        $0.kind == .string ? JSONScanner.string($0, in: line) : JSONScanner.rawText($0, in: line)
                    }
                })
        }
    }

    @Test func capturesNestedPathsAndArrayIndices() throws {
        let json = #"{"a":1,"data":{"id":"42","tags":["x","y"],"deep":{"v":true}},"z":[{"q":null}]}"#
        let values = try scan(json, paths: ["data.id", "data.tags.1", "data.deep.v", "a", "missing", "data.deep"]).get()
        #expect(values == ["42", "y", "true", "1", nil, #"{"v":true}"#])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = #"{"t":"line\nnext \"q\" \u00e9 \ud83d\ude00 \/ \\ \ud800x"}"#
        let values = try scan(json, paths: ["t"]).get()
        #expect(values == ["line\nnext \"q\" é 😀 / \\ \u{FFFD}x"])
    }

    @Test(arguments: [
        #"{"a":1"#, #"{"a":1,}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":tru}"#, #"{"a":"x}"#,
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{a:1}"#, #"{"a":1} x"#, #"{"a" 1}"#, #"{"a":[1,]}"#, "{\"a\":\"\u{01}\"}",
        "",
    ])
    func rejectsInvalidJSON(json: String) {
        guard case .failure(.invalid) = scan(json, paths: ["a"]) else {
            Issue.record("accepted \(json)")
            return
        }
    }

    @Test(arguments: ["[1,2]", "\"s\"", "3", "null"])
    func reportsNonObjectsAsWrongType(json: String) {
        #expect(scan(json, paths: []) == .failure(.notObject))
    }

    @Test func acceptsNumbersAndWhitespaceOfEveryForm() throws {
        let json = " {\t\"n\" : -0.5e+10 , \"m\":[ 1E3 , 0 , -12.25 ] } "
        #expect(try scan(json, paths: ["n", "m.2"]).get() == ["-0.5e+10", "-12.25"])
    }

    @Test func rejectsDeepNestingWithoutCrashing() {
        let json = "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        guard case .failure(.invalid) = scan(json, paths: ["a"]) else {
            Issue.record("accepted 10,000 nested arrays")
            return
        }
    }

    @Test func validatesUTF8() {
        let cases: [([UInt8], Bool)] = [
            (Array("plain ascii text!".utf8), true), (Array("héllo wörld 😀 中文".utf8), true),
            ([0xFF], false), ([0xC0, 0x80], false), ([0xED, 0xA0, 0x80], false), ([0xF4, 0x90, 0x80, 0x80], false),
            ([0xE2, 0x82], false), (Array("abcdefgh".utf8) + [0xE2, 0x82, 0xAC], true),
        ]
        for (bytes, valid) in cases {
            #expect(bytes.withUnsafeBufferPointer(UTF8Validator.isValid) == valid, "\(bytes)")
        }
    }
}
