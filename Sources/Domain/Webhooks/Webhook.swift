import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Primitives
import SQLiteCore

/// What a webhook can be told.
public enum WebhookEvent: String, Sendable, CaseIterable {
    /// An agenda item fell due (once per item and due time).
    case agendaDue = "agenda.due"
    case meetingCompleted = "meeting.completed"
    case referralCreated = "referral.created"
}

/// A webhook: where its events go. The secret is answered once, when it is made.
public struct Webhook: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var events: [WebhookEvent]
    /// Only in the answer to `POST /webhooks`.
    public var secret: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// One event sent (or to be sent) to one webhook.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        case queued, delivered, failed
    }

    public var id: Int64
    public var webhookID: Int64
    /// The receiver drops repeats by this.
    public var deliveryID: String
    public var event: WebhookEvent
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?
}

/// How webhooks leave (the `foothold` binary gives libcurl's, behind the SSRF policy).
public protocol WebhookTransport: Sendable {
    /// Why `url` may not be a webhook's (scheme, or an address on the server's own network,
    /// checked on the resolved address), or nil.
    func refusal(_ url: String) -> String?
    /// POSTs `body`; the HTTP status, or nil and why.
    func post(to url: String, body: [UInt8], headers: [(String, String)]) -> (status: Int?, error: String?)
}

/// The SQL of webhooks and their deliveries.
enum WebhookStore {
    enum Column: Int32, SelectList {
        case id, url, events, createdAt, updatedAt, version
        var sql: String {
            switch self {
            case .id: "id"
            case .url: "url"
            case .events: "events"
            case .createdAt: "created_at"
            case .updatedAt: "updated_at"
            case .version: "version"
            }
        }
    }

    static func record(_ row: Row) throws -> Webhook {
        let id = row.int64(Column.id)
        return Webhook(
            id: id, url: row.string(Column.url), events: row.string(Column.events).split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) },
            secret: nil, createdAt: try row.stamp(Column.createdAt, of: "webhooks", id: id), updatedAt: try row.stamp(Column.updatedAt, of: "webhooks", id: id),
            version: row.int64(Column.version))
    }

    static func list(_ connection: SQLiteConnection, userID: Int64) throws -> [Webhook] {
        try connection.query("SELECT " + Column.select + " FROM webhooks WHERE user_id = ? ORDER BY id LIMIT 100", [userID], record)
    }

    static func find(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Webhook? {
        try connection.queryOne("SELECT " + Column.select + " FROM webhooks WHERE id = ? AND user_id = ?", [id, userID], record)
    }

    private enum Subscriber: Int32, SelectList {
        case id, events
        var sql: String {
            switch self {
            case .id: "id"
            case .events: "events"
            }
        }
    }

    /// The account's hooks and the events each wants: one indexed read, usually of nothing.
    static func subscriptions(_ connection: SQLiteConnection, userID: Int64) throws -> [(id: Int64, events: [Substring])] {
        typealias C = Subscriber
        return try connection.query("SELECT " + C.select + " FROM webhooks WHERE user_id = ?", [userID]) { row in
            (row.int64(C.id), row.string(C.events).split(separator: ","))
        }
    }

    enum DeliveryColumn: Int32, SelectList {
        case id, webhookID, deliveryID, event, status, attempts, nextAttemptAt, lastStatus, lastError, createdAt, deliveredAt, body, url, secret
        var sql: String {
            switch self {
            case .id: "d.id"
            case .webhookID: "d.webhook_id"
            case .deliveryID: "d.delivery_id"
            case .event: "d.event"
            case .status: "d.status"
            case .attempts: "d.attempts"
            case .nextAttemptAt: "d.next_attempt_at"
            case .lastStatus: "d.last_status"
            case .lastError: "d.last_error"
            case .createdAt: "d.created_at"
            case .deliveredAt: "d.delivered_at"
            case .body: "d.body"
            case .url: "w.url"
            case .secret: "w.secret"
            }
        }
    }

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        typealias C = DeliveryColumn
        let id = row.int64(C.id)
        return WebhookDelivery(
            id: id, webhookID: row.int64(C.webhookID), deliveryID: row.string(C.deliveryID), event: try row.member(C.event, of: "webhook_deliveries", id: id),
            status: try row.member(C.status, of: "webhook_deliveries", id: id), attempts: row.int(C.attempts),
            nextAttemptAt: row.string(C.status) == "queued" ? row.date(C.nextAttemptAt) : nil, lastStatus: row.optionalInt64(C.lastStatus).map(Int.init),
            lastError: row.optionalString(C.lastError), createdAt: try row.stamp(C.createdAt, of: "webhook_deliveries", id: id), deliveredAt: row.date(C.deliveredAt))
    }

    static let joined = " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "

    static func deliveries(_ connection: SQLiteConnection, webhookID: Int64, before: Int64?, limit: Int) throws -> [WebhookDelivery] {
        try connection.query(
            "SELECT " + DeliveryColumn.select + joined + "WHERE d.webhook_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?", [webhookID, before ?? Int64.max, limit],
            delivery)
    }

    static func ready(_ connection: SQLiteConnection, now: Date, limit: Int) throws -> [(WebhookDelivery, url: String, secret: String, body: String)] {
        typealias C = DeliveryColumn
        return try connection.query(
            "SELECT " + C.select + joined + "WHERE d.status = 'queued' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ? "
                + "/* plan: the server's sender reads only the queued deliveries now due, by time */",
            [now, limit]
        ) { row in (try delivery(row), row.string(C.url), row.string(C.secret), row.string(C.body)) }
    }

    static func finish(_ connection: SQLiteConnection, id: Int64, status: WebhookDelivery.Status, httpStatus: Int?, error: String?, retryAt: Date?, at stamp: Date) throws {
        try connection.run(
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at), "
                + "updated_at = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?",
            [status.rawValue, httpStatus, error, retryAt, stamp, status.rawValue, stamp, id])
    }

    /// Accounts with a hook that wants agenda.due.
    static func agendaWatchers(_ connection: SQLiteConnection) throws -> [Int64] {
        try connection.integers(
            "SELECT DISTINCT user_id FROM webhooks WHERE instr(events, 'agenda.due') > 0 "
                + "/* plan: the server's scheduler reads the hooks, a row per hook, to find whom to tell */")
    }

    /// Records that an item fired; false when it had already.
    static func fire(_ connection: SQLiteConnection, userID: Int64, kind: String, refID: Int64, due: String) throws -> Bool {
        try connection.run("INSERT OR IGNORE INTO agenda_fired (user_id, kind, ref_id, due) VALUES (?, ?, ?, ?)", [userID, kind, refID, due])
        return connection.changes > 0
    }
}

