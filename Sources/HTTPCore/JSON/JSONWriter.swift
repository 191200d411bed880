#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// Writes JSON straight into UTF-8 bytes; much cheaper than Foundation's encoders
/// (bench/README.md measured ~14x on a 50-object page).
///
/// The bytes live in a buffer the writer manages itself: an `Array` checked uniqueness and
/// capacity on every appended byte, which was a third of the cost of a 50-contact page.
/// A writer is used by one owner and not copied (copies would share the buffer).
public struct JSONWriter: @unchecked Sendable {
    // Sendable so a finished writer can cross threads; it is written by one thread at a time
    // (its owner), and copies, which would share `buffer`, are not made.
    private let buffer: ByteBuffer
    /// Whether the container being written already holds a value, one bit per nesting level
    /// (bit 0 is the innermost); a bit stack avoids an array's allocation and uniqueness checks.
    private var commaBits: UInt64 = 0
    /// Levels deeper than 63 keep their comma state here (rare: bodies are limited to 64).
    private var overflow: [Bool] = []
    private var depth = 0
    private var afterKey = false

    public init(capacity: Int = 256) {
        buffer = ByteBuffer(capacity: capacity)
    }

    /// The JSON written so far.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if commaBits & 1 != 0 { buffer.append(0x2C) }
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
        buffer.append(0x7B)
        push()
    }

    public mutating func objectEnd() {
        pop()
        buffer.append(0x7D)
    }

    public mutating func arrayStart() {
        separate()
        buffer.append(0x5B)
        push()
    }

    public mutating func arrayEnd() {
        pop()
        buffer.append(0x5D)
    }

    public mutating func key(_ name: String) {
        separate()
        writeString(name)
        buffer.append(0x3A)
        afterKey = true
    }

    /// A key known at compile time, written without escaping: it must be plain ASCII
    /// without quotes, backslashes or control characters (every API field name is).
    public mutating func key(_ name: StaticString) {
        separate()
        let length = name.utf8CodeUnitCount
        buffer.reserve(length + 3)
        let out = buffer.base + buffer.count
        out[0] = 0x22
        (out + 1).update(from: name.utf8Start, count: length)
        out[length + 1] = 0x22
        out[length + 2] = 0x3A
        buffer.count += length + 3
        afterKey = true
    }

    public mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        separate()
        let negative = value < 0
        var magnitude = UInt64(truncatingIfNeeded: value.magnitude)
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let length = digits + (negative ? 1 : 0)
        buffer.reserve(length)
        let out = buffer.base + buffer.count
        if negative { out[0] = 0x2D }
        var position = length - 1
        repeat {
            out[position] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
            position -= 1
        } while magnitude > 0
        buffer.count += length
    }

    public mutating func double(_ value: Double) {
        separate()
        // JSON has no NaN or infinity; null is the only faithful rendering.
        guard value.isFinite else {
            buffer.append("null")
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            buffer.append(String(Int64(value)))
        } else {
            buffer.append("\(value)")
        }
    }

    /// An RFC 3339 UTC timestamp to the second (`"2026-11-27T14:05:00Z"`).
    public mutating func timestamp(_ date: Date) {
        separate()
        var text: [UInt8] = []
        text.reserveCapacity(22)
        text.append(0x22)
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        guard RFC3339.append(millisecondsSince1970: seconds &* 1000, fraction: false, to: &text) else {
            buffer.append("null")
            return
        }
        text.append(0x22)
        text.withUnsafeBufferPointer { buffer.append($0) }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        buffer.append(value ? "true" : "false")
    }

    public mutating func null() {
        separate()
        buffer.append("null")
    }

    /// Appends bytes that already form one JSON value.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        json.withUnsafeBufferPointer { buffer.append($0) }
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

    /// A string from UTF-8 bytes (a column's text, read in place). Bytes that are not valid
    /// UTF-8 are repaired exactly as `String(decoding:as:)` repairs them.
    public mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        separate()
        if Self.isASCII(bytes) {
            writeEscaped(bytes)
        } else {
            writeString(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A timestamp stored as `YYYY-MM-DDTHH:MM:SS.mmmZ`, written to the second by copying its
    /// digits; false (nothing written) when the text has another shape.
    public mutating func timestamp(storedText text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 24, text[4] == 0x2D, text[7] == 0x2D, text[10] == 0x54, text[13] == 0x3A, text[16] == 0x3A,
              text[19] == 0x2E, text[23] == 0x5A
        else { return false }
        for index in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] where text[index] < 0x30 || text[index] > 0x39 { return false }
        separate()
        buffer.reserve(22)
        let out = buffer.base + buffer.count
        out[0] = 0x22
        if let base = text.baseAddress { (out + 1).update(from: base, count: 19) }
        out[20] = 0x5A
        out[21] = 0x22
        buffer.count += 22
        return true
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        while index + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    private mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { writeEscaped($0) }
    }

    /// Writes valid UTF-8 as a quoted JSON string, escaping what JSON requires.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        do {
            let raw = UnsafeRawBufferPointer(utf8)
            let count = utf8.count
            // Room for the text and its quotes; escapes reserve more as they come.
            buffer.reserve(count + 2)
            buffer.append(0x22)
            var runStart = 0
            var index = 0
            while index < count {
                // Eight bytes at a time: most text has nothing to escape.
                if index + 8 <= count {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if !Self.mayNeedEscape(word) {
                        index += 8
                        continue
                    }
                }
                let byte = utf8[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                    index += 1
                    continue
                }
                if runStart < index { buffer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                index += 1
                runStart = index
                switch byte {
                case 0x22: buffer.append(0x5C, 0x22)
                case 0x5C: buffer.append(0x5C, 0x5C)
                case 0x0A: buffer.append(0x5C, 0x6E)
                case 0x0D: buffer.append(0x5C, 0x72)
                case 0x09: buffer.append(0x5C, 0x74)
                default:
                    buffer.append(0x5C, 0x75)
                    buffer.append(0x30, 0x30)
                    buffer.append(Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)])
                }
            }
            if runStart < count { buffer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<count])) }
            buffer.append(0x22)
        }
    }

    /// Whether any byte of `word` is below 0x20, a quote or a backslash. May report a false
    /// positive (the byte loop then decides), never a false negative.
    @inline(__always)
    private static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let below = (word &- ones &* 0x20) & ~word & highs
        return below != 0 || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C))
    }
}

/// A growable byte buffer without Array's per-append checks; owned by one JSONWriter.
private final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private func grow(to needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        base[count] = first
        base[count + 1] = second
        count += 2
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }
}
