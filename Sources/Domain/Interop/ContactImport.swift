#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// One contact as a file describes it, before validation: a LinkedIn row or a vCard.
public struct ImportRecord: Sendable, Equatable {
    /// The data row (LinkedIn: counted from 1 after the header) or the card (vCard: from 1).
    public var row: Int
    public var name: String?
    public var title: String?
    public var organizationName: String?
    public var email: String?
    public var phone: String?
    public var linkedinURL: String?
    public var location: String?
    public var notes: String?
    public var source: String?
    public var hook: String?
    public var stage: String?
    public var keepInTouchDays: Int?
    public var tags: [String] = []
    /// Set when the file itself already says why the row cannot be taken.
    public var problem: String?

    public init(row: Int) {
        self.row = row
    }
}

/// What an import did (or, for a dry run, would do).
public struct ImportReport: Sendable, Equatable {
    public struct Skipped: Sendable, Equatable {
        public var row: Int
        public var reason: String
    }

    public var created = 0
    public var merged = 0
    public var unchanged = 0
    public var organizationsCreated = 0
    public var skipped: [Skipped] = []
    public var dryRun = false
}

/// Imports contacts from records (LinkedIn, vCard): each is validated by the contact rules,
/// its organization matched by name (ignoring case) or created, and a contact with the same
/// LinkedIn profile or email merged into (empty fields filled, nothing overwritten) instead of
/// doubled. Batches of `batchSize` records commit one by one: a failure stops the import with
/// the earlier batches kept and nothing of its own batch written; importing the same file
/// again completes it and changes nothing that is there.
public final class ImportService: @unchecked Sendable {
    // Immutable after init.
    let storage: Storage
    let clock: any Clock

    public static let batchSize = 1000
    /// For tests: a record with this name fails as a storage failure would (nil: none). A
    /// name, not a row number: tests run in parallel, and only the one that set it uses it.
    public static let failingName = Lock<String?>(nil)

    /// A dry run's report, thrown out of its write to roll it back.
    struct DryRun: Error {
        var report: ImportReport
    }

    /// Raised by `failingRow`.
    public struct InjectedFailure: Error {}

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// Imports `records` for the user; `progress` is told after each batch (rows done).
    public func importContacts(
        userID: Int64, records: [ImportRecord], dryRun: Bool, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> ImportReport {
        if dryRun {
            // One write for everything, rolled back: later rows see earlier ones, as for real.
            do {
                _ = try storage.submit { connection -> Void in
                    var report = ImportReport()
                    report.dryRun = true
                    try Self.apply(records[...], userID: userID, connection, at: self.storage.stamp(), into: &report)
                    throw DryRun(report: report)
                }.wait()
            } catch let result as DryRun {
                return result.report
            }
            return ImportReport(dryRun: true)
        }
        var report = ImportReport()
        var done = 0
        while done < records.count {
            let batch = records[done..<min(done + Self.batchSize, records.count)]
            report = try storage.submit { [report] connection in
                var next = report
                try Self.apply(batch, userID: userID, connection, at: self.storage.stamp(), into: &next)
                return next
            }.wait()
            done += batch.count
            progress(done)
        }
        return report
    }

    static func apply(_ records: ArraySlice<ImportRecord>, userID: Int64, _ connection: SQLiteConnection, at stamp: Date, into report: inout ImportReport) throws {
        let rules = ContactRules()
        for record in records {
            if let failing = failingName.withLock({ $0 }), failing == record.name { throw InjectedFailure() }
            if let problem = record.problem {
                report.skipped.append(.init(row: record.row, reason: problem))
                continue
            }
            var draft = ContactDraft()
            draft.name = Patch(record.name)
            draft.title = Patch(record.title)
            draft.email = Patch(record.email)
            draft.phone = Patch(record.phone)
            draft.linkedinURL = Patch(record.linkedinURL)
            draft.location = Patch(record.location)
            draft.notes = Patch(record.notes)
            draft.source = Patch(record.source)
            draft.hook = Patch(record.hook)
            draft.keepInTouchDays = Patch(record.keepInTouchDays)
            if !record.tags.isEmpty { draft.tags = .value(record.tags) }
            if let stage = record.stage {
                guard let parsed = ContactStage(rawValue: stage) else {
                    report.skipped.append(.init(row: record.row, reason: "stage: \(stage) is not a stage"))
                    continue
                }
                draft.stage = .value(parsed)
            }
            var contact = rules.blank(userID: userID, now: stamp)
            do {
                try rules.apply(draft, to: &contact)
            } catch {
                report.skipped.append(.init(row: record.row, reason: Self.reason(error)))
                continue
            }
            if let name = record.organizationName {
                guard name.utf8.count <= 200 else {
                    report.skipped.append(.init(row: record.row, reason: "organization: longer than 200 characters"))
                    continue
                }
                if let existing = try connection.scalarInt("SELECT id FROM organizations WHERE user_id = ? AND name = ? COLLATE NOCASE", [userID, name]) {
                    contact.organizationID = existing
                } else {
                    var organization = OrganizationRules().blank(userID: userID, now: stamp)
                    organization.name = name
                    contact.organizationID = try OrganizationStore.insert(connection, userID: userID, organization, at: stamp).id
                    report.organizationsCreated += 1
                }
            }
            let existingID = try LinkedInURL.key(contact.linkedinURL).flatMap { try ContactStore.withLinkedInKey(connection, userID: userID, $0, except: nil)?.id }
                ?? contact.email.flatMap { try ContactStore.withEmail(connection, userID: userID, $0, except: nil)?.id }
            guard let existingID else {
                contact.createdAt = stamp
                contact.updatedAt = stamp
                _ = try ContactStore.insert(connection, userID: userID, contact, at: stamp)
                report.created += 1
                continue
            }
            let current = try ContactStore.load(connection, userID: userID, id: existingID)
            var merged = current
            merged.title = current.title ?? contact.title
            merged.organizationID = current.organizationID ?? contact.organizationID
            merged.email = current.email ?? contact.email
            merged.phone = current.phone ?? contact.phone
            merged.linkedinURL = current.linkedinURL ?? contact.linkedinURL
            merged.location = current.location ?? contact.location
            merged.notes = current.notes ?? contact.notes
            merged.source = current.source ?? contact.source
            merged.hook = current.hook ?? contact.hook
            merged.keepInTouchDays = current.keepInTouchDays ?? contact.keepInTouchDays
            if current.tags.isEmpty { merged.tags = contact.tags }
            guard merged != current else {
                report.unchanged += 1
                continue
            }
            try ContactStore.update(connection, merged, replacing: current, at: stamp)
            try rules.saved(connection, merged, replacing: current, checked: (), at: stamp)
            report.merged += 1
        }
    }

    /// A refusal as one line: "email: must be an email address; name: is required".
    static func reason(_ error: any Error) -> String {
        if case DomainError.validation(let issues) = error {
            return issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        }
        return "\(error)"
    }
}

/// LinkedIn's Connections.csv: a "Notes:" preamble, then the header row, then one connection
/// per row; emails are often empty, dates read `12 Mar 2024`.
public enum LinkedInConnections {
    static let columns = ["first name", "last name", "url", "email address", "company", "position", "connected on"]

