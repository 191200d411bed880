import Dispatch
import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@_spi(Composition) @testable import Domain

/// "Now", pinned.
struct FixedClock: Clock {
    let date: Date
    func now() -> Date { date }
}

/// A migrated database in a temporary directory with one user (id 1), and services over it.
struct Fixture {
    let directory = TemporaryDirectory()
    let database: Database
    let services: Services
    static let now = Date(timeIntervalSince1970: 1_795_788_300)  // 2026-11-27T14:05:00Z

    init() throws {
        database = try Database(.init(path: directory.path("domain.sqlite"), readerCount: 2))
        try Migrations.migrator.migrate(database)
        try database.withWriter { try $0.execute("INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'owner', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), (2, 'other', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')") }
        services = Services(database: database, clock: FixedClock(date: Self.now))
    }

    func count(_ table: String) throws -> Int64 {
        try database.read { try $0.scalarInt("SELECT count(*) FROM \(table) " + QueryPlanAudit.testMarker) } ?? -1
    }
}

@Suite("Domain: stores and services on a real SQLite file", .timeLimit(.minutes(1)))
struct DomainTests {
    struct Boom: Error {}

    func contact(_ name: String, organizationID: Int64? = nil, tags: [String] = []) -> Contact {
        var contact = ContactRules().blank(userID: 1, now: Fixture.now)
        contact.name = name
        contact.organizationID = organizationID
        contact.tags = tags
        return contact
    }

    /// Two stores in one write: both commit, or a later failure takes both back.
    @Test func twoStoresInOneTransactionCommitOrRollBackTogether() throws {
        let fixture = try Fixture()
        let storage = fixture.services.storage
        let organization = OrganizationRules().blank(userID: 1, now: Fixture.now)
        let failed = storage.submit { connection -> Int64 in
            var acme = organization
            acme.name = "Acme"
            let inserted = try OrganizationStore.insert(connection, userID: 1, acme, at: Fixture.now)
            _ = try ContactStore.insert(connection, userID: 1, contact("Ada", organizationID: inserted.id, tags: ["alumni", "x"]), at: Fixture.now)
            throw Boom()
        }
        #expect(throws: Boom.self) { try failed.value(within: 10) }
        #expect(try fixture.count("organizations") == 0)
        #expect(try fixture.count("contacts") == 0)
        #expect(try fixture.count("contact_tags") == 0)

        let committed = storage.submit { connection -> (Int64, Int64) in
            var acme = organization
            acme.name = "Acme"
            let inserted = try OrganizationStore.insert(connection, userID: 1, acme, at: Fixture.now)
            let ada = try ContactStore.insert(connection, userID: 1, contact("Ada", organizationID: inserted.id, tags: ["alumni", "x"]), at: Fixture.now)
            return (inserted.id, ada.id)
        }
        let (organizationID, contactID) = try committed.value(within: 10)
        let stored = try fixture.services.contacts.get(userID: 1, id: contactID)
        #expect(stored.organizationID == organizationID)
        #expect(stored.tags == ["alumni", "x"])
        #expect(try fixture.services.organizations.get(userID: 1, id: organizationID).contactCount == 1)
    }

    /// A write that fails after another store wrote rolls back only itself, even in a batch.
    @Test func aFailedCompositeWriteLeavesItsNeighboursInTheBatch() throws {
        let fixture = try Fixture()
        let storage = fixture.services.storage
        let futures = (0..<40).map { index in
            storage.submit { connection -> Int64 in
                let ada = try ContactStore.insert(connection, userID: 1, contact("P\(index)", tags: ["t"]), at: Fixture.now)
                if index % 4 == 0 { throw Boom() }
                return ada.id
            }
        }
        var committed = 0
        for (index, future) in futures.enumerated() {
            if index % 4 == 0 {
                #expect(throws: Boom.self) { try future.value(within: 10) }
            } else {
                _ = try future.value(within: 10)
                committed += 1
            }
        }
        #expect(try fixture.count("contacts") == Int64(committed))
        #expect(try fixture.count("contact_tags") == Int64(committed))
    }

