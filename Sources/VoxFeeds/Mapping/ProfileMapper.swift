/// What became of one line.
public enum LineOutcome: Sendable, Equatable {
    /// It became a post.
    case post(Post)
    /// A valid event that is not a post (a Jetstream identity event, a Mastodon boost): counted, not an error.
    case skipped
    /// It could not become a post, for this reason (with a detail for people).
    case rejected(DeadLetterReason, detail: String?)
}

/// A `ConnectorProfile` compiled for speed: all its paths scanned in one pass per line.
///
/// Not thread-safe (it reuses its scanner's buffers); make one per parsing task.
public struct ProfileMapper {
    /// What became of a line mapped with `map(_:into:)`.
    public enum Result: Sendable, Equatable {
        /// A post was appended.
        case post
        /// A valid event that is not a post.
        case skipped
        /// It could not become a post, for this reason.
        case rejected(DeadLetterReason, detail: String?)
    }

    /// One alternative source of a field: a range of `slots` (several when joined) and the separator.
    private struct Alternative {
        var slots: Range<Int>
        var separator: String
    }

    /// The profile being applied.
    public let profile: ConnectorProfile
    private var scanner: JSONScanner
    private let slots: [Int]
    private let idAlternatives: [Alternative]
    private let textAlternatives: [Alternative]
    private let timeSlots: [Int]
    private let authorSlots: [Int]
    private let langSlots: [Int]
    private let requireSlots: [(slot: Int, value: [UInt8])]
    private let skipSlots: [Int]
    private let extraSlots: [(name: [UInt8], slot: Int)]
    private let paths: [String]
    private let isHTML: Bool
    private let sourceName: String
    private let extraNames: [UInt8]
    private let extraFields: [(name: Range<Int>, slot: Int)]

    /// Compiles `profile`.
    public init(profile: ConnectorProfile) {
        self.profile = profile
        var plan = JSONFieldPlan()
        var slots: [Int] = []
        func compile(_ sources: [ConnectorProfile.Source]) -> [Alternative] {
            sources.map { source in
                let start = slots.count
                slots += source.paths.map { plan.slot(for: $0) }
                if case .join(_, let separator) = source {
                    return Alternative(slots: start..<slots.count, separator: separator)
                }
                return Alternative(slots: start..<slots.count, separator: "")
            }
        }
        idAlternatives = compile(profile.id)
        textAlternatives = compile(profile.text)
        self.slots = slots
        timeSlots = profile.createdAt.flatMap(\.paths).map { plan.slot(for: $0) }
        authorSlots = profile.author.flatMap(\.paths).map { plan.slot(for: $0) }
        langSlots = profile.lang.flatMap(\.paths).map { plan.slot(for: $0) }
        requireSlots = profile.require.sorted { $0.key < $1.key }.map { (plan.slot(for: $0.key), Array($0.value.utf8)) }
        skipSlots = profile.skipIfObject.map { plan.slot(for: $0) }
        extraSlots = profile.extras.sorted { $0.key < $1.key }.map {
            (Array(JSONText.quote($0.key).utf8) + [0x3A], plan.slot(for: $0.value))
        }
        paths = plan.paths
        isHTML = profile.textFormat == .html
        sourceName = profile.name
        var names: [UInt8] = []
        var fields: [(name: Range<Int>, slot: Int)] = []
        for (name, slot) in extraSlots {
            fields.append((names.count..<(names.count + name.count), slot))
            names += name
        }
        extraNames = names
        extraFields = fields
        scanner = JSONScanner(plan: plan)
    }

    /// Maps one line (without its newline) to a post, a skip or a rejection.
    public mutating func map(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        var posts: [Post] = []
        switch map(line, into: &posts) {
        case .post: return posts.first.map(LineOutcome.post) ?? .skipped
        case .skipped: return .skipped
        case .rejected(let reason, let detail): return .rejected(reason, detail: detail)
        }
    }

    /// Maps one line (without its newline), appending a post to `posts` when it is one.
    public mutating func map(_ line: UnsafeBufferPointer<UInt8>, into posts: inout [Post]) -> Result {
        guard UTF8Validator.isValid(line) else { return .rejected(.invalidUTF8, detail: nil) }
        do {
            try scanner.scan(line)
        } catch {
            switch error {
            case .notObject: return .rejected(.wrongType, detail: "the line is JSON but not an object")
            case .invalid(let position): return .rejected(.invalidJSON, detail: "JSON syntax error at byte \(position)")
            }
        }
        for (slot, expected) in requireSlots {
            guard let value = scanner.values[slot], value.kind == .string, !value.escaped,
                line[value.start..<value.end].elementsEqual(expected)
            else { return .skipped }
        }
        for slot in skipSlots where scanner.values[slot]?.kind == .object { return .skipped }

        // Text: the first alternative with non-blank text.
        var text: String? = nil
        for alternative in textAlternatives {
            switch value(of: alternative, line: line, numbers: false) {
            case .wrongType(let path): return .rejected(.wrongType, detail: "text field \(path) is not a string")
            case .absent: continue
            case .value(let value):
                let plain = isHTML ? HTMLText.plainText(value) : value
                if !ProfileMapper.isBlank(plain) { text = plain }
            }
            if text != nil { break }
        }
        guard let text else { return .rejected(.missingText, detail: nil) }

        // Time: the first present alternative.
        guard let timeSlot = timeSlots.first(where: { scanner.values[$0].map { $0.kind != .null } ?? false }),
            let timeValue = scanner.values[timeSlot]
        else { return .rejected(.missingTime, detail: nil) }
        let createdAt: Int64
        switch readTime(timeValue, line: line) {
        case .millis(let millis): createdAt = millis
        case .rejected(let reason): return .rejected(reason, detail: "time field \(paths[timeSlot])")
        }

        var id: String? = nil
        for alternative in idAlternatives {
            if case .value(let value) = value(of: alternative, line: line, numbers: true) {
                id = value
                break
            }
        }
        posts.append(
            Post(
                id: id ?? ProfileMapper.contentID(line), text: text, createdAt: createdAt,
                author: firstString(authorSlots, line: line), lang: firstString(langSlots, line: line),
                source: sourceName, extra: extra(line)))
        return .post
    }

