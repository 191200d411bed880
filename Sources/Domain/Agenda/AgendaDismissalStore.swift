#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// `agenda_dismissals`: the items a user put away, for good or until a time.
enum AgendaDismissalStore {
    /// Whether the agenda has, or will have, an item of `kind` about `refID` (its row exists).
    static func hasItem(_ connection: SQLiteConnection, userID: Int64, kind: AgendaKind, refID: Int64) throws -> Bool {
        let sql: String = switch kind {
        case .meeting, .prepMissing: "SELECT 1 FROM meetings WHERE id = ?2 AND status = 'scheduled' AND scheduled_at IS NOT NULL"
        case .thankYou: "SELECT 1 FROM meetings WHERE id = ?2 AND status = 'completed' AND thank_you_sent_at IS NULL"
        case .event: "SELECT 1 FROM events WHERE id = ?2 AND starts_at IS NOT NULL AND status IN ('interested', 'registered')"
        case .contactReferral: "SELECT 1 FROM referrals WHERE id = ?2 AND status = 'suggested'"
        case .keepInTouch: "SELECT 1 FROM contacts WHERE id = ?2 AND keep_in_touch_due_at IS NOT NULL AND stage != 'do_not_contact'"
        case .coachNote: "SELECT 1 FROM coach_notes WHERE id = ?2"
        case .followUp, .trySecondContact, .askReferralAgain: "SELECT 1 FROM reminders WHERE user_id = ?1 AND kind = '\(kind.rawValue)' AND ref_id = ?2"
        }
        return try connection.scalarInt(sql, [userID, refID]) != nil
    }

    /// Puts the item away, replacing an earlier dismissal of it; whether it is new.
    static func put(
        _ connection: SQLiteConnection, userID: Int64, kind: AgendaKind, refID: Int64, until: Date?, at stamp: Date
    ) throws -> (AgendaDismissal, Bool) {
        // A keep-in-touch dismissal holds while the due time it put away is the current one.
        let due: String? =
            kind == .keepInTouch ? try connection.scalarText("SELECT keep_in_touch_due_at FROM contacts WHERE id = ?", [refID]) : nil
        let existed = try connection.scalarInt(
            "SELECT 1 FROM agenda_dismissals WHERE user_id = ? AND kind = ? AND ref_id = ?", [userID, kind.rawValue, refID]) != nil
        try connection.run(
            "INSERT OR REPLACE INTO agenda_dismissals (user_id, kind, ref_id, until, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [userID, kind.rawValue, refID, until, due, stamp])
        return (AgendaDismissal(kind: kind, refID: refID, until: until, createdAt: stamp), !existed)
    }

    /// Brings the item back; whether there was a dismissal.
    static func remove(_ connection: SQLiteConnection, userID: Int64, kind: AgendaKind, refID: Int64) throws -> Bool {
        try connection.run("DELETE FROM agenda_dismissals WHERE user_id = ? AND kind = ? AND ref_id = ?", [userID, kind.rawValue, refID]) > 0
    }
}
