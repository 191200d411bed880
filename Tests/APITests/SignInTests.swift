@_spi(Composition) import Domain
import Foundation
import HTTPCore
import Primitives
import SQLiteCore
import Testing
import TestSupport

/// A password that passes the policy.
let goodPassword = "correct horse battery staple"

extension LiveServer {
    /// Sets a password on the account named `name`, as `foothold user passwd` does.
    func setPassword(_ name: String, _ password: String = goodPassword) throws {
        guard let database else { throw ClientError("no database") }
        try AccountService(storage: Storage(database: database)).setPassword(userName: name, password: password)
    }

    /// Signs in over HTTP and returns a client with the session token.
    func signIn(_ name: String, _ password: String = goodPassword) throws -> APIClient {
        let response = try client().request(
            "POST", "/sessions", headers: [("Content-Type", "application/json")], body: Array(#"{"name":"\#(name)","password":"\#(password)"}"#.utf8))
        guard response.status == 201, let token = response.json?["token"]?.stringValue else {
            throw ClientError("sign-in of \(name) answered \(response.status): \(response.text)")
        }
        return try APIClient(port: port, token: token)
    }

    /// An anonymous JSON POST.
    func anonymousPost(_ path: String, _ json: String, from client: RawClient? = nil) throws -> ClientResponse {
        try (client ?? self.client()).request("POST", path, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
    }
}

@Suite("Sign-in, sessions and passwords", .timeLimit(.minutes(2)))
struct SignInTests {
    @Test func signingInAnswersASessionTokenThatWorksAndIsListedAsASession() throws {
        let live = try LiveServer()
        try live.setPassword("owner")
        let response = try live.anonymousPost("/sessions", #"{"name":"OWNER","password":"\#(goodPassword)"}"#)
        #expect(response.status == 201)
        #expect(response.header("content-type") == "application/json")
        let token = try #require(response.json?["token"]?.stringValue)
        #expect(token.hasPrefix("fh_"))
        #expect(response.json?["user"]?["name"] == .string("owner"))
        #expect(response.json?["user"]?["role"] == .string("owner"))
        #expect(response.json?["user"]?["has_password"] == .bool(true))
        let expires = try #require(response.json?["expires_at"]?.stringValue.flatMap(RFC3339.parse))
        #expect(abs(expires.timeIntervalSinceNow - 90 * 86400) < 120)
        // Nothing about the password comes back.
        #expect(!response.text.contains(goodPassword) && !response.text.contains("argon2"))

        let session = try APIClient(port: live.port, token: token)
        #expect(try session.get("/me").json?["name"] == .string("owner"))
        let tokens = try session.walk("/tokens")
        let current = try #require(tokens.first { $0["current"] == .bool(true) })
        #expect(current["kind"] == .string("session"))
        #expect(current["expires_at"]?.stringValue != nil)
        #expect(current["token"] == nil)
        let bootstrap = try #require(tokens.first { $0["name"] == .string("owner bootstrap") })
        #expect(bootstrap["kind"] == .string("api"))
        #expect(bootstrap["expires_at"] == .null)
        #expect(try live.count("SELECT count(*) FROM tokens WHERE kind = 'session'") == 1)
    }

    @Test func unknownNameAndWrongPasswordGetOneAnswer() throws {
        let live = try LiveServer()
        try live.setPassword("owner")
        _ = try live.newUser("tokenonly")
        var answers: [String] = []
        for body in [
            #"{"name":"owner","password":"wrong horse battery"}"#, #"{"name":"nobody","password":"wrong horse battery"}"#,
            #"{"name":"tokenonly","password":"wrong horse battery"}"#,
        ] {
            let response = try live.anonymousPost("/sessions", body)
            #expect(response.isProblem(401, "invalid_credentials"))
            #expect(response.header("www-authenticate") == "Bearer realm=\"foothold\"")
            answers.append(response.json?["detail"]?.stringValue ?? "")
        }
        #expect(Set(answers).count == 1)
        #expect(try live.count("SELECT count(*) FROM tokens WHERE kind = 'session'") == 0)
    }

    @Test func badSignInBodiesAre4xxAndWriteNothing() throws {
        let live = try LiveServer()
        try live.setPassword("owner")
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner"}"#).isProblem(422, "validation_failed"))
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":12}"#).problemFields == ["password"])
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":null}"#).problemFields == ["password"])
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":"x","extra":1}"#).status == 400)
        #expect(try live.anonymousPost("/sessions", "not json").status == 400)
        let huge = String(repeating: "a", count: 5000)
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":"\#(huge)"}"#).isProblem(401, "invalid_credentials"))
        #expect(try live.count("SELECT count(*) FROM tokens WHERE kind = 'session'") == 0)
    }

    @Test func signingOutEndsOnlyThatSession() throws {
        let live = try LiveServer()
        try live.setPassword("owner")
        let first = try live.signIn("owner"), second = try live.signIn("owner")
        let out = try first.delete("/sessions/current")
        #expect(out.status == 204)
        #expect(try first.get("/me").isProblem(401, "invalid_token"))
        #expect(try second.get("/me").status == 200)
        // An API token is not a session: signing out with one is refused and changes nothing.
        let refused = try live.owner().delete("/sessions/current")
        #expect(refused.isProblem(409, "not_a_session"))
        #expect(try live.owner().get("/me").status == 200)
    }

    @Test func sessionsEndAfterTheIdlePeriodAndAtTheLatestAfterNinetyDays() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(start)
        let live = try LiveServer(clock: clock)
        try live.setPassword("owner")
        let idle = try live.signIn("owner")
        clock.set(start.addingTimeInterval(13 * 86400))
        #expect(try idle.get("/me").status == 200)
        // Used on day 13 (last_used_at is written after the answer): the idle period starts again there.
        #expect(waitUntil { (try? live.count("SELECT count(*) FROM tokens WHERE kind = 'session' AND last_used_at >= ?", [clock.now()])) == 1 })
        clock.set(start.addingTimeInterval(26 * 86400))
        #expect(try idle.get("/me").status == 200)
        clock.set(start.addingTimeInterval(41 * 86400))
        #expect(try idle.get("/me").isProblem(401, "invalid_token"))
        // The API token has no expiry.
        #expect(try live.owner().get("/me").status == 200)

        // Kept busy, a session still ends 90 days after it began.
        clock.set(start)
        let busy = try live.signIn("owner")
        for day in [10.0, 20, 30, 40, 50, 60, 70, 80, 89.9] {
            let now = start.addingTimeInterval(day * 86400)
            clock.set(now)
            #expect(try busy.get("/me").status == 200, "day \(day)")
            // Its use is recorded after the answer: wait for it, as the next step depends on it.
            #expect(waitUntil { (try? live.count("SELECT count(*) FROM tokens WHERE id = (SELECT max(id) FROM tokens) AND last_used_at >= ?", [now])) == 1 })
        }
        clock.set(start.addingTimeInterval(90 * 86400 + 1))
        #expect(try busy.get("/me").isProblem(401, "invalid_token"))
    }

    @Test func changingThePasswordChecksTheCurrentOneAndEndsOtherSessions() throws {
        let live = try LiveServer()
        // No password yet: none is asked for.
        let set = try live.owner().post("/me/password", #"{"new_password":"\#(goodPassword)"}"#)
        #expect(set.status == 204)
        #expect(set.body.isEmpty)
        let other = try live.signIn("owner")
        let session = try live.signIn("owner")

        let wrong = try session.post("/me/password", #"{"current_password":"not it at all","new_password":"another long password"}"#)
        #expect(wrong.isProblem(422, "wrong_password"))
        #expect(wrong.problemFields == ["current_password"])
        let short = try session.post("/me/password", #"{"current_password":"\#(goodPassword)","new_password":"short"}"#)
        #expect(short.isProblem(422, "validation_failed"))
        #expect(short.problemFields == ["new_password"])
        let long = String(repeating: "é", count: 513)
        #expect(try session.post("/me/password", #"{"current_password":"\#(goodPassword)","new_password":"\#(long)"}"#).problemFields == ["new_password"])
        #expect(try session.post("/me/password", #"{"new_password":"another long password"}"#).problemFields == ["current_password"])
        #expect(try session.post("/me/password", #"{"current_password":null,"new_password":"another long password"}"#).problemFields == ["current_password"])
        // Refused changes changed nothing: the old password still signs in.
        _ = try live.signIn("owner")

        // Twelve characters of any script count, not bytes.
        let changed = try session.post("/me/password", #"{"current_password":"\#(goodPassword)","new_password":"ĳĳĳĳĳĳĳĳĳĳĳĳ"}"#)
        #expect(changed.status == 204)
        #expect(try session.get("/me").status == 200)
        #expect(try other.get("/me").isProblem(401, "invalid_token"))
        #expect(try live.owner().get("/me").status == 200, "API tokens stay")
        #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":"\#(goodPassword)"}"#).status == 401)
        _ = try live.signIn("owner", "ĳĳĳĳĳĳĳĳĳĳĳĳ")
        // Stored as argon2id with OWASP's parameters, never in clear.
        let stored = try #require(try live.database?.read { try $0.queryOne("SELECT password_hash FROM users WHERE name = 'owner'") { $0.string(0) } })
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(!stored.contains("ĳ"))
        #expect(try live.owner().get("/me").json?["has_password"] == .bool(true))
    }

    @Test func failedSignInsAreThrottledPerAddressAndPerAccountWithoutLockingTheOwnerOut() throws {
        let live = try LiveServer(authFailureLimit: 3)
        try live.setPassword("owner")
        let attacker = try live.client()
        for _ in 0..<3 {
            #expect(try live.anonymousPost("/sessions", #"{"name":"owner","password":"guess guess guess"}"#, from: attacker).status == 401)
        }
        let limited = try live.anonymousPost("/sessions", #"{"name":"owner","password":"\#(goodPassword)"}"#, from: attacker)
        #expect(limited.isProblem(429, "too_many_failed_logins"))
        let retry = try #require(limited.header("retry-after").flatMap(Int.init))
        #expect(retry >= 1 && retry <= 60)
        #expect(try live.count("SELECT count(*) FROM tokens WHERE kind = 'session'") == 0)
    }

    @Test func anAccountUnderAttackStillLetsInAnAddressThatHasNotBeenFailing() throws {
        // Per address 1000 a minute (the test client's), per account 3 per ten minutes.
        let live = try LiveServer(accountFailureLimit: 3) { $0.trustedProxies = TrustedProxies([AddressBlock("127.0.0.1/32")].compactMap { $0 }) }
        try live.setPassword("owner")
        for _ in 0..<4 { _ = try live.anonymousPost("/sessions", #"{"name":"owner","password":"guess guess guess"}"#) }
        // The failing address is now refused for this account, even with the right password…
        let refused = try live.anonymousPost("/sessions", #"{"name":"owner","password":"\#(goodPassword)"}"#)
        #expect(refused.isProblem(429, "too_many_failed_logins"))
        // …and an address that has not been failing signs in (seen through a trusted proxy).
        let elsewhere = try live.client().request(
            "POST", "/sessions", headers: [("Content-Type", "application/json"), ("X-Forwarded-For", "203.0.113.9")],
            body: Array(#"{"name":"owner","password":"\#(goodPassword)"}"#.utf8))
        #expect(elsewhere.status == 201)
    }

    @Test func deletingOneselfNeedsTheNameAndTakesAllTheData() throws {
        let live = try LiveServer()
        let ann = try live.newUser("ann")
        let contact = try ann.create("/contacts", #"{"name":"Ada"}"#)
        _ = try ann.create("/meetings", #"{"contact_id":\#(contact)}"#)
        let missing = try ann.request("DELETE", "/me", body: Array(#"{}"#.utf8), headers: [("Content-Type", "application/json")])
        #expect(missing.isProblem(422, "confirmation_required"))
        let wrong = try ann.request("DELETE", "/me", body: Array(#"{"confirm":"bob"}"#.utf8), headers: [("Content-Type", "application/json")])
        #expect(wrong.isProblem(422, "confirmation_required"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 1)
        let gone = try ann.request("DELETE", "/me", body: Array(#"{"confirm":"ANN"}"#.utf8), headers: [("Content-Type", "application/json")])
        #expect(gone.status == 204)
        #expect(try ann.get("/me").isProblem(401, "invalid_token"))
        #expect(try live.count("SELECT count(*) FROM users WHERE name = 'ann'") == 0)
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
        #expect(try live.count("SELECT count(*) FROM meetings") == 0)
        // The last owner cannot leave.
        let owner = try live.owner()
        let last = try owner.request("DELETE", "/me", body: Array(#"{"confirm":"owner"}"#.utf8), headers: [("Content-Type", "application/json")])
        #expect(last.isProblem(409, "last_owner"))
        #expect(try owner.get("/me").status == 200)
    }
}

@Suite("Secrets never appear in clear", .timeLimit(.minutes(2)))
struct SecretTests {
    /// The real binary with its access log on: sign-ins (good and bad), a password change, an
    /// account made with a password and an export. Neither its logs nor any answer holds a
    /// password or a hash of one.
    @Test func noResponseLogLineOrExportHoldsAPasswordOrItsHash() throws {
        let directory = TemporaryDirectory()
        let db = directory.path("secrets.sqlite")
        let process = try ChildProcess(footholdBinary().path, ["serve", "--port", "0", "--db", db])
        let stdout = try #require(process.standardOutput), stderr = try #require(process.standardError)
        defer {
            process.terminate()
            process.awaitExit(within: 10)
        }
        #expect(waitUntil(seconds: 20) { stderr.text.contains("listening on") })
        let port = try #require(stderr.text.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        let ownerToken = try #require(stderr.text.components(separatedBy: "shown only now): ").last?.prefix(46)).description
        let owner = try APIClient(port: port, token: ownerToken)
        let first = "first secret password", second = "second secret password", third = "third secret password"
        var answers: [String] = []
        func keep(_ response: ClientResponse) -> ClientResponse {
            answers.append(response.text + response.headers.map { "\($0.0): \($0.1)" }.joined())
            return response
        }
        #expect(keep(try owner.post("/me/password", #"{"new_password":"\#(first)"}"#)).status == 204)
        let anonymous = try RawClient(port: port)
        let json = [("Content-Type", "application/json")]
        #expect(keep(try anonymous.request("POST", "/sessions", headers: json, body: Array(#"{"name":"owner","password":"\#(first)"}"#.utf8))).status == 201)
        #expect(keep(try anonymous.request("POST", "/sessions", headers: json, body: Array(#"{"name":"owner","password":"\#(second)"}"#.utf8))).status == 401)
        #expect(keep(try owner.post("/me/password", #"{"current_password":"\#(first)","new_password":"\#(second)"}"#)).status == 204)
        #expect(keep(try owner.post("/users", #"{"name":"ann","password":"\#(third)"}"#)).status == 201)
        #expect(keep(try owner.get("/users")).status == 200)
        #expect(keep(try owner.get("/me")).status == 200)
        let export = keep(try owner.get("/export"))
        #expect(export.status == 200)
        #expect(keep(try owner.get("/tokens")).status == 200)
        let hashes = try Database(.init(path: db, readerCount: 1)).read { connection in
            try connection.query("SELECT password_hash FROM users WHERE password_hash IS NOT NULL /* plan: a test's own check of what is stored */") { $0.string(0) }
        }
        #expect(hashes.count == 2)
        process.terminate()
        process.awaitExit(within: 10)
        let logs = stdout.finish() + stderr.finish()
        #expect(logs.contains("method=POST path=/sessions status=201"), "the access log ran")
        for secret in [first, second, third] + hashes + hashes.map { String($0.split(separator: "$").last ?? "") } {
            #expect(!logs.contains(secret), "a log holds \(secret)")
            #expect(!answers.contains { $0.contains(secret) }, "an answer holds \(secret)")
        }
        #expect(!logs.contains("argon2") && !answers.contains { $0.contains("argon2") })
    }

    /// A restore carries the account's settings, never a password hash: one it was given is
    /// refused whole, and a plain restore leaves the account without a password.
    @Test func aRestoredExportKeepsNoPasswordHashItWasNotGiven() throws {
        let live = try LiveServer()
        try live.setPassword("owner")
        let owner = try live.owner()
        _ = try owner.create("/contacts", #"{"name":"Ada"}"#)
        let export = try owner.get("/export")
        #expect(!export.text.contains("argon2") && !export.text.contains("password"))
        let bob = try live.newUser("bob")
        let forged = export.text.replacingOccurrences(of: #""account":{"#, with: #""account":{"password_hash":"$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA","#)
        #expect(forged != export.text)
        let refused = try bob.request("POST", "/imports/json", body: Array(forged.utf8), headers: [("Content-Type", "application/json")])
        #expect(refused.status == 422)
        #expect(refused.problemFields.contains("account.password_hash"))
        #expect(try live.count("SELECT count(*) FROM contacts WHERE user_id = (SELECT id FROM users WHERE name = 'bob')") == 0)
        let restored = try bob.request("POST", "/imports/json", body: Array(export.body), headers: [("Content-Type", "application/json")])
        #expect(restored.status == 201)
        #expect(try bob.get("/me").json?["has_password"] == .bool(false))
        #expect(try live.count("SELECT count(*) FROM users WHERE name = 'bob' AND password_hash IS NULL") == 1)
    }
}
