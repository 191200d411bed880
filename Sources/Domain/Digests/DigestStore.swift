#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// One message sent or to be sent: `GET /me/deliveries`.
public struct Delivery: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The day's digest, sent by the schedule: at most one per account and local day.
        case digest
        /// `POST /me/digest/send`: today's digest now, to check the settings.
        case manual
        /// The link that confirms the address.
        case confirmation
    }

    public enum Status: String, Sendable {
        case queued, sending, sent, skipped, failed
        /// Handed over or about to be when the server stopped: perhaps sent, never sent again.
        case unknown
    }

    public var id: Int64
    public var kind: Kind
    /// The local date it is for.
    public var day: String
    public var address: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
}

/// The SQL of the digest's settings (on `users`) and of `deliveries`.
enum DigestStore {
    private enum SettingsColumn: Int32, SelectList {
        case email, at, days, whenEmpty, confirmedAt, nextAt
        var sql: String {
            switch self {
            case .email: "digest_email"
            case .at: "digest_at"
            case .days: "digest_days"
            case .whenEmpty: "digest_when_empty"
            case .confirmedAt: "digest_confirmed_at"
            case .nextAt: "digest_next_at"
            }
        }
    }

    static func settings(_ connection: SQLiteConnection, userID: Int64) throws -> DigestSettings? {
        typealias C = SettingsColumn
        return try connection.queryOne("SELECT " + C.select + " FROM users WHERE id = ?", [userID]) { row -> DigestSettings? in
            guard let email = row.optionalString(C.email), let at = row.optionalString(C.at) else { return nil }
            let days = (row.optionalString(C.days) ?? "").split(separator: ",").compactMap { Weekday(rawValue: String($0)) }
            return DigestSettings(
                email: email, at: at, days: days.isEmpty ? DigestRules.defaultDays : days, sendWhenEmpty: row.int(C.whenEmpty) != 0,
                confirmed: !row.isNull(C.confirmedAt), nextAt: row.date(C.nextAt))
        } ?? nil
    }

    /// Stores the settings (nil: off, with any code and schedule). `code`: a new confirmation
    /// code's hash, replacing the old; `confirmedAt` when the address is confirmed now.
    static func save(_ connection: SQLiteConnection, userID: Int64, _ settings: DigestSettings?, codeHash: [UInt8]?, at stamp: Date) throws {
        guard let settings else {
            try connection.run(
                "UPDATE users SET digest_email = NULL, digest_at = NULL, digest_days = NULL, digest_when_empty = 0, digest_confirmed_at = NULL, "
                    + "digest_code_hash = NULL, digest_next_at = NULL WHERE id = ?", [userID])
            return
        }
        try connection.run(
            "UPDATE users SET digest_email = ?, digest_at = ?, digest_days = ?, digest_when_empty = ?, "
                + "digest_confirmed_at = CASE WHEN ? THEN coalesce(digest_confirmed_at, ?) END, "
                + "digest_code_hash = coalesce(?, CASE WHEN ? THEN NULL ELSE digest_code_hash END), digest_next_at = ? WHERE id = ?",
            [
                settings.email, settings.at, settings.days.map(\.rawValue).joined(separator: ","), settings.sendWhenEmpty ? 1 : 0,
                settings.confirmed ? 1 : 0, stamp, codeHash.map { DatabaseValue.blob($0) } ?? DatabaseValue.null, settings.confirmed ? 1 : 0,
                settings.nextAt, userID,
            ])
    }

    private enum CodeColumn: Int32, SelectList {
        case hash
        var sql: String { "digest_code_hash" }
    }

    static func codeHash(_ connection: SQLiteConnection, userID: Int64) throws -> [UInt8]? {
        typealias C = CodeColumn
        return try connection.queryOne("SELECT " + C.select + " FROM users WHERE id = ?", [userID]) { $0.isNull(C.hash) ? nil : $0.blob(C.hash) } ?? nil
    }

    /// Accounts whose next digest is due at `now`: read through `users_digest_next`.
    static func due(_ connection: SQLiteConnection, now: Date, limit: Int) throws -> [Int64] {
        try connection.integers("SELECT id FROM users WHERE digest_next_at <= ? ORDER BY digest_next_at LIMIT ? /* plan: the server's scheduler reads only the digests now due, by time */", [now, limit])
    }

    static func setNext(_ connection: SQLiteConnection, userID: Int64, _ next: Date?) throws {
        try connection.run("UPDATE users SET digest_next_at = ? WHERE id = ?", [next, userID])
    }

