import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@testable import Domain

@Suite("Account rules")
struct AccountRuleTests {
    /// NIST SP 800-63B: at least 12 characters (not bytes), at most 1,024 bytes, nothing else.
    @Test func passwordPolicy() {
        #expect(PasswordPolicy.problem("elevenchars") != nil)
        #expect(PasswordPolicy.problem("twelve chars") == nil)
        #expect(PasswordPolicy.problem("ĳĳĳĳĳĳĳĳĳĳĳĳ") == nil, "twelve characters of two bytes each")
        #expect(PasswordPolicy.problem("😀😀😀😀😀😀😀😀😀😀😀") != nil, "eleven characters")
        #expect(PasswordPolicy.problem(String(repeating: "a", count: 1024)) == nil)
        #expect(PasswordPolicy.problem(String(repeating: "a", count: 1025)) != nil)
        #expect(PasswordPolicy.problem("aaaaaaaaaaaa") == nil, "no composition rules")
    }

    @Test func hashesAreArgon2idWithOWASPParametersAndASaltEach() throws {
        let hasher = PasswordHasher(threads: 1)
        let a = try hasher.hash("correct horse battery").value()
        let b = try hasher.hash("correct horse battery").value()
        #expect(a.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(a != b, "a new salt each time")
        #expect(try hasher.verify("correct horse battery", against: a).value())
        #expect(try !hasher.verify("correct horse batterY", against: a).value())
        // No hash (unknown name, no password) and anything not argon2id never match.
        #expect(try !hasher.verify("correct horse battery", against: nil).value())
        #expect(try !hasher.verify("correct horse battery", against: "plain text").value())
    }

    @Test func aFullHashingQueueRefusesAtOnce() throws {
        let hasher = PasswordHasher(threads: 1, maxQueued: 1)
        let futures = (0..<6).map { _ in hasher.hash("correct horse battery") }
        var refused = 0
        for future in futures {
            do { _ = try future.value(within: 30) } catch DomainError.overloaded { refused += 1 }
        }
        #expect(refused >= 1)
        #expect(refused < 6)
    }

    /// Who may do what to whom (README "Running it for a centre").
    @Test func roleRules() {
        func user(_ role: Role, disabled: Bool = false) -> User {
            User(id: 9, name: "t", timeZone: "UTC", role: role, disabled: disabled, createdAt: .distantPast, updatedAt: .distantPast, version: 1)
        }
        func refused(_ actor: Role?, _ target: User?, role: Role? = nil, disabling: Bool = false, deleting: Bool = false, owners: Int64 = 2) -> String? {
            guard let refusal = AccountService.refusal(actor: actor, target: target, newRole: role, disabling: disabling, deleting: deleting, activeOwners: owners)
            else { return nil }
            switch refusal {
            case .forbidden: return "forbidden"
            case .conflict(let code, _, _): return code
            default: return "other"
            }
        }
        // Members manage nothing.
        #expect(refused(.member, nil, role: .member) == "forbidden")
        #expect(refused(.member, user(.member), disabling: true) == "forbidden")
        // Admins manage members only.
        #expect(refused(.admin, nil, role: .member) == nil)
        #expect(refused(.admin, user(.member), disabling: true) == nil)
        #expect(refused(.admin, user(.member), deleting: true) == nil)
        #expect(refused(.admin, nil, role: .admin) == "forbidden")
        #expect(refused(.admin, user(.member), role: .admin) == "forbidden")
        #expect(refused(.admin, user(.admin), disabling: true) == "forbidden")
        #expect(refused(.admin, user(.owner), deleting: true) == "forbidden")
        // Owners manage everyone, but never the last active owner away.
        #expect(refused(.owner, user(.admin), role: .member) == nil)
        #expect(refused(.owner, nil, role: .owner) == nil)
        #expect(refused(.owner, user(.owner), role: .admin, owners: 1) == "last_owner")
        #expect(refused(.owner, user(.owner), disabling: true, owners: 1) == "last_owner")
        #expect(refused(.owner, user(.owner), deleting: true, owners: 1) == "last_owner")
        #expect(refused(.owner, user(.owner), role: .admin, owners: 2) == nil)
        // The command line (no actor) is held to the last-owner rule too.
        #expect(refused(nil, user(.owner), deleting: true, owners: 1) == "last_owner")
        #expect(refused(nil, user(.member), role: .owner) == nil)
    }

    @Test func userNamesMayBeEmailAddresses() {
        for name in ["ann", "ann.lee", "ann_lee-2", "ann+cs@centre.example", "Åsa", "李"] {
            var validator = Validator()
            _ = AccountService.validName(name, &validator)
            #expect(validator.issues.isEmpty, "\(name)")
        }
        for name in ["", "ann lee", "ann/lee", "ann\u{1}", String(repeating: "a", count: 255)] {
            var validator = Validator()
            _ = AccountService.validName(name, &validator)
            #expect(!validator.issues.isEmpty, "\(name)")
        }
    }
}
