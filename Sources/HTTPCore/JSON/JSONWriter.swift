import Foundation

/// Writes JSON straight into UTF-8 bytes; much cheaper than Foundation's encoders
/// (BENCHMARKS.md measured ~14x on a 50-object page).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the container being written already holds a value, one bit per nesting level
    /// (bit 0 is the innermost); a bit stack avoids an array's allocation and uniqueness checks.
    private var commaBits: UInt64 = 0
    /// Levels deeper than 63 keep their comma state here (rare: bodies are limited to 64).
    private var overflow: [Bool] = []
    private var depth = 0
    private var afterKey = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if commaBits & 1 != 0 { bytes.append(0x2C) }
        commaBits |= 1
    }

    private mutating func push() {
        if depth >= 63 { overflow.append(commaBits >> 63 != 0) }
        commaBits <<= 1
        depth += 1
    }

    private mutating func pop() {
        guard depth > 0 else { return }
        depth -= 1
        commaBits >>= 1
        if depth >= 63, let top = overflow.popLast(), top { commaBits |= 1 << 63 }
    }

    public mutating func objectStart() {
        separate()
        bytes.append(0x7B)
        push()
    }

    public mutating func objectEnd() {
        pop()
        bytes.append(0x7D)
    }

    public mutating func arrayStart() {
        separate()
        bytes.append(0x5B)
        push()
    }

    public mutating func arrayEnd() {
        pop()
        bytes.append(0x5D)
    }

    public mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(0x3A)
        afterKey = true
    }

    public mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        separate()
        if value == 0 {
            bytes.append(0x30)
            return
        }
        if value < 0 { bytes.append(0x2D) }
        // Digits go in place, then are reversed: no temporary array.
        var magnitude = UInt64(truncatingIfNeeded: value.magnitude)
        let start = bytes.count
        while magnitude > 0 {
            bytes.append(UInt8(truncatingIfNeeded: magnitude % 10) + 0x30)
            magnitude /= 10
        }
        bytes[start...].reverse()
    }

    public mutating func double(_ value: Double) {
        separate()
        // JSON has no NaN or infinity; null is the only faithful rendering.
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: "\(value)".utf8)
        }
    }

    /// An RFC 3339 UTC timestamp to the second (`"2026-11-27T14:05:00Z"`), formatted with
    /// integer arithmetic: this runs for every timestamp of every listed object.
    public mutating func timestamp(_ date: Date) {
        separate()
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        var days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        // Howard Hinnant's civil_from_days.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        guard (0...9999).contains(year) else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        func two(_ value: Int) {
            bytes.append(UInt8(0x30 + value / 10))
            bytes.append(UInt8(0x30 + value % 10))
        }
        bytes.append(0x22)
        two(year / 100)
        two(year % 100)
        bytes.append(0x2D)
        two(month)
        bytes.append(0x2D)
        two(day)
        bytes.append(0x54)
        two(secondOfDay / 3600)
        bytes.append(0x3A)
        two(secondOfDay / 60 % 60)
        bytes.append(0x3A)
        two(secondOfDay % 60)
        bytes.append(0x5A)
        bytes.append(0x22)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Appends bytes that already form one JSON value.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items):
            arrayStart()
            for item in items { self.value(item) }
            arrayEnd()
        case .object(let members):
            objectStart()
            for (name, member) in members {
                key(name)
                self.value(member)
            }
            objectEnd()
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ value: String) {
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                runStart = index + 1
                switch byte {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                default:
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
        }
        bytes.append(0x22)
    }
}
