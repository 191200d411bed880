import Primitives
/// Method + path-template routing over a trie of path segments. Templates look like
/// `/contacts/{id:int}` (`int` = positive integer, anything else a non-empty segment).
/// Build it once, then share it read-only.
public struct Router<Route: Sendable>: Sendable {
    public enum Match: Sendable {
        case found(Route, parameters: [String: String], label: String)
        /// The path exists but not for this method; `allowed` is sorted and includes HEAD
        /// wherever GET exists.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    enum ParameterKind: Sendable { case int, segment }

    final class Node: @unchecked Sendable {
        // Only mutated while the router is being built, before it is shared.
        var literals: [String: Node] = [:]
        var parameter: (name: String, kind: ParameterKind, node: Node)?
        var routes: [String: Route] = [:]
        var template = ""
        /// The template as the spec writes it (`{id}`), computed once for metrics.
        var label = ""
    }

    private let root = Node()
    /// Every template and its methods, in the order added (for the spec-drift test and `Allow`).
    public private(set) var registered: [(method: String, template: String)] = []

    public init() {}

    /// Adds a route; a template/method pair may be added once.
    public mutating func add(_ method: String, _ template: String, _ route: Route) {
        var node = root
        for segment in template.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let inner = segment.dropFirst().dropLast()
                let pieces = inner.split(separator: ":", maxSplits: 1)
                let name = String(pieces[0])
                let kind: ParameterKind = pieces.count > 1 && pieces[1] == "int" ? .int : .segment
                if let existing = node.parameter {
                    precondition(existing.name == name && existing.kind == kind, "conflicting parameter in \(template)")
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, kind, child)
                    node = child
                }
            } else {
                let key = String(segment)
                if let child = node.literals[key] {
                    node = child
                } else {
                    let child = Node()
                    node.literals[key] = child
                    node = child
                }
            }
        }
        precondition(node.routes[method] == nil, "duplicate route \(method) \(template)")
        node.routes[method] = route
        node.template = template
        node.label = template.split(separator: ":int}", omittingEmptySubsequences: false).joined(separator: "}")
        registered.append((method, template))
    }

    /// Finds the route for a method and a raw (percent-encoded) path.
    public func match(method: String, path: String) -> Match {
        guard let (node, parameters) = find(path: path), !node.routes.isEmpty else { return .notFound }
        if let route = node.routes[method] { return .found(route, parameters: parameters, label: node.label) }
        // RFC 9110 §9.3.2: HEAD is answered wherever GET is.
        if method == "HEAD", let route = node.routes["GET"] { return .found(route, parameters: parameters, label: node.label) }
        return .methodNotAllowed(allowed: Self.allowed(node))
    }

    /// The route added for `method` at `template` exactly as it was added (to wrap it under
    /// another prefix).
    public func route(method: String, template: String) -> Route? {
        var node = root
        for segment in template.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                guard let parameter = node.parameter else { return nil }
                node = parameter.node
            } else {
                guard let child = node.literals[String(segment)] else { return nil }
                node = child
            }
        }
        return node.template == template ? node.routes[method] : nil
    }

    /// The methods a path answers, or nil when no route has that path.
    public func allowedMethods(path: String) -> [String]? {
        guard let (node, _) = find(path: path), !node.routes.isEmpty else { return nil }
        return Self.allowed(node)
    }

    /// The spec-style template of the route at a path, for metrics without ids in them.
    public func label(path: String) -> String? {
        guard let (node, _) = find(path: path), !node.routes.isEmpty else { return nil }
        return node.label
    }

    /// The template that matched a path, for metrics and logs without ids in them.
    public func template(path: String) -> String? {
        find(path: path).map { $0.0.template }
    }

    private static func allowed(_ node: Node) -> [String] {
        var methods = Set(node.routes.keys)
        if methods.contains("GET") { methods.insert("HEAD") }
        methods.insert("OPTIONS")
        return methods.sorted()
    }

    private func find(path: String) -> (Node, [String: String])? {
        var node = root
        var parameters: [String: String] = [:]
        guard path.first == "/" else { return nil }
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        // "/" is the root; any other empty segment ("//", a trailing "/") matches nothing.
        if path == "/" { return (node, parameters) }
        for raw in segments {
            if raw.isEmpty { return nil }
            guard let segment = PercentDecoding.decode(Substring(raw), plusAsSpace: false) else { return nil }
            if let child = node.literals[segment] {
                node = child
                continue
            }
            guard let parameter = node.parameter else { return nil }
            if parameter.kind == .int {
                guard segment.utf8.count <= 18, segment.utf8.allSatisfy(HTTPSyntax.isDigit), let value = Int64(segment), value > 0 else {
                    return nil
                }
            }
            parameters[parameter.name] = segment
            node = parameter.node
        }
        return (node, parameters)
    }
}