/// Webhooks: made, listed and removed by their account; events queued in the transaction that
/// made them; sent signed, at least once, from a thread of their own (README, "Webhooks").
public final class WebhookService: Sendable {
    let storage: Storage
    let clock: any Clock
    let transport: (any WebhookTransport)?
    let agenda: AgendaService
    /// Retried this long, then failed.
    static let retryWindow: TimeInterval = 3 * 86400
    static let maxHooks = 20

    public init(storage: Storage, clock: any Clock = SystemClock(), transport: (any WebhookTransport)? = nil) {
        self.storage = storage
        self.clock = clock
        self.transport = transport
        agenda = AgendaService(storage: storage, clock: clock)
    }

    // MARK: - The hooks

    public func create(userID: Int64, url: String?, events: [String]?) throws -> Future<Webhook> {
        var validator = Validator()
        let address = validator.required("url", url, maxLength: 2000)
        if !address.isEmpty {
            if let transport, let refusal = transport.refusal(address) { validator.add("url", refusal) }
            if transport == nil { validator.add("url", "this server sends no webhooks") }
        }
        var chosen: [WebhookEvent] = []
        if let events, !events.isEmpty {
            for name in events {
                if let event = WebhookEvent(rawValue: name) { if !chosen.contains(event) { chosen.append(event) } } else {
                    validator.add("events", "must name events among " + WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ") + "; \"\(name)\" is not one")
                }
            }
        } else {
            validator.add("events", "is required: at least one of " + WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))
        }
        try validator.finish()
        let storage = storage, events = chosen.map(\.rawValue).joined(separator: ",")
        let secret = TokenSecret.generate(prefix: "whsec_")
        return storage.submit { connection in
            let count = try connection.scalarInt("SELECT count(*) FROM webhooks WHERE user_id = ?", [userID]) ?? 0
            guard count < Self.maxHooks else {
                throw DomainError.unprocessable(code: "too_many_webhooks", detail: "An account has at most \(Self.maxHooks) webhooks.", issues: [FieldIssue("url", "one too many")])
            }
            let stamp = storage.stamp()
            try connection.run(
                "INSERT INTO webhooks (user_id, url, events, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [userID, address, events, secret, stamp, stamp])
            guard var hook = try WebhookStore.find(connection, userID: userID, id: connection.lastInsertRowID) else { throw DomainError.busy }
            hook.secret = secret
            return hook
        }
    }