    @Test func servicesApplyTheRulesWithAPinnedClock() throws {
        let fixture = try Fixture()
        let contacts = fixture.services.contacts
        var draft = ContactDraft()
        draft.name = .value("  Ada Lovelace ")
        draft.email = .value("ada@example.com")
        draft.tags = .value(["b", "A", "a"])
        let created = try contacts.create(userID: 1, draft: draft).value(within: 10)
        #expect(created.name == "Ada Lovelace")
        #expect(created.tags == ["A", "b"])
        #expect(created.createdAt == Fixture.now)
        #expect(created.version == 1)
        // What create answered is what a read finds.
        #expect(try contacts.get(userID: 1, id: created.id) == created)
        #expect(throws: DomainError.notFound("No contact \(created.id).")) { try contacts.get(userID: 2, id: created.id) }

        // Validation happens before anything is queued.
        var bad = ContactDraft()
        bad.name = .value(" ")
        bad.email = .value("nope")
        #expect(throws: DomainError.validation([FieldIssue("name", "is required and cannot be empty"), FieldIssue("email", "must be an email address like name@example.com")])) {
            try contacts.create(userID: 1, draft: bad)
        }

        var duplicate = ContactDraft()
        duplicate.name = .value("Ada again")
        duplicate.email = .value("ADA@example.com")
        #expect(throws: DomainError.conflict(code: "duplicate_contact", detail: "Contact \(created.id) (Ada Lovelace) already has the email ADA@example.com.", existingID: created.id)) {
            try contacts.create(userID: 1, draft: duplicate).value(within: 10)
        }
        _ = try contacts.create(userID: 1, draft: duplicate, options: WriteOptions(allowDuplicate: true)).value(within: 10)
        // Another user's duplicate check does not see this user's contacts.
        _ = try contacts.create(userID: 2, draft: duplicate).value(within: 10)

        var patch = ContactDraft()
        patch.title = .value("Countess")
        #expect(throws: DomainError.preconditionFailed(currentVersion: 1)) {
            try contacts.update(userID: 1, id: created.id, draft: patch, precondition: .oneOf([2])).value(within: 10)
        }
        let updated = try contacts.update(userID: 1, id: created.id, draft: patch, precondition: .oneOf([1])).value(within: 10)
        #expect(updated.title == "Countess")
        #expect(updated.version == 2)
        // An update that changes nothing writes nothing.
        let same = try contacts.update(userID: 1, id: created.id, draft: patch, precondition: .none).value(within: 10)
        #expect(same.version == 2)

        try contacts.delete(userID: 1, id: created.id, precondition: .any).value(within: 10)
        #expect(try fixture.count("contacts WHERE id = \(created.id)") == 0)
        #expect(try fixture.count("contact_tags WHERE contact_id = \(created.id)") == 0)
    }

    @Test func organizationRulesRunInsideTheWrite() throws {
        let fixture = try Fixture()
        let organizations = fixture.services.organizations
        var draft = OrganizationDraft()
        draft.name = .value("Acme")
        draft.interestIDs = .value([99])
        #expect(throws: DomainError.validation([FieldIssue("interest_ids", "no such interest: 99")])) {
            try organizations.create(userID: 1, draft: draft).value(within: 10)
        }
        draft.interestIDs = .absent
        let acme = try organizations.create(userID: 1, draft: draft).value(within: 10)
        #expect(throws: DomainError.conflict(code: "name_taken", detail: "An organization named 'Acme' already exists (id \(acme.id)).", existingID: acme.id)) {
            try organizations.create(userID: 1, draft: draft).value(within: 10)
        }
        var person = ContactDraft()
        person.name = .value("Ada")
        person.organizationID = .value(acme.id)
        _ = try fixture.services.contacts.create(userID: 1, draft: person).value(within: 10)
        #expect(throws: DomainError.self) { try organizations.delete(userID: 1, id: acme.id, precondition: .none).value(within: 10) }
        #expect(try organizations.get(userID: 1, id: acme.id).contactCount == 1)
    }

    @Test func pagesFollowTheirKeysetsExactly() throws {
        let fixture = try Fixture()
        var ids: [Int64] = []
        for name in ["b", "A", "c", "a"] {
            var draft = InterestDraft()
            draft.name = .value(name + "rea")
            if name == "a" { draft.name = .value("a2") }
            ids.append(try fixture.services.interests.create(userID: 1, draft: draft).value(within: 10).id)
        }
        let sort = try #require(InterestService.sorts["name"])
        var seen: [String] = []
        var after: Keyset?
        repeat {
            let page = try fixture.services.interests.list(userID: 1, filter: InterestFilter(), page: PageRequest(limit: 3, sort: sort, after: after))
            seen += page.items.map(\.name)
            after = page.next
        } while after != nil
        #expect(seen == ["a2", "Area", "brea", "crea"])
        // A keyset of the wrong shape is refused, not read.
        #expect(throws: DomainError.badCursor) {
            try fixture.services.interests.list(userID: 1, filter: InterestFilter(), page: PageRequest(limit: 3, sort: sort, after: Keyset([Keyset.Key.integer(1)])))
        }
    }

    @Test func storageErrorsBecomeDomainErrors() throws {
        let fixture = try Fixture()
        let storage = fixture.services.storage
        let unique = storage.submit { try $0.run("INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'again', 't', 't')") }
        #expect(throws: DomainError.conflict(code: "conflict", detail: "The change conflicts with an existing record.", existingID: nil)) {
            try unique.value(within: 10)
        }
        let check = storage.submit { try $0.run("INSERT INTO contacts (user_id, name, stage, created_at, updated_at) VALUES (1, 'X', 'bogus', 't', 't')") }
        #expect(throws: DomainError.validation([FieldIssue("body", "A value is out of its allowed range.")])) { try check.value(within: 10) }
        // Anything that is not a rule broken by the input stays what it is (a bare 500 at the edge).
        // (A write on a read connection: SQLite refuses it, query_only.)
        let refused = #expect(throws: SQLiteError.self) { try storage.read { try $0.run("DELETE FROM users WHERE id = 1") } }
        #expect(refused?.message.contains("readonly") == true || refused?.message.contains("query_only") == true)
    }

    /// Every stored column a store declares exists in the schema, and every column of the table
    /// is declared: the declaration and the migrations cannot drift apart unnoticed.
    @Test func columnDeclarationsMatchTheSchema() throws {
        let fixture = try Fixture()
        func check<C: ColumnSet>(_ table: String, _ columns: C.Type) throws {
            let schema = Set(try fixture.database.read { try $0.query("SELECT name FROM pragma_table_info(?)", [table]) { $0.string(0) } })
            var declared = Set<String>()
            for column in C.allCases {
                switch column.role {
                case .id: declared.insert("id")
                case .owner: declared.insert("user_id")
                case .field(let name): declared.insert(name)
                case .createdAt: declared.insert("created_at")
                case .updatedAt: declared.insert("updated_at")
                case .version: declared.insert("version")
                case .computed, .named: break
                }
            }
            #expect(declared.subtracting(schema).isEmpty, "\(table) declares columns it does not have: \(declared.subtracting(schema))")
            // Columns kept by the writes around the store, not part of what it reads or writes
            // (the digest's, by DigestStore).
            let kept: [String: Set<String>] = [
                "tokens": ["lookup", "secret_hash"], "contacts": ["last_touch_at"], "users": Set(["password_hash", "password_changed_at"] + ["email", "at", "days", "when_empty", "confirmed_at", "code_hash", "next_at"].map { "digest_" + $0 }),
                "invites": ["lookup", "secret_hash"], "share_reads": ["share_id"],
            ]
            let undeclared = schema.subtracting(declared).subtracting(kept[table] ?? [])
            #expect(undeclared.isEmpty, "\(table) has columns no store declares: \(undeclared)")
            // The computed ones come last.
            let roles = C.allCases.map { if case .computed = $0.role { true } else { false } }
            #expect(roles == roles.sorted { !$0 && $1 }, "\(table): computed columns must come last")
        }
        try check("contacts", ContactStore.Column.self)
        try check("organizations", OrganizationStore.Column.self)
        try check("interests", InterestStore.Column.self)
        try check("tokens", TokenStore.Column.self)
        try check("users", UserStore.Column.self)
        try check("questions", QuestionStore.Column.self)
        try check("resumes", ResumeStore.Column.self)
        try check("deletions", DeletionStore.Column.self)
        try check("pitches", PitchStore.Column.self)
        try check("meetings", MeetingStore.Column.self)
        try check("referrals", ReferralStore.Column.self)
        try check("events", EventStore.Column.self)
        try check("outreach", OutreachStore.Column.self)
        try check("leads", LeadStore.Column.self)
        try check("insights", InsightStore.Column.self)
        try check("skills", SkillStore.Column.self)
        try check("invites", InviteStore.Column.self)
        try check("shares", ShareStore.Column.self)
        try check("share_reads", ShareStore.ReadColumn.self)
        try check("coach_notes", CoachNoteStore.Column.self)
    }
}