    /// Queues a delivery; a scheduled digest already queued for that day is left as it is.
    /// Returns the new row's id, or nil when it was there already.
    @discardableResult
    static func queue(
        _ connection: SQLiteConnection, userID: Int64, kind: Delivery.Kind, day: String, address: String, payload: String? = nil, at stamp: Date
    ) throws -> Int64? {
        try connection.run(
            "INSERT OR IGNORE INTO deliveries (user_id, kind, day, address, payload, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [userID, kind.rawValue, day, address, payload, stamp, stamp, stamp])
        return connection.changes > 0 ? connection.lastInsertRowID : nil
    }

    enum Column: Int32, SelectList {
        case id, userID, kind, day, address, status, attempts, nextAttemptAt, lastError, createdAt, sentAt, payload
        var sql: String {
            switch self {
            case .id: "id"
            case .userID: "user_id"
            case .kind: "kind"
            case .day: "day"
            case .address: "address"
            case .status: "status"
            case .attempts: "attempts"
            case .nextAttemptAt: "next_attempt_at"
            case .lastError: "last_error"
            case .createdAt: "created_at"
            case .sentAt: "sent_at"
            case .payload: "payload"
            }
        }
    }

    static func record(_ row: Row) throws -> Delivery {
        typealias C = Column
        let id = row.int64(C.id)
        return Delivery(
            id: id, kind: try row.member(C.kind, of: "deliveries", id: id), day: row.string(C.day), address: row.string(C.address),
            status: try row.member(C.status, of: "deliveries", id: id), attempts: row.int(C.attempts),
            nextAttemptAt: row.string(C.status) == "queued" ? row.date(C.nextAttemptAt) : nil, lastError: row.optionalString(C.lastError),
            createdAt: try row.stamp(C.createdAt, of: "deliveries", id: id), sentAt: row.date(C.sentAt))
    }

    static func find(_ connection: SQLiteConnection, id: Int64) throws -> Delivery? {
        try connection.queryOne("SELECT " + Column.select + " FROM deliveries WHERE id = ?", [id], record)
    }

    /// A page of the account's deliveries, newest first.
    static func list(_ connection: SQLiteConnection, userID: Int64, before: Int64?, limit: Int) throws -> [Delivery] {
        try connection.query(
            "SELECT " + Column.select + " FROM deliveries WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?", [userID, before ?? Int64.max, limit],
            record)
    }

    /// What is due to be sent now, oldest first: (id, user, kind, day, address, payload, created).
    static func ready(_ connection: SQLiteConnection, now: Date, limit: Int) throws -> [(delivery: Delivery, userID: Int64, payload: String?)] {
        try connection.query(
            "SELECT " + Column.select + " FROM deliveries WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ? "
                + "/* plan: the server's sender reads only the queued deliveries now due, by time */",
            [now, limit]
        ) { row in (try record(row), row.int64(Column.userID), row.optionalString(Column.payload)) }
    }

    /// Marks a queued delivery `sending` (one more attempt); false when it was no longer queued.
    static func claim(_ connection: SQLiteConnection, id: Int64, at stamp: Date) throws -> Bool {
        try connection.run("UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued'", [stamp, id])
        return connection.changes > 0
    }

    /// The outcome of an attempt. A confirmation's code goes with anything but a retry.
    static func finish(_ connection: SQLiteConnection, id: Int64, status: Delivery.Status, error: String?, retryAt: Date?, at stamp: Date) throws {
        try connection.run(
            "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at), updated_at = ?, "
                + "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, payload = CASE WHEN ? = 'queued' THEN payload END WHERE id = ?",
            [status.rawValue, error, retryAt, stamp, status.rawValue, stamp, status.rawValue, id])
    }

    /// After a restart: what was being handed over may have been sent; it is never sent again.
    static func abandonSending(_ connection: SQLiteConnection, at stamp: Date) throws -> Int {
        try connection.run(
            "UPDATE deliveries SET status = 'unknown', payload = NULL, updated_at = ?, "
                + "last_error = 'the server stopped while handing it over; it may have been sent, so it is not sent again' "
                + "WHERE id IN (SELECT id FROM deliveries INDEXED BY deliveries_sending WHERE status = 'sending') "
                + "/* plan: at start, the server's few deliveries that were being handed over, through their own index */",
            [stamp])
        return connection.changes
    }

    private enum AreaCount: Int32, SelectList {
        case interestID, meetings
        var sql: String {
            switch self {
            case .interestID: "ci.interest_id"
            case .meetings: "count(*)"
            }
        }
    }

    /// Completed meetings per area since `since`, for the digest's line on each goal.
    static func meetingsSince(_ connection: SQLiteConnection, userID: Int64, since: Date) throws -> [Int64: Int] {
        typealias C = AreaCount
        var counts: [Int64: Int] = [:]
        try connection.forEachRow(
            "SELECT " + C.select + " FROM meetings m JOIN contact_interests ci ON ci.contact_id = m.contact_id "
                + "WHERE m.user_id = ? AND m.status = 'completed' AND m.completed_at >= ? GROUP BY ci.interest_id",
            [userID, since]
        ) { row in counts[row.int64(C.interestID)] = row.int(C.meetings) }
        return counts
    }
}
