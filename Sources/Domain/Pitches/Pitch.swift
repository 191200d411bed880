#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// How a pitch is delivered; it sets what "too long" means.
public enum PitchChannel: String, Sendable, CaseIterable {
    case email
    case spoken
}

/// A short commercial (docs/product.md step 2): a template with `{{…}}` placeholders, rendered for
/// one contact.
public struct Pitch: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var body: String
    public var channel: PitchChannel
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A create or merge-patch of a pitch.
public struct PitchDraft: Sendable {
    public var name: Patch<String> = .absent
    public var body: Patch<String> = .absent
    public var channel: Patch<PitchChannel> = .absent

    public init() {}
}

/// Filters of `GET /pitches`.
public struct PitchFilter: Sendable {
    public var channel: PitchChannel?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// One lint finding of a render, with a stable code.
public struct PitchWarning: Sendable, Equatable {
    public var code: String
    public var message: String
}

/// A pitch rendered for one contact, with its length and lint.
public struct PitchRender: Sendable, Equatable {
    public var pitchID: Int64
    public var contactID: Int64
    public var interestID: Int64?
    public var channel: PitchChannel
    public var text: String
    public var wordCount: Int
    /// At 150 words a minute, to a tenth of a second.
    public var speakingSeconds: Double
    public var warnings: [PitchWarning]
}

/// The SQL of `pitches` and `pitch_renders`.
enum PitchStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, body, channel, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .body: .field("body")
            case .channel: .field("channel")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let sql = TableSQL<Column>(table: "pitches", alias: "p")
    static let noun = "pitch"
    static let kind = "pitch"

    static func record(_ row: Row) throws -> Pitch {
        Pitch(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), body: row.string(Column.body),
            channel: try row.member(Column.channel, of: sql.table), createdAt: try row.stamp(Column.createdAt, of: sql.table),
            updatedAt: try row.stamp(Column.updatedAt, of: sql.table), version: row.int64(Column.version))
    }

    static func value(_ column: Column, of pitch: Pitch) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: pitch.name
        case .body: pitch.body
        case .channel: pitch.channel.rawValue
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }

    /// Remembers that the pitch was rendered for the contact (prep asks for one).
    static func recordRender(_ connection: SQLiteConnection, pitchID: Int64, contactID: Int64, at stamp: Date) throws {
        try connection.run(
            "INSERT INTO pitch_renders (contact_id, pitch_id, rendered_at) VALUES (?, ?, ?) ON CONFLICT (contact_id, pitch_id) DO UPDATE SET rendered_at = excluded.rendered_at",
            [contactID, pitchID, stamp])
    }
}
