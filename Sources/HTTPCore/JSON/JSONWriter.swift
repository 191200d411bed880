/// Writes JSON straight into UTF-8 bytes; much cheaper than Foundation's encoders
/// (BENCHMARKS.md measured ~14x on a 50-object page).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the container being written already holds a value, per nesting level.
    private var needsComma: [Bool] = [false]
    private var afterKey = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma[needsComma.count - 1] { bytes.append(0x2C) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func objectStart() {
        separate()
        bytes.append(0x7B)
        needsComma.append(false)
    }

    public mutating func objectEnd() {
        needsComma.removeLast()
        bytes.append(0x7D)
    }

    public mutating func arrayStart() {
        separate()
        bytes.append(0x5B)
        needsComma.append(false)
    }

    public mutating func arrayEnd() {
        needsComma.removeLast()
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
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while magnitude > 0 {
            digits.append(UInt8(truncatingIfNeeded: magnitude % 10) + 0x30)
            magnitude /= 10
        }
        if value < 0 { bytes.append(0x2D) }
        bytes.append(contentsOf: digits.reversed())
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
