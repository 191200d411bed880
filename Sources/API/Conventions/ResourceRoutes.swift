import Domain
import HTTPCore
import Primitives

/// The five routes every resource has, wired once: `GET` and `POST` on the collection,
/// `GET`, `PATCH` and `DELETE` on one object, with ETags, conditional requests, `Location`,
/// strict query flags and the list contract. A resource supplies only what differs.
struct ResourceRoutes<Item: Sendable, Draft: Sendable>: Sendable {
    /// The collection path, e.g. `/contacts`.
    var path: String
    /// Query flags the writes accept (`allow_duplicate`); anything else is a 400.
    var writeFlags: Set<String> = []
    var id: @Sendable (Item) -> Int64
    var version: @Sendable (Item) -> Int64
    var write: @Sendable (Item, inout JSONWriter) -> Void
    /// Reads the body of POST and PATCH.
    var draft: @Sendable (Request) throws -> Draft
    var list: @Sendable (Request, Principal) throws -> Response
    /// Validates, then hands the insert to the writer thread (the route answers when it commits).
    var create: @Sendable (_ userID: Int64, Draft, _ flags: [String: Bool]) throws -> Future<Item>
    var get: @Sendable (_ userID: Int64, _ id: Int64) throws -> Item
    /// Hands the update to the writer thread, which checks the precondition against the stored version.
    var update: @Sendable (_ userID: Int64, _ id: Int64, Draft, VersionPrecondition, _ flags: [String: Bool]) throws -> Future<Item>
    var delete: @Sendable (_ userID: Int64, _ id: Int64, VersionPrecondition) throws -> Future<Void>

    func register(on router: inout Router<Route>, _ auth: Authenticator) {
        let resource = self
        router.add("GET", path, auth.route(resource.list))
        router.add("POST", path, auth.route(inline: true) { request, principal in
            let flags = try FlagQuery.flags(request, allowed: resource.writeFlags)
            let created = try resource.create(principal.userID, try resource.draft(request), flags)
            return .later(created) { item in
                Reply.object(resource.version(item), status: 201, location: "\(resource.path)/\(resource.id(item))") { resource.write(item, &$0) }
            }
        })
        let one = path + "/{id:int}"
        router.add("GET", one, auth.route(inline: true) { request, principal in
            let item = try resource.get(principal.userID, try request.intParameter("id"))
            return Reply.get(request, version: resource.version(item)) { resource.write(item, &$0) }
        })
        // Writes run like creates: parsed and checked here, applied by the writer thread, answered after the commit.
        router.add("PATCH", one, auth.route(inline: true) { request, principal in
            let flags = try FlagQuery.flags(request, allowed: resource.writeFlags)
            let updated = try resource.update(
                principal.userID, try request.intParameter("id"), try resource.draft(request), Conditional.precondition(request), flags)
            return .later(updated) { item in Reply.object(resource.version(item)) { resource.write(item, &$0) } }
        })
        router.add("DELETE", one, auth.route(inline: true) { request, principal in
            let deleted = try resource.delete(principal.userID, try request.intParameter("id"), Conditional.precondition(request))
            return .later(deleted) { _ in Reply.noContent }
        })
    }
}
