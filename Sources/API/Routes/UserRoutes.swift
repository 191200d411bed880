#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore

/// `/users` and `/invites`: accounts managed by a centre's owners and admins.
enum UserRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let accounts = context.accounts

        router.add("GET", "/users", auth.route { request, principal in
            let query = try ListQuery(request, filters: ["role", "disabled"], sorts: AccountService.userSorts, defaultSort: "name")
            let page = try accounts.listUsers(principal, role: try query.enumeration("role", Role.self), disabled: try query.bool("disabled"), page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("POST", "/users", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["name", "role", "password"], computed: ["disabled", "has_password", "display_name", "headline", "time_zone"])
            let name = body.nonNullString("name")
            if !body.has("name") { body.reject("name", "is required") }
            let role = body.enumeration("role", Role.self)
            let password = body.nonNullString("password")
            try body.finish()
            let created = accounts.createUser(principal, name: name ?? "", role: role.applied(to: nil) ?? .member, password: password)
            return .later(created) { user in
                Reply.object(user.version, status: 201, location: "/users/\(user.id)") { ResourceJSON.write(user, &$0) }
            }
        })

        router.add("GET", "/users/{id:int}", auth.route(.pointRead) { request, principal in
            let user = try accounts.user(principal, id: try request.intParameter("id"))
            return try Reply.get(request, version: user.version) { ResourceJSON.write(user, &$0) }
        })

        router.add("PATCH", "/users/{id:int}", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(
                request, fields: ["role", "disabled"], computed: ["name", "display_name", "headline", "time_zone", "has_password", "password"])
            var draft = UserAdminDraft()
            draft.role = body.string("role")
            draft.disabled = body.bool("disabled")
            try body.finish()
            let updated = accounts.administer(principal, id: try request.intParameter("id"), draft: draft, precondition: try Conditional.precondition(request))
            return .later(updated) { user in Reply.object(user.version) { ResourceJSON.write(user, &$0) } }
        })

        router.add("DELETE", "/users/{id:int}", auth.route(.handOff) { request, principal in
            let deleted = accounts.deleteUser(principal, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return .later(deleted) { _ in Reply.noContent }
        })

        router.add("GET", "/invites", auth.route { request, principal in
            let query = try ListQuery(request, filters: [], sorts: AccountService.inviteSorts, defaultSort: "created_at")
            let page = try accounts.listInvites(principal, page: query.page)
            let now = accounts.now()
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, now: now, &$0) }
        })

        router.add("POST", "/invites", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["role"], computed: ["code", "status", "expires_at", "created_by", "accepted_at", "accepted_by"])
            let role = body.enumeration("role", Role.self)
            try body.finish()
            let (invite, code) = try accounts.createInvite(principal, role: role.applied(to: nil) ?? .member)
            return Reply.object(invite.version, status: 201, location: "/invites/\(invite.id)") {
                ResourceJSON.write(invite, now: accounts.now(), code: code, &$0)
            }
        })

        router.add("GET", "/invites/{id:int}", auth.route(.pointRead) { request, principal in
            let invite = try accounts.invite(principal, id: try request.intParameter("id"))
            return try Reply.get(request, version: invite.version) { ResourceJSON.write(invite, now: accounts.now(), &$0) }
        })

        router.add("DELETE", "/invites/{id:int}", auth.route { request, principal in
            try accounts.deleteInvite(principal, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return Reply.noContent
        })
    }
}