@Suite("Domain: pitch templates and text rules", .timeLimit(.minutes(1)))
struct PitchTextTests {
    @Test func templatesParseIntoTextAndPlaceholders() {
        let template = PitchTemplate("Hi {{ contact.first_name }}, {{contact.hook}}.")
        #expect(template.parts == [.text("Hi "), .placeholder("contact.first_name"), .text(", "), .placeholder("contact.hook"), .text(".")])
        #expect(template.problem == nil)
        #expect(PitchTemplate("{{contact.age}} {{me.name}} {{contact.age}}").unknown == ["contact.age"])
        #expect(PitchTemplate("{{{contact.name}}}").unknown == ["{contact.name"])
        #expect(PitchTemplate("Hi {{contact.name").unclosed)
        #expect(PitchTemplate("Hi {{contact.name").problem?.contains("without a closing") == true)
        #expect(PitchTemplate("braces } and { alone, and }} too").problem == nil)
        #expect(PitchTemplate("").parts.isEmpty)
    }

    @Test func wordsSplitOnPunctuationAndMatchWhole() {
        #expect(Words.of("Jobs-board, Acme's  café 2026!") == ["jobs", "board", "acme", "s", "café", "2026"])
        #expect(Words.contains(Words.of("Where are carbon markets heading?"), phrase: ["carbon", "markets"]))
        #expect(!Words.contains(Words.of("carbon and markets"), phrase: ["carbon", "markets"]))
        #expect(!Words.contains(["a"], phrase: ["a", "b"]))
        #expect(PitchLint.jobWords.isSuperset(of: ["job", "jobs", "vacancy", "vacancies", "hiring", "openings"]))
        #expect(!PitchLint.jobWords.contains("project"))
    }

