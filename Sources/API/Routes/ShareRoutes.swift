import Domain
import HTTPCore

/// `/shares`, `/coach-notes`, and every shared read under `/accounts/{user_id}/…`.
enum ShareRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let shares = context.shares

        router.add("GET", "/shares", auth.route { request, principal in
            let query = try ListQuery(request, filters: ["direction"], sorts: ShareService.sorts, defaultSort: "created_at")
            let page = try shares.list(principal, direction: try query.enumeration("direction", ShareDirection.self), page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, viewer: principal.userID, &$0) }
        })

        router.add("POST", "/shares", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(
                request, fields: ["grantee", "scope"], computed: ["direction", "user_id", "user_name", "grantee_id", "grantee_name"])
            let grantee = body.nonNullString("grantee")
            if !body.has("grantee") { body.reject("grantee", "is required: the user name of the account to share with") }
            let scope = body.enumeration("scope", ShareScope.self)
            try body.finish()
            let created = shares.create(principal, grantee: grantee ?? "", scope: scope.applied(to: nil) ?? .read)
            return .later(created) { share in
                Reply.object(share.version, status: 201, location: "/shares/\(share.id)") { ResourceJSON.write(share, viewer: principal.userID, &$0) }
            }
        })

        router.add("GET", "/shares/{id:int}", auth.route(.pointRead) { request, principal in
            let share = try shares.share(principal, id: try request.intParameter("id"))
            return try Reply.get(request, version: share.version) { ResourceJSON.write(share, viewer: principal.userID, &$0) }
        })

        router.add("DELETE", "/shares/{id:int}", auth.route { request, principal in
            try shares.revoke(principal, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return Reply.noContent
        })

        router.add("GET", "/shares/{id:int}/reads", auth.route { request, principal in
            let query = try ListQuery(request, filters: [], sorts: ShareService.readSorts, defaultSort: "-day")
            let page = try shares.reads(principal, id: try request.intParameter("id"), page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("GET", "/coach-notes", auth.route { request, principal in
            let query = try ListQuery(request, filters: [], sorts: ShareService.noteSorts, defaultSort: "-created_at")
            let page = try shares.notes(userID: principal.userID, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("GET", "/coach-notes/{id:int}", auth.route(.pointRead) { request, principal in
            let note = try shares.note(userID: principal.userID, id: try request.intParameter("id"))
            return try Reply.get(request, version: note.version) { ResourceJSON.write(note, &$0) }
        })

        // The one write a share allows: a coach's note.
        router.add("POST", "/accounts/{user_id:int}/coach-notes", shared(context) { request, principal in
            guard principal.share?.scope == .coach else { throw readOnly }
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(
                request, fields: ["text", "contact_id", "meeting_id", "pitch_id"], computed: ["author_id", "author_name", "dismissed"])
            let text = body.string("text", multiline: true)
            let contactID = body.id("contact_id"), meetingID = body.id("meeting_id"), pitchID = body.id("pitch_id")
            try body.finish()
            let created = shares.addNote(
                principal, text: text.applied(to: nil), contactID: contactID.applied(to: nil), meetingID: meetingID.applied(to: nil),
                pitchID: pitchID.applied(to: nil))
            return .later(created) { note in
                Reply.object(note.version, status: 201, location: "/accounts/\(note.userID)/coach-notes/\(note.id)") { ResourceJSON.write(note, &$0) }
            }
        })
    }

    static let readOnly = Problem(
        status: 403, code: "read_only_share", detail: "A share lets you read this account; writes here are refused (a coach share may add coach notes).")

    /// Routes never mirrored under `/accounts/{user_id}`: the account's credentials (webhooks too: where its events go) and the
    /// server's own, account management, and sharing itself.
    static let privatePrefixes = [
        "/tokens", "/feeds", "/calendar", "/users", "/invites", "/shares", "/sessions", "/accounts", "/health", "/ready", "/openapi.yaml", "/metrics", "/webhooks",
    ]

    static func isShareable(_ template: String) -> Bool {
        !privatePrefixes.contains { template == $0 || template.hasPrefix($0 + "/") } && template != "/me/password"
    }

    /// Wraps a handler so it runs as the sharer: the caller must hold a share of the account
    /// in the path, else 404, exactly as for an account that does not exist. Every request
    /// through a share is counted for the sharer (`GET /shares/{id}/reads`).
    static func shared(
        _ context: FootholdApp.Context, route template: String? = nil, kind: Route.Kind = .pointRead, bodyLimit: Int? = nil,
        _ handler: @escaping @Sendable (Request, Principal) throws -> Response
    ) -> Route {
        let auth = context.authenticator, shares = context.shares
        return Route(kind, bodyLimit: bodyLimit) { request in
            let grantee = try auth.principal(for: request)
            let sharerID = try request.intParameter("user_id")
            guard grantee.share == nil, let access = try shares.access(sharerID: sharerID, granteeID: grantee.userID) else {
                throw Problem.notFound("No account \(sharerID) is shared with you.")
            }
            shares.recordRead(access, method: request.method, route: template ?? "/coach-notes")
            let acting = Principal(userID: sharerID, tokenID: grantee.tokenID, role: .member, tokenKind: grantee.tokenKind, share: access)
            var inner = request
            inner.attachment = ActingPrincipal(acting)
            return try handler(inner, acting)
        }
    }

    /// Every shareable route again under `/accounts/{user_id:int}`: GET (and HEAD) answer as the
    /// sharer's own would; every other method is 403 `read_only_share` for a grantee, 404 for
    /// anyone else.
    static func mirror(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let registered = router.registered
        for (method, template) in registered where isShareable(template) {
            guard let original = router.route(method: method, template: template) else { continue }
            let label = template.split(separator: ":int}", omittingEmptySubsequences: false).joined(separator: "}")
            let wrapped: Route
            if method == "GET" {
                wrapped = shared(context, route: label, kind: original.kind, bodyLimit: original.bodyLimit) { request, _ in
                    try original.handler(request)
                }
            } else {
                wrapped = shared(context, route: label, bodyLimit: original.bodyLimit) { _, _ in throw readOnly }
            }
            router.add(method, "/accounts/{user_id:int}" + template, wrapped)
        }
    }
}
