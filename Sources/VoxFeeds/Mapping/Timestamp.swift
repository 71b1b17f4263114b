/// Parsing and formatting of post times as milliseconds since the Unix epoch (UTC).
///
/// Hand-written because ingest parses one timestamp per post: `ISO8601DateFormatter` is far slower. Times are
/// supported from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z (``supported``): every parser returns nil
/// outside that range and for impossible dates (February 30th, hour 24, an offset beyond ±23:59), so a feed's
/// bad time becomes a `bad_time` dead letter and every time Vox prints has a four-digit year it reads back.
public enum Timestamp {
    /// The times Vox accepts and prints, in milliseconds since the epoch (years 1970–9999).
    public static let supported: ClosedRange<Int64> = 0...253_402_300_799_999

    /// `millis` when it is a supported time.
    @inline(__always)
    static func checked(_ millis: Int64) -> Int64? { supported.contains(millis) ? millis : nil }

    /// Whether `day` exists in `month` of `year` (proleptic Gregorian).
    static func isValidDate(year: Int64, month: Int64, day: Int64) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[Int(month - 1)]
    }

    /// How a time field is written.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// ISO-8601 / RFC 3339 text, or the classic Twitter form, or epoch numbers guessed by magnitude.
        case auto
        /// ISO-8601 / RFC 3339 text such as `2026-11-28T10:00:00.000Z`.
        case iso8601
        /// Seconds since the epoch (a number or a numeric string; fractions allowed).
        case epochSeconds = "epoch_seconds"
        /// Milliseconds since the epoch.
        case epochMillis = "epoch_millis"
        /// Microseconds since the epoch.
        case epochMicros = "epoch_micros"
    }

    /// Milliseconds for an epoch number in the given unit; `.auto` guesses the unit by magnitude.
    public static func millis(epoch value: Double, format: Format) -> Int64? {
        guard value.isFinite else { return nil }
        let millis: Double
        switch format {
        case .epochSeconds: millis = value * 1000
        case .epochMillis: millis = value
        case .epochMicros: millis = value / 1000
        case .auto, .iso8601:
            let magnitude = abs(value)
            if magnitude < 1e11 {
                millis = value * 1000
            } else if magnitude < 1e14 {
                millis = value
            } else {
                millis = value / 1000
            }
        }
        guard abs(millis) < 1e16 else { return nil }
        return checked(Int64(millis.rounded(.down)))
    }

    /// Parses ISO-8601 text (`YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH[:MM]]`; no zone means UTC).
    /// - Returns: Milliseconds since the epoch, or nil when the text is not such a time.
    public static func parseISO8601(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var reader = DigitReader(bytes: text)
        guard let year = reader.number(digits: 4), reader.take(UInt8(ascii: "-")),
            let month = reader.number(digits: 2), reader.take(UInt8(ascii: "-")),
            let day = reader.number(digits: 2), isValidDate(year: year, month: month, day: day)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var millis: Int64 = 0
        if reader.atEnd { return checked(seconds * 1000) }
        guard reader.take(UInt8(ascii: "T")) || reader.take(UInt8(ascii: "t")) || reader.take(UInt8(ascii: " ")),
            let hour = reader.number(digits: 2), reader.take(UInt8(ascii: ":")),
            let minute = reader.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        seconds += hour * 3600 + minute * 60
        if reader.take(UInt8(ascii: ":")) {
            guard let second = reader.number(digits: 2), second <= 60 else { return nil }
            seconds += second
            if reader.take(UInt8(ascii: ".")) || reader.take(UInt8(ascii: ",")) {
                var scale: Int64 = 100
                var digits = 0
                while let digit = reader.digit() {
                    millis += digit * scale
                    scale /= 10
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if reader.take(UInt8(ascii: "Z")) || reader.take(UInt8(ascii: "z")) {
            // UTC
        } else if let sign = reader.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            reader.position += 1
            guard let offsetHours = reader.number(digits: 2), offsetHours < 24 else { return nil }
            _ = reader.take(UInt8(ascii: ":"))
            let offsetMinutes = reader.number(digits: 2) ?? 0
            guard offsetMinutes < 60 else { return nil }
            let offset = offsetHours * 3600 + offsetMinutes * 60
            seconds += sign == UInt8(ascii: "+") ? -offset : offset
        }
        guard reader.atEnd else { return nil }
        return checked(seconds * 1000 + millis)
    }

    /// Parses the classic Twitter form `Wed Oct 10 20:19:24 +0000 2018`.
    public static func parseTwitterClassic(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 30 else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let monthName = String(decoding: UnsafeBufferPointer(rebasing: text[4..<7]), as: UTF8.self)
        guard let monthIndex = months.firstIndex(of: monthName) else { return nil }
        var reader = DigitReader(bytes: text)
        reader.position = 8
        guard let day = reader.number(digits: 2), reader.take(UInt8(ascii: " ")),
            let hour = reader.number(digits: 2), reader.take(UInt8(ascii: ":")),
            let minute = reader.number(digits: 2), reader.take(UInt8(ascii: ":")),
            let second = reader.number(digits: 2), reader.take(UInt8(ascii: " ")),
            let sign = reader.peek()
        else { return nil }
        reader.position += 1
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let zoneHours = reader.number(digits: 2),
            let zoneMinutes = reader.number(digits: 2), reader.take(UInt8(ascii: " ")),
            let year = reader.number(digits: 4), reader.atEnd, zoneHours < 24, zoneMinutes < 60, hour < 24,
            minute < 60, second <= 60, isValidDate(year: year, month: Int64(monthIndex + 1), day: day)
        else { return nil }
        let offset = (zoneHours * 3600 + zoneMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        let seconds =
            daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day) * 86_400
            + hour * 3600 + minute * 60 + second - offset
        return checked(seconds * 1000)
    }

    /// Formats milliseconds as `2026-11-28T10:00:00.000Z`; a time outside ``supported`` is clamped to its
    /// nearest end (only computed times, such as a window's end, can lie there: parsed times never do).
    public static func format(millis unclamped: Int64) -> String {
        let millis = min(max(unclamped, supported.lowerBound), supported.upperBound)
        let (days, dayMillis) = floorDivide(millis, 86_400_000)
        let (year, month, day) = civilFromDays(days)
        let hour = dayMillis / 3_600_000
        let minute = dayMillis / 60_000 % 60
        let second = dayMillis / 1000 % 60
        let fraction = dayMillis % 1000
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: digits)
        }
        put(year, 4)
        bytes.append(0x2D)
        put(month, 2)
        bytes.append(0x2D)
        put(day, 2)
        bytes.append(0x54)
        put(hour, 2)
        bytes.append(0x3A)
        put(minute, 2)
        bytes.append(0x3A)
        put(second, 2)
        bytes.append(0x2E)
        put(fraction, 3)
        bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

/// A cursor over ASCII digits and punctuation.
private struct DigitReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    var atEnd: Bool { position == bytes.count }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard let byte = peek(), byte >= 0x30, byte <= 0x39 else { return nil }
        position += 1
        return Int64(byte - 0x30)
    }

    mutating func number(digits: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let next = digit() else { return nil }
            value = value * 10 + next
        }
        return value
    }
}
