#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Reads a JSON object body strictly (docs/api.md): the content type must be JSON, unknown and
/// read-only members are refused with 400 naming them, and each member is read with its
/// type; type errors are collected and answered together as one 422. Nested objects and
/// arrays of objects are read by readers of their own that name fields by their path
/// (`referrals[0].contact.email`) and report into the same answer.
struct BodyReader {
    /// Members no client may send: the server owns them.
    static let readOnly: Set<String> = ["id", "created_at", "updated_at", "version", "user_id"]

    /// Type errors of a body and every object nested in it, answered together by `finish`.
    private final class IssueLog {
        var issues: [Problem.FieldError] = []
    }

    /// The object's members in order (the parser refuses a name sent twice).
    private let members: [(String, JSONValue)]
    /// Where this object sits in the body: "" for the body itself, else e.g. `referrals[0].contact`.
    private let path: String
    private let log: IssueLog

    /// - Parameters:
    ///   - fields: the writable members.
    ///   - computed: members that appear in responses but are the server's (read-only too).
    init(_ request: Request, fields: Set<String>, computed: Set<String> = []) throws(Problem) {
        guard Self.isJSON(request.headers["content-type"]) else {
            throw Problem(
                status: 415, code: "unsupported_media_type",
                detail: "Send the body as application/json (or application/merge-patch+json for PATCH).",
                headers: [("Accept-Patch", "application/merge-patch+json, application/json")])
        }
        guard !request.body.isEmpty else { throw Problem.badRequest("empty_body", "The request needs a JSON object body.") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw Problem.badRequest("malformed_json", "The body is not valid JSON: \(error.message) at byte \(error.offset).")
        }
        guard case .object(let pairs) = value else {
            throw Problem.badRequest("body_not_object", "The body must be a JSON object.")
        }
        try self.init(pairs, path: "", fields: fields, computed: computed, log: IssueLog())
    }

    /// A reader of one object of the body; its unknown and read-only members are refused by path.
    private init(_ pairs: [(String, JSONValue)], path: String, fields: Set<String>, computed: Set<String>, log: IssueLog) throws(Problem) {
        self.path = path
        self.log = log
        var readOnly: [String] = []
        var unknown: [String] = []
        for (name, _) in pairs {
            let field = path.isEmpty ? name : path + "." + name
            if Self.readOnly.contains(name) || computed.contains(name) {
                readOnly.append(field)
            } else if !fields.contains(name) {
                unknown.append(field)
            }
        }
        if !readOnly.isEmpty {
            throw Problem.badRequest(
                "read_only_fields", "These fields are set by the server and cannot be written: \(readOnly.joined(separator: ", ")).",
                errors: readOnly.map { Problem.FieldError(field: $0, message: "is read-only") })
        }
        if !unknown.isEmpty {
            throw Problem.badRequest(
                "unknown_fields", "Unknown fields: \(unknown.joined(separator: ", ")).",
                errors: unknown.map { Problem.FieldError(field: $0, message: "is not a field of this resource") })
        }
        members = pairs
    }

