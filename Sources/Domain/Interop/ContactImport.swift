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
    /// When the person was found, a local date (YYYY-MM-DD): LinkedIn's "Connected On".
    public var identifiedDay: String?
    /// The same as an instant (a Foothold vCard's X-FOOTHOLD-IDENTIFIED).
    public var identifiedAt: Date?
    /// What the file said that could not be read, the row taken without it.
    public var warnings: [String] = []
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
    /// Rows taken without something the file said (a date that could not be read).
    public var warnings: [Skipped] = []
    public var dryRun = false
}

/// What an import gives every contact it creates or merges into, besides the file's fields.
public struct ImportExtras: Sendable, Equatable {
    public var interestIDs: [Int64] = []
    public var tags: [String] = []

    public init(interestIDs: [Int64] = [], tags: [String] = []) {
        self.interestIDs = interestIDs
        self.tags = tags
    }
}

/// Imports contacts from records (LinkedIn, vCard): each is validated by the contact rules,
/// its organization matched by name (ignoring case) or created, and a contact with the same
/// LinkedIn profile or email merged into (empty fields filled, nothing overwritten) instead of
/// doubled. Batches of `batchSize` records commit one by one: a failure stops the import with
/// the earlier batches kept and nothing of its own batch written; importing the same file
/// again completes it and changes nothing that is there.
public final class ImportService: Sendable {
    let storage: Storage
    let clock: any Clock

    public static let batchSize = 1000
    /// For tests (`FaultPoints.importFails`): true for a record's name makes it fail as a
    /// storage failure would.
    let fails: (@Sendable (String) -> Bool)?

    /// A dry run's report, thrown out of its write to roll it back.
    struct DryRun: Error {
        var report: ImportReport
    }

    /// Raised where `fails` says so.
    public struct InjectedFailure: Error {}

    public init(storage: Storage, clock: any Clock = SystemClock(), fails: (@Sendable (String) -> Bool)? = nil) {
        self.storage = storage
        self.clock = clock
        self.fails = fails
    }

