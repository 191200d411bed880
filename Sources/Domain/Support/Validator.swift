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
    /// spec's `maxLength` does, before trimming.
    public mutating func required(_ field: String, _ value: String?, maxLength: Int) -> String {
        let text = value?.trimmingWhitespace() ?? ""
        if text.isEmpty {
            add(field, "is required and cannot be empty")
        } else if (value?.unicodeScalars.count ?? 0) > maxLength {
            add(field, "must be at most \(maxLength) characters")
        }
        return text
    }

    /// Trims an optional text field; empty text becomes null. The length counts the text as sent.
    public mutating func optional(_ field: String, _ value: String?, maxLength: Int) -> String? {
        if let value, value.unicodeScalars.count > maxLength { add(field, "must be at most \(maxLength) characters") }
        guard let text = value?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
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

    public mutating func date(_ field: String, _ value: String?) {
        if let value, !RFC3339.isValidDate(value) { add(field, "must be a date as YYYY-MM-DD") }
    }

    /// Throws every collected issue at once.
    public func finish() throws(DomainError) {
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}
