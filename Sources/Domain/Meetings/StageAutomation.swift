#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Moves contacts forward through the stages as meetings happen (docs/product.md "Contact stages"):
/// scheduling moves a contact to `scheduled`, completing to `met`. Never backwards, and never
/// out of `do_not_contact`; a `dormant` contact that meets again is active again.
enum StageAutomation {
    /// The stages each target is reached from.
    private static let sources: [ContactStage: [ContactStage]] = [
        .contacted: [.identified, .dormant],
        .scheduled: [.identified, .contacted, .dormant],
        .met: [.identified, .contacted, .scheduled, .dormant],
    ]

    /// Whether `target` is forward from `current`.
    static func advances(from current: ContactStage, to target: ContactStage) -> Bool {
        sources[target]?.contains(current) ?? false
    }

    /// Moves the contact to `stage` if that is forward from where it is; stamps it when it moves.
    /// `touched`: the same write logs a touch (a completed meeting), so the keep-in-touch timer
    /// moves in the same statement, whether or not the stage does.
    static func advance(_ connection: SQLiteConnection, contactID: Int64, to stage: ContactStage, at stamp: Date, touched: Bool = false) throws {
        guard let from = sources[stage], let sql = (touched ? touchedSQL : plainSQL)[stage] else { return }
        try connection.run(sql, touched ? [stamp, stage.rawValue, contactID] + from.map(\.rawValue) : [stage.rawValue, stamp, contactID] + from.map(\.rawValue))
    }

    private static let plainSQL: [ContactStage: String] = sources.mapValues { from in
        "UPDATE contacts SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ? AND stage IN (" + from.map { _ in "?" }.joined(separator: ", ") + ")"
    }

    /// One statement for both: the stage (and version) only when it moves; the touch only for
    /// a contact with a cadence (Touch.refresh catches up when one is set). A row that neither
    /// moves nor keeps in touch is not written at all. Built once: the statement cache is keyed
    /// by the text, and building and hashing it per completion showed in W10's profile.
    private static let touchedSQL: [ContactStage: String] = sources.mapValues { from in
        let moves = "stage IN (" + from.indices.map { "?\($0 + 4)" }.joined(separator: ", ") + ")"
        let touches = "(keep_in_touch_days IS NOT NULL AND (last_touch_at IS NULL OR last_touch_at < ?1))"
        return "UPDATE contacts SET last_touch_at = CASE WHEN \(touches) THEN ?1 ELSE last_touch_at END, "
            + "updated_at = CASE WHEN \(moves) THEN ?1 ELSE updated_at END, version = version + (\(moves)), "
            + "stage = CASE WHEN \(moves) THEN ?2 ELSE stage END WHERE id = ?3 AND (\(moves) OR \(touches))"
    }
}