    @Test func theHookMustOpenTheFirstSentence() {
        #expect(PitchLint.opensWith("I read your A.I. essay", "Dear Ann,\nI read your A.I. essay. Could we talk?"))
        #expect(!PitchLint.opensWith("I read your essay", "Hello there. I read your essay."))
        #expect(PitchLint.opensWith("read your essay", "Hi, I READ YOUR ESSAY."))
        #expect(!PitchLint.opensWith("missing", "Hi."))
    }
}

@Suite("Domain: ordered sub-collections", .timeLimit(.minutes(1)))
struct PositionedListTests {
    let list = PositionedList(table: "agenda", parentColumn: "parent_id")

    func makeDatabase(_ directory: TemporaryDirectory) throws -> Database {
        let database = try Database(.init(path: directory.path("positions.sqlite"), readerCount: 1))
        try database.withWriter { try $0.execute("""
            CREATE TABLE agenda (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, label TEXT NOT NULL, position INTEGER NOT NULL,
                UNIQUE (parent_id, position));
            """) }
        return database
    }

    /// Labels of a parent's items in position order, checking the positions are 1…n.
    func order(_ database: Database, parent: Int64) throws -> [String] {
        let rows = try database.read { try $0.query("SELECT label, position FROM agenda WHERE parent_id = ? ORDER BY position", [parent]) { ($0.string(0), $0.int64(1)) } }
        #expect(rows.map(\.1) == (0..<rows.count).map { Int64($0 + 1) }, "positions are not dense: \(rows)")
        return rows.map(\.0)
    }

    func insert(_ database: Database, parent: Int64, _ label: String, at position: Int64? = nil) throws -> Int64 {
        try database.write { connection in
            let at = try list.makeRoom(connection, parentID: parent, at: position)
            try connection.run("INSERT INTO agenda (parent_id, label, position) VALUES (?, ?, ?)", [parent, label, at])
            return connection.lastInsertRowID
        }
    }

