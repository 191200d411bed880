#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Collects field issues while a draft is checked, so one answer names every bad field.
/// Lengths count Unicode code points, as JSON Schema's `maxLength` does (not the grapheme
/// clusters `String.count` gives: "👍🏻" is one character to Swift and two to a client's schema).
public struct Validator {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    public mutating func add(_ field: String, _ message: String) {
        issues.append(FieldIssue(field, message))
    }

    /// Trims and checks a required text field. The length counts the text as sent, as the
    /// spec's `maxLength` does, before trimming. A `multiline` field (notes) may hold tabs and
    /// line breaks; no field holds other control characters.
    public mutating func required(_ field: String, _ value: String?, maxLength: Int, multiline: Bool = false) -> String {
        let text = value?.trimmingWhitespace() ?? ""
        if text.isEmpty {
            add(field, "is required and cannot be empty")
        } else if (value?.unicodeScalars.count ?? 0) > maxLength {
            add(field, "must be at most \(maxLength) characters")
        } else if let value, let message = Self.controlCharacterIssue(value, multiline: multiline) {
            add(field, message)
        }
        return Self.lineFeeds(text)
    }

    /// Trims an optional text field; empty text becomes null. The length counts the text as sent.
    public mutating func optional(_ field: String, _ value: String?, maxLength: Int, multiline: Bool = false) -> String? {
        if let value, value.unicodeScalars.count > maxLength {
            add(field, "must be at most \(maxLength) characters")
        } else if let value, let message = Self.controlCharacterIssue(value, multiline: multiline) {
            add(field, message)
        }
        guard let text = value?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return Self.lineFeeds(text)
    }

    /// Why `text` is refused for the control characters it holds (U+0000–U+001F, U+007F), or
    /// nil: a NUL in a name breaks every export and every C consumer downstream. A `multiline`
    /// text may hold tabs and line breaks (LF, or CR LF). The body reader asks this too, so a
    /// request is refused before its rules run, and a restore meets the same rule.
    public static func controlCharacterIssue(_ text: String, multiline: Bool) -> String? {
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte < 0x20 || byte == 0x7F else { continue }
            if multiline && (byte == 0x09 || byte == 0x0A || byte == 0x0D) {
                // A CR only as the first half of CR LF.
                if byte == 0x0D {
                    guard bytes.next() == 0x0A else { return "may not hold a carriage return outside CR LF" }
                }
                continue
            }
            return multiline
                ? "may not hold control characters other than tabs and line breaks"
                : "may not hold control characters (tabs and line breaks included)"
        }
        return nil
    }

    /// Text with every line break as LF. HTML forms send CR LF, vCards' quoted-printable
    /// `=0D=0A` decodes to it and old Macs wrote CR; stored as one kind, a note leaves every
    /// export (CSV, vCard, JSON) exactly as it is kept, since vCard has only `\n` for a break.
    public static func lineFeeds(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previousCR = false
        for byte in text.utf8 {
            if byte == 0x0D {
                bytes.append(0x0A)
                previousCR = true
                continue
            }
            if byte == 0x0A && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public mutating func range(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) {
        if let value, !range.contains(value) { add(field, "must be between \(range.lowerBound) and \(range.upperBound)") }
    }

    public mutating func email(_ field: String, _ value: String?) {
        guard let value else { return }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let valid = parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !value.contains(where: { $0.isWhitespace })
        if !valid { add(field, "must be an email address like name@example.com") }
    }

    /// An absolute http(s) URL with a host.
    public mutating func url(_ field: String, _ value: String?) {
        guard let value else { return }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            add(field, "must be an absolute http or https URL")
            return
        }
    }

    /// How far ahead of the server's clock a time of something that happened may be: the
    /// skew between a phone's clock and the server's.
    public static let clockSkew: TimeInterval = 5 * 60

    /// A time something happened (sent, completed, met) cannot be in the future.
    public mutating func notFuture(_ field: String, _ value: Date?, now: Date) {
        if let value, value > now.addingTimeInterval(Self.clockSkew) { add(field, "cannot be in the future (it says when something happened)") }
    }

    public mutating func date(_ field: String, _ value: String?) {
        if let value, !RFC3339.isValidDate(value) { add(field, "must be a date as YYYY-MM-DD") }
    }

    /// Throws every collected issue at once.
    public func finish() throws(DomainError) {
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}
