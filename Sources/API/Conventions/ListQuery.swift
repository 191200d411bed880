import Domain
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPCore
import Primitives

/// The query of a list request (docs/api.md "Lists"): `limit` 1–200 (default 50), an opaque
/// `cursor`, a `sort` from the resource's set, and its filters. Anything unknown, repeated
/// or malformed is a 400 naming the parameter.
struct ListQuery {
    private var values: [String: String] = [:]
    let page: PageRequest

    init(_ request: Request, filters: Set<String>, sorts: [String: ListOrder], defaultSort: String) throws(Problem) {
        var values: [String: String] = [:]
        var errors: [Problem.FieldError] = []
        let allowed = filters.union(["limit", "cursor", "sort"])
        for (name, value) in try request.queryItems() {
            if !allowed.contains(name) {
                errors.append(.init(field: name, message: "is not a parameter of this list; allowed: \(allowed.sorted().joined(separator: ", "))"))
            } else if values[name] != nil {
                errors.append(.init(field: name, message: "is given more than once"))
            } else {
                values[name] = value
            }
        }
        if !errors.isEmpty { throw Problem.badRequest("bad_query", "The query has unknown or repeated parameters.", errors: errors) }
        var limit = 50
        if let text = values["limit"] {
            guard let number = Int(text), (1...200).contains(number) else {
                throw Problem.badRequest("bad_query", "limit must be an integer from 1 to 200.", errors: [.init(field: "limit", message: "must be 1–200")])
            }
            limit = number
        }
        let sortName = values["sort"] ?? defaultSort
        guard let sort = sorts[sortName] else {
            throw Problem.badRequest(
                "bad_query", "sort must be one of \(sorts.keys.sorted().joined(separator: ", ")).",
                errors: [.init(field: "sort", message: "must be one of \(sorts.keys.sorted().joined(separator: ", "))")])
        }
        var after: Keyset?
        if let cursor = values["cursor"] {
            after = try CursorCodec.decode(cursor, sort: sort)
        }
        self.values = values
        self.page = PageRequest(limit: limit, sort: sort, after: after)
    }

    private func bad(_ name: String, _ message: String) -> Problem {
        Problem.badRequest("bad_query", "\(name) \(message).", errors: [.init(field: name, message: message)])
    }

    /// The value as sent, for a service that checks it itself (a search query).
    func rawValue(_ name: String) -> String? {
        values[name]
    }

    func string(_ name: String) throws(Problem) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty, value.count <= 200 else { throw bad(name, "must be 1 to 200 characters") }
        return value
    }

    func id(_ name: String) throws(Problem) -> Int64? {
        guard let value = values[name] else { return nil }
        guard let number = Int64(value), number > 0 else { throw bad(name, "must be a positive integer id") }
        return number
    }

    func int(_ name: String, _ range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let value = values[name] else { return nil }
        guard let number = Int(value), range.contains(number) else { throw bad(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)") }
        return number
    }

    func bool(_ name: String) throws(Problem) -> Bool? {
        guard let value = values[name] else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default: throw bad(name, "must be true or false")
        }
    }

    func timestamp(_ name: String) throws(Problem) -> Date? {
        guard let value = values[name] else { return nil }
        guard let date = RFC3339.parse(value) else { throw bad(name, "must be an RFC 3339 timestamp like 2026-11-27T14:05:00Z") }
        return date
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(Problem) -> E? where E.RawValue == String {
        guard let value = values[name] else { return nil }
        guard let parsed = E(rawValue: value) else { throw bad(name, "must be one of " + E.allCases.map(\.rawValue).joined(separator: ", ")) }
        return parsed
    }
}

/// Query parameters of single-object routes (`allow_duplicate`): anything else is a 400.
enum FlagQuery {
    static func flags(_ request: Request, allowed: Set<String>) throws(Problem) -> [String: Bool] {
        var flags: [String: Bool] = [:]
        for (name, value) in try request.queryItems() {
            guard allowed.contains(name) else {
                throw Problem.badRequest("bad_query", "Unknown query parameter \(name).", errors: [.init(field: name, message: "is not a parameter here")])
            }
            guard flags[name] == nil else {
                throw Problem.badRequest("bad_query", "\(name) is given more than once.", errors: [.init(field: name, message: "is given more than once")])
            }
            switch value {
            case "true": flags[name] = true
            case "false": flags[name] = false
            default: throw Problem.badRequest("bad_query", "\(name) must be true or false.", errors: [.init(field: name, message: "must be true or false")])
            }
        }
        return flags
    }
}