    public func list(userID: Int64) throws -> [Webhook] {
        try storage.read { try WebhookStore.list($0, userID: userID) }
    }

    public func get(userID: Int64, id: Int64) throws -> Webhook {
        guard let hook = try storage.read({ try WebhookStore.find($0, userID: userID, id: id) }) else { throw DomainError.notFound("No webhook \(id).") }
        return hook
    }

    /// Removes a hook and its deliveries; `If-Match` as every DELETE takes it (412 when stale).
    public func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        storage.submit { connection in
            guard let hook = try WebhookStore.find(connection, userID: userID, id: id) else { throw DomainError.notFound("No webhook \(id).") }
            try precondition.check(hook.version)
            try connection.run("DELETE FROM webhooks WHERE id = ? AND user_id = ?", [id, userID])
        }
    }

    public func deliveries(userID: Int64, webhookID: Int64, before: Int64?, limit: Int) throws -> [WebhookDelivery] {
        try storage.read { connection in
            guard try WebhookStore.find(connection, userID: userID, id: webhookID) != nil else { throw DomainError.notFound("No webhook \(webhookID).") }
            return try WebhookStore.deliveries(connection, webhookID: webhookID, before: before, limit: limit)
        }
    }

    // MARK: - Events

    /// Queues `event` for each of the account's hooks that want it, in the caller's write;
    /// `data` is the event's JSON object. The sender is woken after the commit.
    /// `data` is only built when a hook wants the event: most accounts have none, and a
    /// completion (W10) then pays one indexed lookup.
    static func emit(
        _ connection: SQLiteConnection, _ storage: Storage, userID: Int64, event: WebhookEvent, data makeData: @autoclosure () throws -> String, at stamp: Date,
        subscriptions known: [(id: Int64, events: [Substring])]? = nil
    ) throws {
        let subscriptions = try known ?? WebhookStore.subscriptions(connection, userID: userID)
        let hooks = subscriptions.filter { $0.events.contains { $0 == event.rawValue } }.map(\.id)
        guard !hooks.isEmpty else { return }
        let data = try makeData()
        for hook in hooks {
            let deliveryID = "wd_" + String(TokenSecret.generate(prefix: "").prefix(22))
            let body = "{\"id\":\(JSONText.quote(deliveryID)),\"type\":\(JSONText.quote(event.rawValue)),\"created_at\":\(JSONText.quote(RFC3339.format(stamp))),\"data\":\(data)}"
            try connection.run(
                "INSERT INTO webhook_deliveries (webhook_id, user_id, delivery_id, event, body, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [hook, userID, deliveryID, event.rawValue, body, stamp, stamp, stamp])
        }
        let queued = storage.webhookQueued
        connection.onCommit { queued.signal() }
    }

    private enum ReferralColumn: Int32, SelectList {
        case id, referrerID, contactID, meetingID, contactName, referrerName
        var sql: String {
            switch self {
            case .id: "r.id"
            case .referrerID: "r.referrer_id"
            case .contactID: "r.contact_id"
            case .meetingID: "r.meeting_id"
            case .contactName: "c.name"
            case .referrerName: "rr.name"
            }
        }
    }

    /// A referral.created event's data.
    static func referralData(_ connection: SQLiteConnection, id: Int64) throws -> String {
        typealias C = ReferralColumn
        return try connection.queryOne(
            "SELECT " + C.select + " FROM referrals r JOIN contacts c ON c.id = r.contact_id JOIN contacts rr ON rr.id = r.referrer_id WHERE r.id = ?", [id]
        ) { row in
            "{\"referral_id\":\(row.int64(C.id)),\"referrer_id\":\(row.int64(C.referrerID)),\"referrer_name\":\(JSONText.quote(row.string(C.referrerName))),"
                + "\"contact_id\":\(row.int64(C.contactID)),\"contact_name\":\(JSONText.quote(row.string(C.contactName))),"
                + "\"meeting_id\":\(row.optionalInt64(C.meetingID).map(String.init) ?? "null")}"
        } ?? "{\"referral_id\":\(id)}"
    }

    /// The signature header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
    /// the scheme Stripe uses: the receiver recomputes it with the secret and checks the time.
    public static func signature(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        let hex = mac.finalize().map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        return "t=\(timestamp),v1=\(hex)"
    }

    /// Fires agenda.due for every item now due of the accounts that want it, once per item and due time.
    @discardableResult
    public func fireAgenda() throws -> Int {
        let watchers = try storage.read { try WebhookStore.agendaWatchers($0) }
        let now = clock.now()
        let nowText = RFC3339.format(now)
        var fired = 0
        for userID in watchers {
            let day = try agenda.day(userID: userID, date: nil, page: PageRequest(limit: 200, sort: AgendaService.order, after: nil))
            let due = day.items.filter { $0.due <= nowText }
            guard !due.isEmpty else { continue }
            let storage = storage
            fired += try storage.submit { connection -> Int in
                let stamp = storage.stamp()
                var count = 0
                for item in due where try WebhookStore.fire(connection, userID: userID, kind: item.kind.rawValue, refID: item.refID, due: item.due) {
                    let data = "{\"kind\":\(JSONText.quote(item.kind.rawValue)),\"ref_id\":\(item.refID),\"due\":\(JSONText.quote(item.due)),"
                        + "\"reason\":\(JSONText.quote(item.reason)),\"contact_id\":\(item.contactID.map(String.init) ?? "null")}"
                    try Self.emit(connection, storage, userID: userID, event: .agendaDue, data: data, at: stamp)
                    count += 1
                }
                return count
            }.wait()
        }
        return fired
    }

    /// Sends what is due, one POST at a time: delivered on a 2xx, else retried after 1, 5 and 15
    /// minutes, then hourly, for three days. Returns how many were tried.
    @discardableResult
    public func sendReady(limit: Int = 100) throws -> Int {
        guard let transport else { return 0 }
        let storage = storage, clock = clock
        let ready = try storage.read { try WebhookStore.ready($0, now: clock.now(), limit: limit) }
        for (delivery, url, secret, body) in ready {
            let bytes = Array(body.utf8)
            let now = clock.now()
            let headers = [
                ("Foothold-Delivery", delivery.deliveryID), ("Foothold-Event", delivery.event.rawValue),
                ("Foothold-Signature", Self.signature(secret: secret, timestamp: Int64(now.timeIntervalSince1970), body: bytes)),
            ]
            let (status, error) = transport.post(to: url, body: bytes, headers: headers)
            let delivered = status.map { (200..<300).contains($0) } ?? false
            let outcome: WebhookDelivery.Status = delivered ? .delivered : now.timeIntervalSince(delivery.createdAt) < Self.retryWindow ? .queued : .failed
            let retryAt = outcome == .queued ? now.addingTimeInterval(DigestService.backoff(attempts: delivery.attempts + 1)) : nil
            try storage.submit {
                try WebhookStore.finish($0, id: delivery.id, status: outcome, httpStatus: status, error: delivered ? nil : error, retryAt: retryAt, at: storage.stamp())
            }.wait()
        }
        return ready.count
    }

    /// The sender: every `interval` seconds (sooner when an event is queued), on its own thread.
    public func start(interval: Double = 20, log: @escaping @Sendable (String) -> Void) {
        guard transport != nil else { return }
        let wake = storage.webhookQueued
        SystemThread.start(name: "foothold-webhooks") { [self] in
            while true {
                do {
                    try fireAgenda()
                    // Each pass sends what is due now; a failed one waits for its retry time.
                    while try sendReady() > 0 {}
                } catch {
                    log("webhooks: \(error)")
                }
                _ = wake.wait(timeout: .now() + interval)
            }
        }
    }
}