    @Test func insertMoveAndRemoveKeepPositionsDense() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let a = try insert(database, parent: 1, "a")
        let b = try insert(database, parent: 1, "b")
        _ = try insert(database, parent: 1, "c")
        _ = try insert(database, parent: 2, "other")
        #expect(try order(database, parent: 1) == ["a", "b", "c"])
        _ = try insert(database, parent: 1, "first", at: 1)
        _ = try insert(database, parent: 1, "beyond", at: 99)
        _ = try insert(database, parent: 1, "zero", at: 0)
        #expect(try order(database, parent: 1) == ["zero", "first", "a", "b", "c", "beyond"])

        // Forward, backward, clamped, and onto itself.
        try database.write { try list.move($0, parentID: 1, id: a, to: 5) }
        #expect(try order(database, parent: 1) == ["zero", "first", "b", "c", "a", "beyond"])
        try database.write { try list.move($0, parentID: 1, id: a, to: 1) }
        #expect(try order(database, parent: 1) == ["a", "zero", "first", "b", "c", "beyond"])
        #expect(try database.write { try list.move($0, parentID: 1, id: b, to: 500) } == 6)
        #expect(try order(database, parent: 1) == ["a", "zero", "first", "c", "beyond", "b"])
        #expect(try database.write { try list.move($0, parentID: 1, id: b, to: 6) } == 6)
        // Another parent's item is not found under this one, and nothing moved.
        #expect(throws: DomainError.self) { try database.write { try list.move($0, parentID: 2, id: a, to: 1) } }
        #expect(try order(database, parent: 2) == ["other"])

        // Removing closes the gap.
        try database.write { connection in
            let position = try #require(try connection.scalarInt("SELECT position FROM agenda WHERE id = ?", [a]))
            try connection.run("DELETE FROM agenda WHERE id = ?", [a])
            try list.close(connection, parentID: 1, after: position)
        }
        #expect(try order(database, parent: 1) == ["zero", "first", "c", "beyond", "b"])
        #expect(try order(database, parent: 2) == ["other"])
    }
}

@Suite("Domain: tokens", .timeLimit(.minutes(1)))
struct TokenTests {
    /// The race made deterministic: a lookup has read the token, a revocation commits and
    /// clears the cache, then the lookup would cache what it read. It must not.
    @Test func aLookupThatStartedBeforeARevocationDoesNotCacheTheToken() throws {
        let fixture = try Fixture()
        let reached = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        let holding = Lock(true)
        // An account service of this test's own, with the fault point production never sets.
        let accounts = AccountService(storage: fixture.services.storage, clock: FixedClock(date: Fixture.now), afterLookup: {
            guard holding.withLock({ $0 }) else { return }
            reached.signal()
            _ = proceed.wait(timeout: .now() + 10)
        })
        let (token, secret) = try accounts.createToken(userID: 1, name: "laptop")
        let lookup = Future<Principal?>()
        Thread.detachNewThread { lookup.complete(Result { try accounts.authenticate(secret) }) }
        try reached.waitOrThrow(10, "the lookup")
        holding.withLock { $0 = false }
        try accounts.deleteToken(userID: 1, id: token.id, precondition: .none)
        proceed.signal()
        // That request was in flight before the revocation: it may pass. Nothing after it may.
        _ = try lookup.value(within: 10)
        #expect(try accounts.authenticate(secret) == nil)
    }

    @Test func lastUsedIsRecordedWithoutWaitingAndAtMostOnceAMinute() throws {
        let fixture = try Fixture()
        let accounts = fixture.services.accounts
        let (token, secret) = try accounts.createToken(userID: 1, name: "phone")
        #expect(try accounts.authenticate(secret)?.tokenID == token.id)
        #expect(try waitUntil { try accounts.token(userID: 1, id: token.id).lastUsedAt == Fixture.now })
        for _ in 0..<5 { _ = try accounts.authenticate(secret) }
        #expect(try fixture.database.read { try $0.scalarInt("SELECT count(*) FROM tokens WHERE last_used_at IS NOT NULL /* plan: a test's own check of what is stored */") } == 1)
    }
}

/// A clock the test moves by hand, backwards too.
final class SteppingClock: Clock, @unchecked Sendable {
    // Reached only under the lock.
    private let current = Lock<Date>(Fixture.now)
    func now() -> Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
}

