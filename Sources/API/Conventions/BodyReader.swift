#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Reads a JSON object body strictly (API.md): the content type must be JSON, unknown and
/// read-only members are refused with 400 naming them, and each member is read with its
/// type; type errors are collected and answered together as one 422.
struct BodyReader {
    /// Members no client may send: the server owns them.
    static let readOnly: Set<String> = ["id", "created_at", "updated_at", "version", "user_id"]

    /// The body's members in order (the parser refuses a name sent twice).
    private let members: [(String, JSONValue)]
    private var issues: [Problem.FieldError] = []

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
        var readOnly: [String] = []
        var unknown: [String] = []
        for (name, _) in pairs {
            if Self.readOnly.contains(name) || computed.contains(name) {
                readOnly.append(name)
            } else if !fields.contains(name) {
                unknown.append(name)
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

    private mutating func issue(_ field: String, _ message: String) {
        issues.append(Problem.FieldError(field: field, message: message))
    }

    /// A text member; null clears it.
    mutating func string(_ name: String) -> Patch<String> {
        guard let value = member(name) else { return .absent }
        switch value {
        case .null: return .null
        case .string(let text): return .value(text)
        default:
            issue(name, "must be a string")
            return .absent
        }
    }

    /// A text member that may not be null.
    mutating func requiredString(_ name: String) -> Patch<String> {
        let value = string(name)
        if value == .null { issue(name, "must not be null") }
        return value == .null ? .absent : value
    }

    mutating func int(_ name: String, nullable: Bool) -> Patch<Int> {
        guard let value = member(name) else { return .absent }
        switch value {
        case .null:
            if nullable { return .null }
            issue(name, "must not be null")
        case .int(let number) where number >= Int64(Int32.min) && number <= Int64(Int32.max):
            return .value(Int(number))
        default:
            issue(name, "must be an integer")
        }
        return .absent
    }

    /// The id of another object; null clears the reference.
    mutating func id(_ name: String) -> Patch<Int64> {
        guard let value = member(name) else { return .absent }
        switch value {
        case .null: return .null
        case .int(let number) where number > 0: return .value(number)
        default:
            issue(name, "must be a positive integer id")
            return .absent
        }
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
            strings.append(text)
        }
        return .value(strings)
    }

    mutating func idList(_ name: String) -> Patch<[Int64]> {
        guard let value = member(name) else { return .absent }
        guard case .array(let items) = value else {
            issue(name, value.isNull ? "must not be null; send [] to clear" : "must be an array of ids")
            return .absent
        }
        var ids: [Int64] = []
        for item in items {
            guard case .int(let number) = item, number > 0 else {
                issue(name, "must be an array of positive integer ids")
                return .absent
            }
            ids.append(number)
        }
        return .value(ids)
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable & Sendable & Equatable>(_ name: String, _ type: E.Type) -> Patch<E> where E.RawValue == String {
        guard let value = member(name) else { return .absent }
        if case .string(let text) = value, let parsed = E(rawValue: text) { return .value(parsed) }
        issue(name, "must be one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return .absent
    }

    /// Answers every type error at once.
    func finish() throws(Problem) {
        if !issues.isEmpty { throw Problem.validation(issues) }
    }
}
