import Domain
import HTTPCore
import Primitives

/// The five routes every resource has, wired once: `GET` and `POST` on the collection,
/// `GET`, `PATCH` and `DELETE` on one object, with ETags, conditional requests, `Location`,
/// strict query flags and the list contract. A resource supplies only what differs: its body,
/// its list filters, its JSON and its service (Domain's `ResourceService`).
struct ResourceRoutes<Item: Sendable, Draft: Sendable>: Sendable {
    /// The collection path, e.g. `/contacts`.
    var path: String
    /// Query flags the writes accept (`allow_duplicate`); anything else is a 400.
    var writeFlags: Set<String> = []
    /// A larger body limit for POST and PATCH (nil: the server's).
    var bodyLimit: Int?
    var id: @Sendable (Item) -> Int64
    var version: @Sendable (Item) -> Int64
    var write: @Sendable (Item, inout JSONWriter) -> Void
    /// Reads the body of POST and PATCH.
    var draft: @Sendable (Request) throws -> Draft
    var list: @Sendable (Request, Principal) throws -> Response
    /// Get, create, update and delete: validation at once, writes answered after their commit.
    var service: ResourceService<Item, Draft>

    /// How the flags become write options.
    static func options(_ flags: [String: Bool]) -> WriteOptions {
        WriteOptions(allowDuplicate: flags["allow_duplicate"] ?? false)
    }

    func register(on router: inout Router<Route>, _ auth: Authenticator) {
        let resource = self
        router.add("GET", path, auth.route(.worker, resource.list))
        router.add("POST", path, auth.route(.handOff, bodyLimit: bodyLimit) { request, principal in
            let flags = try FlagQuery.flags(request, allowed: resource.writeFlags)
            let created = try resource.service.create(userID: principal.userID, draft: try resource.draft(request), options: Self.options(flags))
            return .later(created) { item in
                Reply.object(resource.version(item), status: 201, location: "\(resource.path)/\(resource.id(item))") { resource.write(item, &$0) }
            }
        })
        let one = path + "/{id:int}"
        router.add("GET", one, auth.route(.pointRead) { request, principal in
            let item = try resource.service.get(userID: principal.userID, id: try request.intParameter("id"))
            return try Reply.get(request, version: resource.version(item)) { resource.write(item, &$0) }
        })
        // Writes run like creates: parsed and checked here, applied by the writer thread, answered after the commit.
        router.add("PATCH", one, auth.route(.handOff, bodyLimit: bodyLimit) { request, principal in
            let flags = try FlagQuery.flags(request, allowed: resource.writeFlags)
            let updated = resource.service.update(
                userID: principal.userID, id: try request.intParameter("id"), draft: try resource.draft(request),
                precondition: try Conditional.precondition(request), options: Self.options(flags))
            return .later(updated) { item in Reply.object(resource.version(item)) { resource.write(item, &$0) } }
        })
        router.add("DELETE", one, auth.route(.handOff) { request, principal in
            let deleted = resource.service.delete(userID: principal.userID, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return .later(deleted) { _ in Reply.noContent }
        })
    }
}
