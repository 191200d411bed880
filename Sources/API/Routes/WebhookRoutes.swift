import Domain
import HTTPCore
import Primitives

/// `/webhooks`: where an account's events are POSTed, and how each delivery went.
enum WebhookRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let webhooks = context.webhooks

        // A worker: checking the URL resolves its name, which may wait on DNS, never on an I/O thread.
        router.add("POST", "/webhooks", auth.route(.worker) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["url", "events"], computed: ["id", "secret", "created_at", "updated_at", "version"])
            let url = body.string("url")
            let events = body.stringList("events")
            try body.finish()
            var address: String?
            if case .value(let text) = url { address = text }
            var names: [String]?
            if case .value(let list) = events { names = list }
            return .later(try webhooks.create(userID: principal.userID, url: address, events: names)) { hook in
                var w = JSONWriter(capacity: 512)
                write(hook, &w)
                return Response.json(201, w, headers: [("Location", "/webhooks/\(hook.id)")])
            }
        })

        router.add("GET", "/webhooks", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let hooks = try webhooks.list(userID: principal.userID)
            var w = JSONWriter(capacity: 256 + hooks.count * 256)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for hook in hooks { write(hook, &w) }
            w.arrayEnd()
            w.key("next_cursor")
            w.null()
            w.objectEnd()
            return Response.json(200, w)
        })

        router.add("GET", "/webhooks/{id:int}", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let hook = try webhooks.get(userID: principal.userID, id: try request.intParameter("id"))
            return try Reply.get(request, version: hook.version) { write(hook, &$0) }
        })

        router.add("DELETE", "/webhooks/{id:int}", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let deleted = webhooks.delete(userID: principal.userID, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return .later(deleted) { Response(status: 204) }
        })

        router.add("GET", "/webhooks/{id:int}/deliveries", auth.route { request, principal in
            let (limit, before) = try NewestFirst.page(request)
            let items = try webhooks.deliveries(userID: principal.userID, webhookID: try request.intParameter("id"), before: before, limit: limit + 1)
            let page = Array(items.prefix(limit))
            var w = JSONWriter(capacity: 256 + page.count * 256)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for delivery in page {
                w.objectStart()
                w.field("id", delivery.id)
                w.field("delivery_id", delivery.deliveryID)
                w.field("event", delivery.event.rawValue)
                w.field("status", delivery.status.rawValue)
                w.field("attempts", delivery.attempts)
                w.field("next_attempt_at", delivery.nextAttemptAt)
                w.field("last_status", delivery.lastStatus)
                w.field("last_error", delivery.lastError)
                w.field("created_at", delivery.createdAt)
                w.field("delivered_at", delivery.deliveredAt)
                w.objectEnd()
            }
            w.arrayEnd()
            w.key("next_cursor")
            if items.count > limit, let last = page.last { w.string(NewestFirst.cursor(after: last.id)) } else { w.null() }
            w.objectEnd()
            return Response.json(200, w)
        })
    }

    static func write(_ hook: Webhook, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", hook.id)
        w.field("url", hook.url)
        w.field("events", hook.events.map(\.rawValue))
        if let secret = hook.secret { w.field("secret", secret) }
        w.field("created_at", hook.createdAt)
        w.field("updated_at", hook.updatedAt)
        w.field("version", hook.version)
        w.objectEnd()
    }
}
