#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Primitives
import SQLiteCore

/// The morning digest: settings kept with the account (`PATCH /me`), a confirmation of the
/// address, the day's agenda as a message, and a queue in SQLite that sends each digest at most
/// once per account and day (README, "A morning digest").
public final class DigestService: Sendable {
    let storage: Storage
    let clock: any Clock
    let mail: (any MailTransport)?
    /// Where the confirmation link points (`--public-url`); without one, the code is in the mail.
    let publicURL: String?
    let agenda: AgendaService
    /// Signalled when something is queued to send at once (a confirmation, a manual send).
    private let wake = DispatchSemaphore(value: 0)

    /// How long a temporary failure is retried before the delivery is marked failed.
    static let retryWindow: TimeInterval = 24 * 3600
    /// Waits between attempts after a temporary failure: 1, 5, 15 minutes, then hourly.
    static func backoff(attempts: Int) -> TimeInterval {
        switch attempts {
        case ...1: 60
        case 2: 300
        case 3: 900
        default: 3600
        }
    }

    public init(storage: Storage, clock: any Clock = SystemClock(), mail: (any MailTransport)? = nil, publicURL: String? = nil) {
        self.storage = storage
        self.clock = clock
        self.mail = mail
        self.publicURL = publicURL
        agenda = AgendaService(storage: storage, clock: clock)
    }

    /// Sends what was just queued without waiting for the next tick.
    func wakeSender() { wake.signal() }

    /// Whether the server can send mail at all (`--smtp-url`).
    public var available: Bool { mail != nil }

    public static let unavailable = DomainError.unprocessable(
        code: "digest_unavailable",
        detail: "This server sends no mail: its operator has not set --smtp-url (and --smtp-from), so digests are off here.",
        issues: [FieldIssue("digest", "needs the server's SMTP settings")])

    public func settings(userID: Int64) throws -> DigestSettings? {
        try storage.read { try DigestStore.settings($0, userID: userID) }
    }

    // MARK: - Settings, in the write of PATCH /me

    /// The digest as `draft` leaves it, in the caller's write; `zoneName` is the zone the
    /// account has after the same PATCH. Returns whether what `/me` shows changed.
    static func apply(_ connection: SQLiteConnection, userID: Int64, draft: Patch<DigestDraft>, zoneName: String, now: Date, at stamp: Date) throws -> Bool {
        let current = try DigestStore.settings(connection, userID: userID)
        let zone = ZoneCache.rules(named: zoneName)
        switch draft {
        case .absent:
            // A new zone moves the next digest to the same local time there.
            guard var settings = current, settings.confirmed else { return false }
            let next = DigestRules.next(after: now, at: settings.at, days: settings.days, zone: zone)
            guard next != settings.nextAt else { return false }
            settings.nextAt = next
            try DigestStore.setNext(connection, userID: userID, next)
            return false
        case .null:
            guard current != nil else { return false }
            try DigestStore.save(connection, userID: userID, nil, codeHash: nil, at: stamp)
            return true
        case .value(let change):
            var settings = try DigestRules.apply(change, to: current)
            let newAddress = current.map { NameKey.key($0.email) != NameKey.key(settings.email) } ?? true
            if settings.confirmed { settings.nextAt = DigestRules.next(after: now, at: settings.at, days: settings.days, zone: zone) }
            guard newAddress || settings != current else { return false }
            var codeHash: [UInt8]?
            if newAddress {
                let code = TokenSecret.generate(prefix: "dc_")
                codeHash = TokenSecret.hash(code)
                try DigestStore.queue(
                    connection, userID: userID, kind: .confirmation, day: DigestRules.localDay(now, zone: zone), address: settings.email, payload: code,
                    at: stamp)
            }
            try DigestStore.save(connection, userID: userID, settings, codeHash: codeHash, at: stamp)
            return true
        }
    }

    /// `POST /me/digest/confirm`: the code from the confirmation mail confirms the address and
    /// starts the schedule. A wrong or used code is 422 `invalid_code`.
    public func confirm(userID: Int64, code: String) -> Future<DigestSettings> {
        let storage = storage, clock = clock
        let presented = TokenSecret.hash(code)
        let wrong = DomainError.unprocessable(
            code: "invalid_code", detail: "This code does not confirm the digest's address: it is wrong, or the address changed since it was sent.",
            issues: [FieldIssue("code", "is not the code of the last confirmation mail")])
        return storage.submit { connection in
            guard var settings = try DigestStore.settings(connection, userID: userID) else { throw wrong }
            guard !settings.confirmed else { return settings }
            guard let stored = try DigestStore.codeHash(connection, userID: userID), TokenSecret.constantTimeEquals(stored, presented) else { throw wrong }
            let zone = try ZoneCache.rules(connection, userID: userID)
            settings.confirmed = true
            settings.nextAt = DigestRules.next(after: clock.now(), at: settings.at, days: settings.days, zone: zone)
            let stamp = storage.stamp()
            try DigestStore.save(connection, userID: userID, settings, codeHash: nil, at: stamp)
            try UserStore.touch(connection, id: userID, at: stamp)
            return settings
        }
    }

