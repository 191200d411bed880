#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Moves contacts forward through the stages as meetings happen (PRODUCT.md "Contact stages"):
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
    static func advance(_ connection: SQLiteConnection, contactID: Int64, to stage: ContactStage, at stamp: Date) throws {
        guard let from = sources[stage] else { return }
        let placeholders = from.map { _ in "?" }.joined(separator: ", ")
        try connection.run(
            "UPDATE contacts SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ? AND stage IN (\(placeholders))",
            [stage.rawValue, stamp, contactID] + from.map(\.rawValue))
    }
}