    public struct NotConnections: Error, Sendable, Equatable {
        public var reason: String
    }

    public static func records(_ bytes: [UInt8]) throws(NotConnections) -> [ImportRecord] {
        let rows: [CSV.Record]
        do {
            rows = try CSV.records(bytes)
        } catch {
            throw NotConnections(reason: "The body is not CSV: line \(error.line) \(error.reason).")
        }
        // The header is the first record naming the columns; what comes before is the preamble.
        guard let headerIndex = rows.firstIndex(where: { record in
            let names = Set(record.fields.map { $0.trimmingWhitespace().lowercased() })
            return names.contains("first name") && names.contains("last name") && names.contains("url")
        }) else {
            throw NotConnections(reason: "No header row with First Name, Last Name and URL: this is not LinkedIn's Connections.csv.")
        }
        let header = rows[headerIndex].fields.map { $0.trimmingWhitespace().lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        let first = column("first name"), last = column("last name"), url = column("url"), email = column("email address")
        let company = column("company"), position = column("position"), connected = column("connected on")
        var records: [ImportRecord] = []
        for (offset, row) in rows[(headerIndex + 1)...].enumerated() {
            let fields = row.fields
            if fields.count == 1 && fields[0].trimmingWhitespace().isEmpty { continue }
            var record = ImportRecord(row: offset + 1)
            guard fields.count == header.count else {
                record.problem = "has \(fields.count) fields where the header has \(header.count)"
                records.append(record)
                continue
            }
            // One line each: a line break inside a quoted field ("Lab Manager\nand Safety") is a space.
            func value(_ index: Int?) -> String? {
                guard let index else { return nil }
                let text = fields[index].split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ").trimmingWhitespace()
                return text.isEmpty ? nil : text
            }
            let name = [value(first), value(last)].compactMap { $0 }.joined(separator: " ")
            record.name = name.isEmpty ? nil : name
            record.linkedinURL = value(url)
            record.email = value(email)
            record.organizationName = value(company)
            record.title = value(position)
            record.source = "linkedin"
            if let text = value(connected) {
                guard let day = Self.date(text) else {
                    record.problem = "Connected On: \"\(text)\" is not a date like 12 Mar 2024"
                    records.append(record)
                    continue
                }
                record.notes = "Connected on LinkedIn on \(day)."
            }
            if record.name == nil { record.problem = "has no first or last name" }
            records.append(record)
        }
        return records
    }

    /// `12 Mar 2024` (LinkedIn's form) as 2024-03-12.
    static func date(_ text: String) -> String? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 3, let day = Int(parts[0]), let year = Int(parts[2]), (1900...9999).contains(year),
              let month = months.firstIndex(of: parts[1].prefix(3).lowercased()).map({ $0 + 1 }),
              (1...RFC3339.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return "\(year)-" + (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)"
    }
}

extension VCard {
    /// The records of a body of vCards: one per card, numbered from 1; a card without its END
    /// is skipped with that reason.
    public static func records(_ bytes: [UInt8]) throws(Malformed) -> [ImportRecord] {
        let (cards, unterminated) = try cards(bytes)
        var records: [(line: Int, record: ImportRecord)] = cards.map { card in (card.line, record(card, row: 0)) }
        for line in unterminated {
            var record = ImportRecord(row: 0)
            record.problem = "the card that begins on line \(line) has no END:VCARD"
            records.append((line, record))
        }
        records.sort { $0.line < $1.line }
        return records.enumerated().map { index, entry in
            var record = entry.record
            record.row = index + 1
            if record.problem == nil && record.name == nil { record.problem = "has no FN or N" }
            return record
        }
    }
}