    // MARK: - The message

    /// What today's digest says (`GET /me/digest/preview`), whether or not one is set.
    public func preview(userID: Int64) throws -> DigestMessage {
        let now = clock.now()
        let day = try agenda.day(userID: userID, date: nil, page: PageRequest(limit: 200, sort: AgendaService.order, after: nil))
        return try storage.read { connection in
            let settings = try DigestStore.settings(connection, userID: userID)
            let user = try UserStore.find(connection, id: userID)
            let zone = ZoneCache.rules(named: day.timeZone)
            let local = zone.localDate(of: Int64(now.timeIntervalSince1970.rounded(.down)))
            // The week so far: from the start of Monday, local time.
            let mondayOffset = (local.weekday + 6) % 7
            let mondayDays = Int64(RFC3339.daysFromCivil(year: local.year, month: local.month, day: local.day) - mondayOffset)
            let weekStart = Date(timeIntervalSince1970: Double(zone.instant(ofLocal: mondayDays * 86400)))
            let thisWeek = try DigestStore.meetingsSince(connection, userID: userID, since: weekStart)
            var areas: [(Interest, KnowledgeReport.Progress, Int)] = []
            let listed = try InterestStore.list(
                connection, InterestStore.listQuery(userID: userID), page: PageRequest(limit: 100, sort: InterestService.sorts["created_at"] ?? AgendaService.order, after: nil))
            for interest in listed.items {
                let progress = KnowledgeService.progress(interest: interest, completed: interest.coverage.meetings, now: now, zone: zone)
                areas.append((interest, progress, thisWeek[interest.id] ?? 0))
            }
            let start = Date(timeIntervalSince1970: Double(zone.startOfDay(year: local.year, month: local.month, day: local.day)))
            return DigestComposer.compose(
                name: user?.displayName ?? user?.name ?? "", date: day.date, items: day.items, startOfDay: start, areas: areas, to: settings?.email,
                sendWhenEmpty: settings?.sendWhenEmpty ?? false, link: publicURL.map { $0 + "/#/today" })
        }
    }

    /// `POST /me/digest/send`: today's digest to the confirmed address now, whatever is due.
    public func sendNow(userID: Int64) throws -> Future<Delivery> {
        guard available else { throw Self.unavailable }
        let storage = storage, clock = clock, wake = wake
        return storage.submit { connection in
            guard let settings = try DigestStore.settings(connection, userID: userID) else {
                throw DomainError.unprocessable(
                    code: "no_digest", detail: "Set a digest first: PATCH /me {\"digest\": {\"email\", \"at\"}}.",
                    issues: [FieldIssue("digest", "is not set")])
            }
            guard settings.confirmed else {
                throw DomainError.unprocessable(
                    code: "digest_unconfirmed", detail: "Follow the link in the confirmation mail sent to \(settings.email) first.",
                    issues: [FieldIssue("digest.email", "is not confirmed yet")])
            }
            let zone = try ZoneCache.rules(connection, userID: userID)
            let stamp = storage.stamp()
            guard let id = try DigestStore.queue(
                connection, userID: userID, kind: .manual, day: DigestRules.localDay(clock.now(), zone: zone), address: settings.email, at: stamp),
                let delivery = try DigestStore.find(connection, id: id)
            else { throw DomainError.busy }
            connection.onCommit { wake.signal() }
            return delivery
        }
    }

    /// `GET /me/deliveries`: newest first.
    public func deliveries(userID: Int64, before: Int64?, limit: Int) throws -> [Delivery] {
        try storage.read { try DigestStore.list($0, userID: userID, before: before, limit: limit) }
    }

    // MARK: - The schedule

    /// Queues the digest of every account whose time has come: one row per account and local
    /// day, whatever happens after; then moves each account's schedule to its next time. An
    /// account whose time passed while the server was down gets its digest only if it is still
    /// that day there. Reads only the due accounts (`users_digest_next`). Returns how many were queued.
    @discardableResult
    public func queueDue(batch: Int = 1000) throws -> Int {
        let now = clock.now()
        var queued = 0
        while true {
            let (done, count) = try storage.submit { [storage] connection -> (Bool, Int) in
                let due = try DigestStore.due(connection, now: now, limit: batch)
                var count = 0
                let stamp = storage.stamp()
                for userID in due {
                    guard let settings = try DigestStore.settings(connection, userID: userID), settings.confirmed, let at = settings.nextAt else {
                        try DigestStore.setNext(connection, userID: userID, nil)
                        continue
                    }
                    let zone = try ZoneCache.rules(connection, userID: userID)
                    // The latest scheduled time not after now: after the server was down, the
                    // digest of a day that has passed is not sent, but today's still is.
                    let latest = DigestRules.latest(from: at, notAfter: now, at: settings.at, days: settings.days, zone: zone)
                    let day = DigestRules.localDay(latest, zone: zone)
                    if day == DigestRules.localDay(now, zone: zone),
                       try DigestStore.queue(connection, userID: userID, kind: .digest, day: day, address: settings.email, at: stamp) != nil
                    {
                        count += 1
                    }
                    try DigestStore.setNext(connection, userID: userID, DigestRules.next(after: now.addingTimeInterval(1), at: settings.at, days: settings.days, zone: zone))
                }
                return (due.count < batch, count)
            }.wait()
            queued += count
            if done { return queued }
        }
    }