    /// `application/json` or `application/merge-patch+json`, parameters (charset) aside.
    private static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        // The usual spelling, without splitting and lowercasing.
        if contentType == "application/json" { return true }
        let type = contentType.split(separator: ";").first?.trimmingHTTPWhitespace().lowercased()
        return type == "application/json" || type == "application/merge-patch+json"
    }

    /// A member's value; bodies are small, so a scan beats hashing every name.
    private func member(_ name: String) -> JSONValue? {
        members.first { $0.0 == name }?.1
    }

    /// A member's name as errors show it: its path in the body.
    private func fieldPath(_ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    private func issue(_ field: String, _ message: String) {
        log.issues.append(Problem.FieldError(field: fieldPath(field), message: message))
    }

    /// Reports a rule between members (one of two required), answered with the type errors.
    func reject(_ field: String, _ message: String) {
        issue(field, message)
    }

    /// Whether the member is sent as null.
    /// A string member as sent (nil when absent or null); any other type is reported.
    func rawString(_ name: String) -> String? {
        guard let value = member(name), !value.isNull else { return nil }
        guard case .string(let text) = value else {
            issue(name, "must be a string")
            return nil
        }
        return text
    }

    /// A string member that may be absent but never null (passwords, codes); nil when absent.
    func nonNullString(_ name: String) -> String? {
        if isNull(name) {
            issue(name, "must be a string, not null")
            return nil
        }
        return rawString(name)
    }

    /// Whether the body has the member at all (null included).
    func has(_ name: String) -> Bool {
        member(name) != nil
    }

    func isNull(_ name: String) -> Bool {
        member(name)?.isNull ?? false
    }

    /// A text member; null clears it. Control characters are refused as the rules refuse them
    /// (`Validator.controlCharacterIssue`), before any rule runs.
    mutating func string(_ name: String, multiline: Bool = false) -> Patch<String> {
        guard let value = member(name) else { return .absent }
        switch value {
        case .null: return .null
        case .string(let text):
            if let message = Self.controlCharacterIssue(text, multiline: multiline) {
                issue(name, message)
                return .absent
            }
            return .value(text)
        default:
            issue(name, "must be a string")
            return .absent
        }
    }

    /// Why `text` is refused for the control characters it holds, or nil: the rules' own answer.
    static func controlCharacterIssue(_ text: String, multiline: Bool) -> String? {
        Validator.controlCharacterIssue(text, multiline: multiline)
    }

    /// A text member that may not be null.
    mutating func requiredString(_ name: String) -> Patch<String> {
        let value = string(name)
        if value == .null { issue(name, "must not be null") }
        return value == .null ? .absent : value
    }

    /// A JSON number with an integral value: JSON Schema counts `2.0` and `1e2` as integers
    /// too, so clients that write them must not be refused; `2.5` is not one.
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 9.007_199_254_740_992e15: return Int64(number)
        default: return nil
        }
    }

    mutating func int(_ name: String, nullable: Bool) -> Patch<Int> {
        guard let value = member(name) else { return .absent }
        if value.isNull {
            if nullable { return .null }
            issue(name, "must not be null")
            return .absent
        }
        guard let number = Self.integer(value), number >= Int64(Int32.min), number <= Int64(Int32.max) else {
            issue(name, "must be an integer")
            return .absent
        }
        return .value(Int(number))
    }

    /// The id of another object; null clears the reference.
    mutating func id(_ name: String) -> Patch<Int64> {
        guard let value = member(name) else { return .absent }
        if value.isNull { return .null }
        guard let number = Self.integer(value), number > 0 else {
            issue(name, "must be a positive integer id")
            return .absent
        }
        return .value(number)
    }

    mutating func bool(_ name: String) -> Patch<Bool> {
        guard let value = member(name) else { return .absent }
        if case .bool(let flag) = value { return .value(flag) }
        issue(name, value.isNull ? "must not be null" : "must be true or false")
        return .absent
    }

    mutating func stringList(_ name: String) -> Patch<[String]> {
        guard let value = member(name) else { return .absent }
        guard case .array(let items) = value else {
            issue(name, value.isNull ? "must not be null; send [] to clear" : "must be an array of strings")
            return .absent
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                issue(name, "must be an array of strings")
                return .absent
            }
            if let message = Self.controlCharacterIssue(text, multiline: false) {
                issue(name, message)
                return .absent
            }
            strings.append(text)
        }
        return .value(strings)
    }

    mutating func intList(_ name: String) -> Patch<[Int]> {
        guard let value = member(name) else { return .absent }
        guard case .array(let items) = value else {
            issue(name, value.isNull ? "must not be null" : "must be an array of integers")
            return .absent
        }
        var numbers: [Int] = []
        for item in items {
            guard let number = Self.integer(item), let small = Int(exactly: number) else {
                issue(name, "must be an array of integers")
                return .absent
            }
            numbers.append(small)
        }
        return .value(numbers)
    }

    mutating func idList(_ name: String) -> Patch<[Int64]> {
        guard let value = member(name) else { return .absent }
        guard case .array(let items) = value else {
            issue(name, value.isNull ? "must not be null; send [] to clear" : "must be an array of ids")
            return .absent
        }
        var ids: [Int64] = []
        for item in items {
            guard let number = Self.integer(item), number > 0 else {
                issue(name, "must be an array of positive integer ids")
                return .absent
            }
            ids.append(number)
        }
        return .value(ids)
    }

    /// One of an enumeration's values; null clears it only when `nullable`.
    mutating func enumeration<E: RawRepresentable & CaseIterable & Sendable & Equatable>(
        _ name: String, _ type: E.Type, nullable: Bool = false
    ) -> Patch<E> where E.RawValue == String {
        guard let value = member(name) else { return .absent }
        if nullable && value.isNull { return .null }
        if case .string(let text) = value, let parsed = E(rawValue: text) { return .value(parsed) }
        issue(name, "must be one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return .absent
    }

    /// An RFC 3339 timestamp with a time zone (`2026-11-27T14:05:00Z`); null clears it.
    mutating func timestamp(_ name: String) -> Patch<Date> {
        guard let value = member(name) else { return .absent }
        switch value {
        case .null: return .null
        case .string(let text):
            if let date = RFC3339.parse(text) { return .value(date) }
        default: break
        }
        issue(name, "must be an RFC 3339 timestamp like 2026-11-27T14:05:00Z")
        return .absent
    }

    /// A nested object, read by a reader of its own; nil when absent or null (a type error is
    /// reported and nil returned too).
    mutating func object(_ name: String, fields: Set<String>, computed: Set<String> = []) throws(Problem) -> BodyReader? {
        guard let value = member(name), !value.isNull else { return nil }
        guard case .object(let pairs) = value else {
            issue(name, "must be an object")
            return nil
        }
        return try BodyReader(pairs, path: fieldPath(name), fields: fields, computed: computed, log: log)
    }

    /// An array of objects, each read by a reader of its own named `name[i]`; nil when absent.
    mutating func objects(_ name: String, fields: Set<String>, computed: Set<String> = [], maxCount: Int = 100) throws(Problem) -> [BodyReader]? {
        guard let value = member(name) else { return nil }
        guard case .array(let items) = value else {
            issue(name, value.isNull ? "must not be null; send [] for none" : "must be an array of objects")
            return nil
        }
        guard items.count <= maxCount else {
            issue(name, "must hold at most \(maxCount) items")
            return nil
        }
        var readers: [BodyReader] = []
        for (index, item) in items.enumerated() {
            let itemPath = fieldPath(name) + "[\(index)]"
            guard case .object(let pairs) = item else {
                log.issues.append(Problem.FieldError(field: itemPath, message: "must be an object"))
                continue
            }
            readers.append(try BodyReader(pairs, path: itemPath, fields: fields, computed: computed, log: log))
        }
        return readers
    }

    /// Answers every type error, of this object and every one nested in it, at once.
    func finish() throws(Problem) {
        if !log.issues.isEmpty { throw Problem.validation(log.issues) }
    }
}
