import Primitives
import Testing
@testable import Domain

/// Rules behind issue 24's findings, without sockets.
@Suite("Finding rules")
struct FindingRuleTests {
    @Test func connectedOnDatesInTheFormsSpreadsheetsWrite() {
        let cases: [(String, String?)] = [
            ("12 Mar 2024", "2024-03-12"), ("7 Nov 2022", "2022-11-07"), ("12-Mar-2024", "2024-03-12"), ("Mar 12, 2024", "2024-03-12"),
            ("March 12 2024", "2024-03-12"), ("12 March 2024", "2024-03-12"), ("2024-01-31", "2024-01-31"), ("2024-01-31 00:00:00", "2024-01-31"),
            ("2024-01-31T08:00:00Z", "2024-01-31"), ("2024/01/31", "2024-01-31"), ("3/12/2024", "2024-03-12"), ("3/12/24", "2024-03-12"),
            ("31/1/2024", "2024-01-31"), ("31.01.2024", "2024-01-31"), (" 12 Oct 2024 ", "2024-10-12"),
            ("31 Feb 2024", nil), ("2/30/2024", nil), ("13/13/2024", nil), ("someday", nil), ("12 Foo 2024", nil), ("2024", nil),
            ("12 Mar 2024 banana", nil), ("", nil),
        ]
        for (text, expected) in cases { #expect(LinkedInConnections.date(text) == expected, "\(text)") }
    }

    @Test func lineBreaksBecomeLineFeeds() {
        #expect(Validator.lineFeeds("a\r\nb\rc\nd") == "a\nb\nc\nd")
        #expect(Validator.lineFeeds("a\r\r\nb") == "a\n\nb")
        #expect(Validator.lineFeeds("plain") == "plain")
        #expect(Validator.lineFeeds("é\r\n😀") == "é\n😀")
    }

    @Test func foldedNamesIgnoreCaseDiacriticsAndNormalization() {
        #expect(NameKey.fold("Álvarez") == "alvarez")
        #expect(NameKey.fold("A\u{301}lvarez") == "alvarez")
        #expect(NameKey.fold("ÉLISE") == "elise")
        #expect(NameKey.fold("Søren Łukasz Straße") == "soren lukasz strasse")
        #expect(NameKey.fold("  Zack   Young ") == "zack young")
        #expect(NameKey.fold("Zoë\u{00A0}Berg") == "zoe berg")
        #expect(NameKey.fold("李小龙") == "李小龙")
        #expect(NameKey.fold("Élise") < NameKey.fold("Zack"))
    }

    @Test func referralMovesIncludeCorrections() {
        let moves = ReferralRules.moves
        #expect(moves[.suggested] == [.contacted, .met, .declined])
        #expect(moves[.met] == [.contacted, .suggested])
        #expect(moves[.declined]?.contains(.met) == false)
        #expect(moves[.met]?.contains(.declined) == false)
        // Every status can be reached again from every other, through corrections.
        for from in ReferralStatus.allCases {
            var reached: Set<ReferralStatus> = [from]
            var frontier = [from]
            while let next = frontier.popLast() {
                for to in moves[next] ?? [] where reached.insert(to).inserted { frontier.append(to) }
            }
            #expect(reached == Set(ReferralStatus.allCases), "\(from)")
        }
    }
}

extension FindingRuleTests {
    /// Each phrase of the one list, found in a sentence that uses it; and the two the search met.
    @Test(arguments: PitchLint.jobAsks)
    func everyJobAskIsFound(_ phrase: String) {
        let sentence = "Hello, I admire your work and \(phrase) is on my mind. Could we talk?"
        #expect(PitchLint.jobAsks(in: sentence).contains(phrase), "\(phrase)")
    }

    @Test func jobAsksPeopleWriteAndWordsThatAreNot() {
        #expect(PitchLint.jobAsks(in: "Could you refer me to your recruiter?") == ["recruiter"])
        #expect(PitchLint.jobAsks(in: "I'm applying to the analyst role") == ["applying to"])
        #expect(PitchLint.jobAsks(in: "What is the role of data in freight?") == [])
        #expect(PitchLint.jobAsks(in: "Are there any openings or jobs on your team?") == ["openings", "jobs"])
        #expect(PitchLint.jobAsks(in: "Could you put in a good word for me?") == ["put in a good word"])
        // Curiosity about someone's work is no job ask.
        #expect(PitchLint.jobAsks(in: "What does your role involve, and whom else should I talk to? Could you refer me to a colleague?") == [])
        #expect(PitchLint.jobAsks(in: "How did you find your way into freight analytics?") == [])
    }

    @Test func organizationsCountByTheirWholeName() {
        let contact = Contact(
            id: 1, userID: 1, name: "Ben Ng", title: nil, organizationID: 1, email: nil, phone: nil, linkedinURL: nil, location: nil, source: nil,
            hook: nil, tags: [], interestIDs: [], stage: .identified, keepInTouchDays: nil, notes: nil, identifiedAt: nil, createdAt: .distantPast,
            updatedAt: .distantPast, version: 1)
        let tailoring = Tailoring(contact: contact, organizationName: "Acme Robotics, Inc.")
        #expect(!tailoring.isTailored("What got you into robotics?"))
        #expect(tailoring.isTailored("How does Acme Robotics pick its projects?"))
        #expect(tailoring.isTailored("What does Ben look for in a new hire?"))
    }
}

import SQLiteCore
import TestSupport

extension FindingRuleTests {
    /// Migration 0017 on a database with rows: names folded by its Swift step, identified_at
    /// from created_at, CR LF notes as LF, an insight given its contact's only area.
    @Test func migration0017FillsWhatSQLCannot() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("old.sqlite"), readerCount: 1))
        let all = Migrations.all
        try Migrator(migrations: all.filter { $0.name < "0017" }).migrate(database)
        try database.write { connection in
            try connection.run("INSERT INTO users (name, created_at, updated_at) VALUES ('old', 't', 't')")
            try connection.run("INSERT INTO interests (user_id, name, created_at, updated_at) VALUES (1, 'Freight', 't', 't')")
            try connection.run("INSERT INTO organizations (user_id, name, created_at, updated_at) VALUES (1, 'Öresund AB', 't', 't')")
            try connection.run(
                "INSERT INTO contacts (user_id, name, notes, stage, created_at, updated_at) VALUES (1, 'Élise Álvarez', 'a' || char(13) || char(10) || 'b', 'identified', '2025-01-02T03:04:05.000Z', 't')")
            try connection.run("INSERT INTO contact_interests (contact_id, interest_id) VALUES (1, 1)")
            try connection.run("INSERT INTO insights (user_id, contact_id, kind, text, created_at, updated_at) VALUES (1, 1, 'advice', 'x', 't', 't')")
        }
        let applied = try Migrator(migrations: all).migrate(database)
        #expect(applied.contains("0017_findings.sql"))
        let contact = try database.read { try $0.queryOne("SELECT name_key, identified_at, notes FROM contacts WHERE id = 1") { [$0.string(0), $0.string(1), $0.string(2)] } }
        #expect(contact == ["elise alvarez", "2025-01-02T03:04:05.000Z", "a\nb"])
        #expect(try database.read { try $0.queryOne("SELECT name_key FROM organizations WHERE id = 1") { $0.string(0) } } == "oresund ab")
        #expect(try database.read { try $0.scalarInt("SELECT interest_id FROM insights WHERE id = 1") } == 1)
        #expect(try database.read { try $0.queryOne("SELECT follow_up_days FROM users WHERE id = 1") { $0.string(0) } } == "3,7")
    }
}