    /// After a restart: deliveries that were being handed over are never sent again.
    public func recoverInterrupted() throws -> Int {
        let storage = storage
        return try storage.submit { try DigestStore.abandonSending($0, at: storage.stamp()) }.wait()
    }

    /// Sends what is due, one message at a time on the calling thread: each is marked
    /// `sending` (committed) before it is handed to the relay and `sent` after, so at most once.
    /// Returns how many were handled.
    @discardableResult
    public func sendReady(limit: Int = 100) throws -> Int {
        guard let mail else { return 0 }
        let storage = storage, clock = clock
        let ready = try storage.read { try DigestStore.ready($0, now: clock.now(), limit: limit) }
        for (delivery, userID, payload) in ready {
            var message: [UInt8]?
            var skip = false
            switch delivery.kind {
            case .confirmation:
                message = confirmationMessage(to: delivery.address, code: payload ?? "", id: delivery.id)
            case .digest, .manual:
                let composed = try preview(userID: userID)
                // A scheduled digest on a day with nothing due is not sent, unless asked for.
                if delivery.kind == .digest && !composed.wouldSend { skip = true }
                message = MIMEMessage.build(
                    from: mail.from, to: delivery.address, subject: composed.subject, text: composed.text, html: composed.html, date: clock.now(),
                    id: "digest-\(delivery.id)")
            }
            if skip {
                try storage.submit { try DigestStore.finish($0, id: delivery.id, status: .skipped, error: "nothing was due", retryAt: nil, at: storage.stamp()) }.wait()
                continue
            }
            guard let message, try storage.submit({ try DigestStore.claim($0, id: delivery.id, at: storage.stamp()) }).wait() else { continue }
            let outcome: (Delivery.Status, String?, Date?)
            do {
                try mail.send(to: delivery.address, message: message)
                outcome = (.sent, nil, nil)
            } catch {
                let now = clock.now()
                switch error {
                case .temporary(let reason) where now.timeIntervalSince(delivery.createdAt) < Self.retryWindow:
                    outcome = (.queued, reason, now.addingTimeInterval(Self.backoff(attempts: delivery.attempts + 1)))
                case .temporary(let reason), .permanent(let reason):
                    outcome = (.failed, reason, nil)
                }
            }
            try storage.submit { try DigestStore.finish($0, id: delivery.id, status: outcome.0, error: outcome.1, retryAt: outcome.2, at: storage.stamp()) }.wait()
        }
        return ready.count
    }

    func confirmationMessage(to address: String, code: String, id: Int64) -> [UInt8] {
        let link = publicURL.map { "\($0)/#/settings?digest_code=\(code)" }
        let text = "Someone (we hope you) asked Foothold to send a morning digest to this address.\n\n"
            + (link.map { "To confirm it, open:\n\($0)\n\n" } ?? "")
            + "Or enter this code in Settings (or POST /me/digest/confirm):\n\(code)\n\nIf it was not you, ignore this mail: nothing more is sent until the address is confirmed.\n"
        let html = "<p>Someone (we hope you) asked Foothold to send a morning digest to this address.</p>"
            + (link.map { "<p><a href=\"\(DigestComposer.escape($0))\">Confirm the address</a></p>" } ?? "")
            + "<p>Or enter this code in Settings: <code>\(DigestComposer.escape(code))</code></p>"
            + "<p>If it was not you, ignore this mail: nothing more is sent until the address is confirmed.</p>"
        return MIMEMessage.build(from: mail?.from ?? "foothold@localhost", to: address, subject: "Confirm your Foothold digest", text: text, html: html,
                                 date: clock.now(), id: "confirm-\(id)")
    }

    /// The scheduler: every `interval` seconds (sooner when woken), queues what is due and sends
    /// what is ready, on a thread of its own: never on the request path.
    public func start(interval: Double = 20, log: @escaping @Sendable (String) -> Void) {
        guard available else { return }
        do {
            let abandoned = try recoverInterrupted()
            if abandoned > 0 { log("digests: \(abandoned) delivery(ies) were being sent when the server stopped; marked unknown, not sent again") }
        } catch {
            log("digests: could not check interrupted deliveries: \(error)")
        }
        let wake = wake
        SystemThread.start(name: "foothold-digests") { [self] in
            while true {
                do {
                    let started = DispatchTime.now().uptimeNanoseconds
                    let queued = try queueDue()
                    if queued > 0 {
                        let millis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                        log("digests: queued \(queued) in \((millis * 10).rounded() / 10) ms")
                    }
                    while try sendReady() > 0 {}
                } catch {
                    log("digests: \(error)")
                }
                _ = wake.wait(timeout: .now() + interval)
            }
        }
    }
}