@Suite("Domain: sync stamps and tombstones", .timeLimit(.minutes(1)))
struct SyncStampTests {
    @Test func stampsNeverGoBackwardsWhenTheClockDoes() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("sync.sqlite"), readerCount: 1))
        try Migrations.migrator.migrate(database)
        try database.withWriter { try $0.execute("INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'owner', 't', 't')") }
        let clock = SteppingClock()
        let services = Services(database: database, clock: clock)
        var draft = InterestDraft()
        draft.name = .value("First")
        let first = try services.interests.create(userID: 1, draft: draft).value(within: 10)
        #expect(first.createdAt == Fixture.now)
        clock.set(Fixture.now.addingTimeInterval(-3600))  // the wall clock steps back an hour
        draft.name = .value("Second")
        let second = try services.interests.create(userID: 1, draft: draft).value(within: 10)
        #expect(second.createdAt == Fixture.now)
        var patch = InterestDraft()
        patch.goal = .value("later")
        let patched = try services.interests.update(userID: 1, id: first.id, draft: patch, precondition: .none).value(within: 10)
        #expect(patched.updatedAt == Fixture.now)
        clock.set(Fixture.now.addingTimeInterval(5))
        let moved = try services.interests.update(userID: 1, id: second.id, draft: patch, precondition: .none).value(within: 10)
        #expect(moved.updatedAt == Fixture.now.addingTimeInterval(5))
        #expect(moved.createdAt == Fixture.now)
    }

    @Test func deletionsLeaveTombstonesAndMoveWhatLostALink() throws {
        let fixture = try Fixture()
        var interestDraft = InterestDraft()
        interestDraft.name = .value("Robotics")
        let interest = try fixture.services.interests.create(userID: 1, draft: interestDraft).value(within: 10)
        var contactDraft = ContactDraft()
        contactDraft.name = .value("Ada")
        contactDraft.interestIDs = .value([interest.id])
        let ada = try fixture.services.contacts.create(userID: 1, draft: contactDraft).value(within: 10)
        var organizationDraft = OrganizationDraft()
        organizationDraft.name = .value("Acme")
        organizationDraft.interestIDs = .value([interest.id])
        let acme = try fixture.services.organizations.create(userID: 1, draft: organizationDraft).value(within: 10)
        contactDraft.name = .value("Bo")
        contactDraft.interestIDs = .absent
        let bo = try fixture.services.contacts.create(userID: 1, draft: contactDraft).value(within: 10)

        try fixture.services.interests.delete(userID: 1, id: interest.id, precondition: .none).value(within: 10)
        try fixture.services.contacts.delete(userID: 1, id: bo.id, precondition: .none).value(within: 10)
        let adaAfter = try fixture.services.contacts.get(userID: 1, id: ada.id)
        #expect(adaAfter.interestIDs == [])
        #expect(adaAfter.version == 2)
        #expect(try fixture.services.organizations.get(userID: 1, id: acme.id).version == 2)

        let sort = try #require(DeletionService.sorts["deleted_at"])
        let page = try fixture.services.deletions.list(userID: 1, since: nil, page: PageRequest(limit: 10, sort: sort, after: nil))
        #expect(page.items.map(\.type) == ["interest", "contact"])
        #expect(page.items.map(\.id) == [interest.id, bo.id])
        #expect(page.items.allSatisfy { $0.deletedAt == Fixture.now })
        #expect(try fixture.services.deletions.list(userID: 2, since: nil, page: PageRequest(limit: 10, sort: sort, after: nil)).items.isEmpty)
        #expect(try fixture.services.deletions.list(userID: 1, since: Fixture.now.addingTimeInterval(1), page: PageRequest(limit: 10, sort: sort, after: nil)).items.isEmpty)

        // Tombstones older than 90 days go with the account's next deletion.
        try fixture.database.withWriter { try $0.run("UPDATE deletions SET deleted_at = '2026-08-01T00:00:00.000Z' WHERE object_id = ? /* plan: a test's own check of what is stored */", [interest.id]) }
        contactDraft.name = .value("Cy")
        let cy = try fixture.services.contacts.create(userID: 1, draft: contactDraft).value(within: 10)
        try fixture.services.contacts.delete(userID: 1, id: cy.id, precondition: .none).value(within: 10)
        let kept = try fixture.services.deletions.list(userID: 1, since: nil, page: PageRequest(limit: 10, sort: sort, after: nil))
        #expect(kept.items.map(\.id) == [bo.id, cy.id])
    }
}
