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
    /// The profile being applied.
    public let profile: ConnectorProfile
    private var scanner: JSONScanner
    private let idSlots: [[Int]]
    private let idSeparators: [String?]
    private let textSlots: [[Int]]
    private let textSeparators: [String?]
    private let timeSlots: [Int]
    private let authorSlots: [Int]
    private let langSlots: [Int]
    private let requireSlots: [(slot: Int, value: [UInt8])]
    private let skipSlots: [Int]
    private let extraSlots: [(name: String, slot: Int)]
    private let paths: [String]

    /// Compiles `profile`.
    public init(profile: ConnectorProfile) {
        self.profile = profile
        var plan = JSONFieldPlan()
        func compile(_ sources: [ConnectorProfile.Source]) -> ([[Int]], [String?]) {
            var slots: [[Int]] = []
            var separators: [String?] = []
            for source in sources {
                switch source {
                case .path(let path):
                    slots.append([plan.slot(for: path)])
                    separators.append(nil)
                case .join(let paths, let separator):
                    slots.append(paths.map { plan.slot(for: $0) })
                    separators.append(separator)
                }
            }
            return (slots, separators)
        }
        (idSlots, idSeparators) = compile(profile.id)
        (textSlots, textSeparators) = compile(profile.text)
        timeSlots = profile.createdAt.flatMap(\.paths).map { plan.slot(for: $0) }
        authorSlots = profile.author.flatMap(\.paths).map { plan.slot(for: $0) }
        langSlots = profile.lang.flatMap(\.paths).map { plan.slot(for: $0) }
        requireSlots = profile.require.sorted { $0.key < $1.key }.map { (plan.slot(for: $0.key), Array($0.value.utf8)) }
        skipSlots = profile.skipIfObject.map { plan.slot(for: $0) }
        extraSlots = profile.extras.sorted { $0.key < $1.key }.map { ($0.key, plan.slot(for: $0.value)) }
        paths = plan.paths
        scanner = JSONScanner(plan: plan)
    }

    /// Maps one line (without its newline) to a post, a skip or a rejection.
    public mutating func map(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        guard UTF8Validator.isValid(line) else { return .rejected(.invalidUTF8, detail: nil) }
        do {
            try scanner.scan(line)
        } catch {
            switch error {
            case .notObject: return .rejected(.wrongType, detail: "the line is JSON but not an object")
            case .invalid(let position): return .rejected(.invalidJSON, detail: "JSON syntax error at byte \(position)")
            }
        }
        let values = scanner.values
        for (slot, expected) in requireSlots {
            guard let value = values[slot], value.kind == .string, !value.escaped,
                line[value.start..<value.end].elementsEqual(expected)
            else { return .skipped }
        }
        for slot in skipSlots where values[slot]?.kind == .object { return .skipped }

        // Text: the first alternative with non-empty text.
        var text: String? = nil
        for (index, slots) in textSlots.enumerated() {
            switch join(slots, separator: textSeparators[index], values: values, line: line, numbers: false) {
            case .wrongType(let path): return .rejected(.wrongType, detail: "text field \(path) is not a string")
            case .absent: continue
            case .value(let value):
                let plain = profile.textFormat == .html ? HTMLText.plainText(value) : value
                if !plain.allSatisfy(\.isWhitespace) { text = plain }
            }
            if text != nil { break }
        }
        guard let text else { return .rejected(.missingText, detail: nil) }

        // Time: the first present alternative.
        guard let timeSlot = timeSlots.first(where: { values[$0].map { $0.kind != .null } ?? false }),
            let timeValue = values[timeSlot]
        else { return .rejected(.missingTime, detail: nil) }
        let createdAt: Int64
        switch readTime(timeValue, line: line) {
        case .millis(let millis): createdAt = millis
        case .rejected(let reason): return .rejected(reason, detail: "time field \(paths[timeSlot])")
        }

        var id: String? = nil
        for (index, slots) in idSlots.enumerated() {
            if case .value(let value) = join(slots, separator: idSeparators[index], values: values, line: line, numbers: true) {
                id = value
                break
            }
        }
        var extras: [String: String] = [:]
        for (name, slot) in extraSlots {
            if let value = values[slot], value.kind != .null { extras[name] = JSONScanner.rawText(value, in: line) }
        }
        return .post(
            Post(
                id: id ?? ProfileMapper.contentID(line), text: text, createdAt: createdAt,
                author: firstString(authorSlots, values: values, line: line),
                lang: firstString(langSlots, values: values, line: line),
                source: profile.name, extras: extras))
    }

    private enum TimeReading { case millis(Int64), rejected(DeadLetterReason) }

    private enum Joined { case absent, wrongType(String), value(String) }

    private func join(
        _ slots: [Int], separator: String?, values: [JSONScanner.Value?], line: UnsafeBufferPointer<UInt8>, numbers: Bool
    ) -> Joined {
        var parts: [String] = []
        for slot in slots {
            guard let value = values[slot] else { continue }
            switch value.kind {
            case .string:
                let string = JSONScanner.string(value, in: line)
                if !string.isEmpty { parts.append(string) }
            case .number where numbers: parts.append(JSONScanner.rawText(value, in: line))
            case .null: continue
            case .number: return .wrongType(paths[slot])
            case .bool, .object, .array: return .wrongType(paths[slot])
            }
        }
        guard !parts.isEmpty else { return .absent }
        return .value(parts.count == 1 ? parts[0] : parts.joined(separator: separator ?? " "))
    }

    private func firstString(_ slots: [Int], values: [JSONScanner.Value?], line: UnsafeBufferPointer<UInt8>) -> String? {
        for slot in slots {
            guard let value = values[slot] else { continue }
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
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in line {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