    /// Imports `records` for the user; `progress` is told after each batch (rows done).
    public func importContacts(
        userID: Int64, records: [ImportRecord], dryRun: Bool, extras: ImportExtras = ImportExtras(),
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> ImportReport {
        var validator = Validator()
        let extras = ImportExtras(
            interestIDs: OwnedIDs.normalized(extras.interestIDs, field: "interest_ids", &validator), tags: Tags.normalized(extras.tags, &validator))
        try validator.finish()
        if !extras.interestIDs.isEmpty {
            try storage.read { connection in
                if let issue = try OwnedIDs.issue(extras.interestIDs, in: "interests", noun: "interest", field: "interest_ids", userID: userID, connection) {
                    throw DomainError.validation([issue])
                }
            }
        }
        let now = clock.now()
        if dryRun {
            // One write for everything, rolled back: later rows see earlier ones, as for real.
            do {
                _ = try storage.submit { connection -> Void in
                    var report = ImportReport()
                    report.dryRun = true
                    try Self.apply(records[...], userID: userID, extras: extras, connection, at: self.storage.stamp(), now: now, fails: self.fails, into: &report)
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
                try Self.apply(batch, userID: userID, extras: extras, connection, at: self.storage.stamp(), now: now, fails: self.fails, into: &next)
                return next
            }.wait()
            done += batch.count
            progress(done)
        }
        return report
    }

    static func apply(
        _ records: ArraySlice<ImportRecord>, userID: Int64, extras: ImportExtras, _ connection: SQLiteConnection, at stamp: Date, now: Date,
        fails: (@Sendable (String) -> Bool)? = nil, into report: inout ImportReport
    ) throws {
        let rules = ContactRules()
        let zone = try ZoneCache.rules(connection, userID: userID)
        for record in records {
            if let fails, let name = record.name, fails(name) { throw InjectedFailure() }
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
            let tags = record.tags + extras.tags.filter { !record.tags.contains($0) }
            if !tags.isEmpty { draft.tags = .value(tags) }
            if !extras.interestIDs.isEmpty { draft.interestIDs = .value(extras.interestIDs) }
            var warnings = record.warnings
            var found = record.identifiedAt
            if let day = record.identifiedDay, let parsed = LocalDay.parse(day) {
                found = Date(timeIntervalSince1970: Double(zone.startOfDay(year: parsed.year, month: parsed.month, day: parsed.day)))
            }
            if let at = found {
                if at > now.addingTimeInterval(Validator.clockSkew) {
                    warnings.append("the date \(record.identifiedDay ?? RFC3339.format(at)) is in the future; the contact was imported without it")
                } else {
                    draft.identifiedAt = .value(at)
                }
            }
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
            for warning in warnings { report.warnings.append(.init(row: record.row, reason: warning)) }
            guard let existingID else {
                contact.createdAt = stamp
                contact.updatedAt = stamp
                if contact.identifiedAt == nil { contact.identifiedAt = stamp }
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
            merged.tags = current.tags + contact.tags.filter { !current.tags.contains($0) }
            merged.interestIDs = Array(Set(current.interestIDs).union(contact.interestIDs)).sorted()
            // The file may know the person from before they were added here.
            if let found = contact.identifiedAt, found < current.identified { merged.identifiedAt = found }
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
                if let day = Self.date(text) {
                    record.identifiedDay = day
                    record.notes = "Connected on LinkedIn on \(day)."
                } else {
                    // A person is never skipped over a date.
                    record.warnings.append("Connected On: \"\(text)\" is not a date; the contact was imported without it")
                }
            }
            if record.name == nil { record.problem = "has no first or last name" }
            records.append(record)
        }
        return records
    }

    /// A "Connected On" date as YYYY-MM-DD, in the forms LinkedIn and spreadsheets write it:
    /// `12 Mar 2024` (LinkedIn's), `12-Mar-2024`, `Mar 12, 2024`, `March 12 2024`, `2024-03-12`
    /// (with or without a time after it), `2024/03/12`, and `3/12/2024` or `3/12/24`, read
    /// month first as Excel writes it in the US unless the first number cannot be a month
    /// (`31/1/2024`). Nil for anything else, or a day the month does not have.
    static func date(_ text: String) -> String? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        func month(_ word: Substring) -> Int? {
            guard word.count >= 3, let index = months.firstIndex(of: word.prefix(3).lowercased()) else { return nil }
            return index + 1
        }
        func fullYear(_ value: Int, digits: Int) -> Int { digits == 2 ? 2000 + value : value }
        var year = 0, monthNumber = 0, day = 0
        var trimmed = text.trimmingWhitespace()
        // ISO 8601 with a time: the date is the first ten characters.
        if trimmed.utf8.count > 10, trimmed.prefix(4).allSatisfy(\.isNumber), Array(trimmed.utf8)[10] == UInt8(ascii: "T") { trimmed = String(trimmed.prefix(10)) }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "/" || $0 == "." })
        guard words.count >= 3 else { return nil }
        let numbers = words.prefix(3).map { Int($0) }
        if let m = month(words[1]), let d = numbers[0], let y = numbers[2] {
            (day, monthNumber, year) = (d, m, fullYear(y, digits: words[2].count))
        } else if let m = month(words[0]), let d = numbers[1], let y = numbers[2] {
            (day, monthNumber, year) = (d, m, fullYear(y, digits: words[2].count))
        } else if let a = numbers[0], let b = numbers[1], let c = numbers[2] {
            if words[0].count == 4 {
                (year, monthNumber, day) = (a, b, c)
            } else if trimmed.contains("/") || trimmed.contains(".") || trimmed.contains("-") {
                let y = fullYear(c, digits: words[2].count)
                // Month first (US Excel), unless the first number cannot be a month.
                (monthNumber, day, year) = a > 12 ? (b, a, y) : (a, b, y)
            } else {
                return nil
            }
        } else {
            return nil
        }
        // Only a time may follow the date.
        if words.count > 3 && !words[3].contains(":") && Int(words[3]) == nil { return nil }
        guard (1900...9999).contains(year), (1...12).contains(monthNumber), (1...RFC3339.daysIn(month: monthNumber, year: year)).contains(day) else {
            return nil
        }
        return "\(year)-" + (monthNumber < 10 ? "0" : "") + "\(monthNumber)-" + (day < 10 ? "0" : "") + "\(day)"
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
