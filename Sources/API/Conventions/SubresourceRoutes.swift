import Domain
import HTTPCore
import Primitives

/// Objects a parent owns, with ids of their own (`/meetings/{id}/questions`,
/// `/meetings/{id}/questions/{item_id}`): the same five routes, ETags, conditional writes and
/// `Location` as a top-level resource. The handlers get the parent's id and answer 404 when the
/// parent is not the caller's, exactly as for an unknown one.
struct SubresourceRoutes<Item: Sendable, Draft: Sendable>: Sendable {
    /// The parent collection, e.g. `/meetings`.
    var parentPath: String
    /// The sub-collection's name, e.g. `questions`.
    var name: String
    var id: @Sendable (Item) -> Int64
    var version: @Sendable (Item) -> Int64
    var write: @Sendable (Item, inout JSONWriter) -> Void
    /// Reads the body of POST and PATCH.
    var draft: @Sendable (Request) throws -> Draft
    /// The items under one parent, as a list page.
    var list: @Sendable (Request, Principal, _ parentID: Int64) throws -> Response
    var get: @Sendable (_ userID: Int64, _ parentID: Int64, _ id: Int64) throws -> Item
    var create: @Sendable (_ userID: Int64, _ parentID: Int64, Draft) throws -> Future<Item>
    var update: @Sendable (_ userID: Int64, _ parentID: Int64, _ id: Int64, Draft, VersionPrecondition) throws -> Future<Item>
    var delete: @Sendable (_ userID: Int64, _ parentID: Int64, _ id: Int64, VersionPrecondition) throws -> Future<Void>

    func register(on router: inout Router<Route>, _ auth: Authenticator) {
        let routes = self
        let collection = "\(parentPath)/{id:int}/\(name)"
        let one = collection + "/{item_id:int}"
        router.add("GET", collection, auth.route { request, principal in
            try routes.list(request, principal, try request.intParameter("id"))
        })
        router.add("POST", collection, auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let parentID = try request.intParameter("id")
            let created = try routes.create(principal.userID, parentID, try routes.draft(request))
            return .later(created) { item in
                Reply.object(routes.version(item), status: 201, location: "\(routes.parentPath)/\(parentID)/\(routes.name)/\(routes.id(item))") {
                    routes.write(item, &$0)
                }
            }
        })
        router.add("GET", one, auth.route(.pointRead) { request, principal in
            let item = try routes.get(principal.userID, try request.intParameter("id"), try request.intParameter("item_id"))
            return try Reply.get(request, version: routes.version(item)) { routes.write(item, &$0) }
        })
        router.add("PATCH", one, auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let updated = try routes.update(
                principal.userID, try request.intParameter("id"), try request.intParameter("item_id"), try routes.draft(request),
                try Conditional.precondition(request))
            return .later(updated) { item in Reply.object(routes.version(item)) { routes.write(item, &$0) } }
        })
        router.add("DELETE", one, auth.route(.handOff) { request, principal in
            let deleted = try routes.delete(
                principal.userID, try request.intParameter("id"), try request.intParameter("item_id"), try Conditional.precondition(request))
            return .later(deleted) { _ in Reply.noContent }
        })
    }
}

/// An action on one object that is not CRUD (docs/api.md): `POST /meetings/{id}/complete`. It answers
/// 200 with the object as it now is. The body is optional (none, or a JSON object of `fields`),
/// `If-Match` applies, and the service decides whether the object's state allows the action
/// (409 `illegal_transition` when not).
struct ActionRoute<Item: Sendable>: Sendable {
    /// The collection, e.g. `/meetings`.
    var path: String
    /// The action, e.g. `complete`.
    var verb: String
    /// The members the body may carry; an empty set means the action takes no body.
    var fields: Set<String> = []
    /// A larger body limit for actions that carry much (nil: the server's).
    var bodyLimit: Int?
    var version: @Sendable (Item) -> Int64
    var write: @Sendable (Item, inout JSONWriter) -> Void
    /// Runs the action; `body` is nil when the request has none.
    var perform: @Sendable (_ userID: Int64, _ id: Int64, _ body: inout BodyReader?, VersionPrecondition) throws -> Future<Item>

    static func isEmptyObject(_ body: [UInt8]) -> Bool {
        let significant = body.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return significant == [UInt8(ascii: "{"), UInt8(ascii: "}")]
    }

    func register(on router: inout Router<Route>, _ auth: Authenticator) {
        let action = self
        router.add("POST", "\(path)/{id:int}/\(verb)", auth.route(.handOff, bodyLimit: bodyLimit) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body: BodyReader?
            // `{}` is an empty body: many clients send it with every POST.
            if !request.body.isEmpty && !Self.isEmptyObject(request.body) {
                guard !action.fields.isEmpty else {
                    throw Problem.badRequest("unexpected_body", "\(action.verb) takes no body.")
                }
                body = try BodyReader(request, fields: action.fields)
            }
            let done = try action.perform(principal.userID, try request.intParameter("id"), &body, try Conditional.precondition(request))
            return .later(done) { item in Reply.object(action.version(item)) { action.write(item, &$0) } }
        })
    }
}
