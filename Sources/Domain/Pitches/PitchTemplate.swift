import Primitives

/// A pitch body parsed into text and `{{placeholder}}` parts.
struct PitchTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case placeholder(String)
    }

    /// Every placeholder a pitch may use.
    static let known = [
        "contact.name", "contact.first_name", "contact.title", "contact.hook", "organization.name", "interest.name", "me.name", "me.headline",
    ]

    var parts: [Part] = []
    /// Placeholders that are not in `known`, in order of first use.
    var unknown: [String] = []
    /// A `{{` with no `}}` after it.
    var unclosed = false

    init(_ body: String) {
        var rest = Substring(body)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else {
                unclosed = true
                parts.append(.text(String(rest[open.lowerBound...])))
                return
            }
            let name = String(after[..<close.lowerBound]).trimmingWhitespace()
            parts.append(.placeholder(name))
            if !Self.known.contains(name) && !unknown.contains(name) { unknown.append(name) }
            rest = after[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
    }

    /// The problem with the template, for a 422 on `body`; nil when it is sound.
    var problem: String? {
        if !unknown.isEmpty {
            return "unknown placeholder\(unknown.count > 1 ? "s" : "") "
                + unknown.map { "{{\($0)}}" }.joined(separator: ", ") + "; known: " + Self.known.joined(separator: ", ")
        }
        if unclosed { return "has a {{ without a closing }}" }
        return nil
    }
}