    private enum TimeReading {
        case millis(Int64)
        case rejected(DeadLetterReason)
    }

    private enum Joined {
        case absent
        case wrongType(String)
        case value(String)
    }

    private func value(of alternative: Alternative, line: UnsafeBufferPointer<UInt8>, numbers: Bool) -> Joined {
        if alternative.slots.count == 1 {
            return part(slots[alternative.slots.lowerBound], line: line, numbers: numbers)
        }
        var joined = ""
        for index in alternative.slots {
            switch part(slots[index], line: line, numbers: numbers) {
            case .absent: continue
            case .wrongType(let path): return .wrongType(path)
            case .value(let value):
                if !joined.isEmpty { joined += alternative.separator }
                joined += value
            }
        }
        return joined.isEmpty ? .absent : .value(joined)
    }

    private func part(_ slot: Int, line: UnsafeBufferPointer<UInt8>, numbers: Bool) -> Joined {
        guard let value = scanner.values[slot] else { return .absent }
        switch value.kind {
        case .string:
            return value.end > value.start ? .value(JSONScanner.string(value, in: line)) : .absent
        case .number where numbers: return .value(JSONScanner.rawText(value, in: line))
        case .null: return .absent
        case .number, .bool, .object, .array: return .wrongType(paths[slot])
        }
    }

    /// The kept extra fields as one JSON object's text, or nil (built in place: one allocation).
    private func extra(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        var size = 1
        for (name, slot) in extraFields {
            guard let value = scanner.values[slot], value.kind != .null else { continue }
            size += 1 + name.count + value.end - value.start + (value.kind == .string ? 2 : 0)
        }
        guard size > 1 else { return nil }
        return String(unsafeUninitializedCapacity: size) { out in
            var written = 0
            for (name, slot) in extraFields {
                guard let value = scanner.values[slot], value.kind != .null else { continue }
                out[written] = written == 0 ? 0x7B : 0x2C
                written += 1
                for index in name {
                    out[written] = extraNames[index]
                    written += 1
                }
                let start = value.kind == .string ? value.start - 1 : value.start
                let end = value.kind == .string ? value.end + 1 : value.end
                for index in start..<end {
                    out[written] = line[index]
                    written += 1
                }
            }
            out[written] = 0x7D
            return written + 1
        }
    }

    /// Whether `text` is empty or only whitespace (checked on bytes; Unicode spaces only when non-ASCII).
    static func isBlank(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: continue
            case 0x80...: ascii = false
            default: return false
            }
        }
        return ascii || text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    private func firstString(_ slots: [Int], line: UnsafeBufferPointer<UInt8>) -> String? {
        for slot in slots {
            guard let value = scanner.values[slot] else { continue }
            if value.kind == .string { return JSONScanner.string(value, in: line) }
            if value.kind == .number { return JSONScanner.rawText(value, in: line) }
        }
        return nil
    }

    private func readTime(_ value: JSONScanner.Value, line: UnsafeBufferPointer<UInt8>) -> TimeReading {
        let format = profile.timeFormat
        switch value.kind {
        case .number:
            guard let number = JSONScanner.double(value, in: line),
                let millis = Timestamp.millis(epoch: number, format: format)
            else { return .rejected(.badTime) }
            return .millis(millis)
        case .string:
            let text = UnsafeBufferPointer(rebasing: line[value.start..<value.end])
            if format == .auto || format == .iso8601 {
                if let millis = Timestamp.parseISO8601(text) ?? Timestamp.parseTwitterClassic(text) {
                    return .millis(millis)
                }
            }
            if format != .iso8601, let number = JSONScanner.double(value, in: line),
                let millis = Timestamp.millis(epoch: number, format: format)
            {
                return .millis(millis)
            }
            return .rejected(.badTime)
        case .bool, .object, .array: return .rejected(.wrongType)
        case .null: return .rejected(.missingTime)
        }
    }

    /// A stable id for posts whose source gives none: FNV-1a over the line's bytes.
    static func contentID(_ line: UnsafeBufferPointer<UInt8>) -> String {
        var hash = FNV1a()
        hash.add(line)
        let hex = String(hash.value, radix: 16)
        return "fnv1a:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
