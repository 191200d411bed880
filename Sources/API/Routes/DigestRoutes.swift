import Domain
import HTTPCore
import Primitives

/// The morning digest beyond its settings (`PATCH /me {"digest"}`): confirming the address,
/// what today's would say, sending it now, and what was sent.
enum DigestRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let digests = context.digests
        let accounts = context.accounts

        router.add("POST", "/me/digest/confirm", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["code"])
            let code = body.requiredString("code")
            try body.finish()
            guard case .value(let text) = code else { throw Problem.validation(field: "code", "is required: the code from the confirmation mail") }
            return .later(digests.confirm(userID: principal.userID, code: text)) { settings in
                let user = try accounts.user(id: principal.userID)
                return Reply.object(user.version) { ResourceJSON.write(user, digest: settings, &$0) }
            }
        })

        router.add("GET", "/me/digest/preview", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let message = try digests.preview(userID: principal.userID)
            var w = JSONWriter(capacity: 1024 + message.text.utf8.count + message.html.utf8.count)
            w.objectStart()
            w.field("to", message.to)
            w.field("subject", message.subject)
            w.field("due_count", message.dueCount)
            w.field("would_send", message.wouldSend)
            w.field("text", message.text)
            w.field("html", message.html)
            w.objectEnd()
            return Response.json(200, w)
        })

        router.add("POST", "/me/digest/send", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            if !request.body.isEmpty {
                let body = try BodyReader(request, fields: [])
                try body.finish()
            }
            return .later(try digests.sendNow(userID: principal.userID)) { delivery in
                var w = JSONWriter(capacity: 512)
                write(delivery, &w)
                return Response.json(202, w)
            }
        })

        router.add("GET", "/me/deliveries", auth.route { request, principal in
            let (limit, before) = try NewestFirst.page(request)
            let items = try digests.deliveries(userID: principal.userID, before: before, limit: limit + 1)
            let page = Array(items.prefix(limit))
            var w = JSONWriter(capacity: 256 + page.count * 256)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for delivery in page { write(delivery, &w) }
            w.arrayEnd()
            w.key("next_cursor")
            if items.count > limit, let last = page.last { w.string(NewestFirst.cursor(after: last.id)) } else { w.null() }
            w.objectEnd()
            return Response.json(200, w)
        })
    }

    static func write(_ delivery: Delivery, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", delivery.id)
        w.field("kind", delivery.kind.rawValue)
        w.field("day", delivery.day)
        w.field("address", delivery.address)
        w.field("status", delivery.status.rawValue)
        w.field("attempts", delivery.attempts)
        w.field("next_attempt_at", delivery.nextAttemptAt)
        w.field("last_error", delivery.lastError)
        w.field("created_at", delivery.createdAt)
        w.field("sent_at", delivery.sentAt)
        w.objectEnd()
    }
}
