import Domain
import Foundation
import HTTPCore
import Primitives
import SQLiteCore
import Testing
import TestSupport

/// Runs the binary with `input` on its stdin (a pipe, not a terminal).
func runFoothold(_ arguments: [String], in directory: URL, input: String) throws -> (Int32, String, String) {
    let process = try ChildProcess(footholdBinary().path, arguments, in: directory.path, input: true)
    try process.write(input)
    process.closeInput()
    guard process.awaitExit(within: 60), let status = process.status else {
        throw ClientError("foothold \(arguments) did not finish within 60 s")
    }
    return (status, process.standardOutput?.finish() ?? "", process.standardError?.finish() ?? "")
}

@Suite("Accounts for a centre: roles, users, invitations", .timeLimit(.minutes(2)))
struct CentreTests {
    /// An owner, an admin and a member, each with a session client.
    func centre() throws -> (LiveServer, owner: APIClient, admin: APIClient, member: APIClient) {
        let live = try LiveServer()
        let owner = try live.owner()
        #expect(try owner.post("/users", #"{"name":"ada@centre.example","role":"admin","password":"\#(goodPassword)"}"#).status == 201)
        #expect(try owner.post("/users", #"{"name":"max+cs@centre.example","password":"\#(goodPassword)"}"#).status == 201)
        return (live, owner, try live.signIn("ada@centre.example"), try live.signIn("max+cs@centre.example"))
    }

    @Test func eachRoleAgainstEachAccountRoute() throws {
        let (live, owner, admin, member) = try centre()
        let memberID = try #require(try member.get("/me").json?["id"]?.intValue)
        let adminID = try #require(try admin.get("/me").json?["id"]?.intValue)
        #expect(try member.get("/me").json?["role"] == .string("member"))

        // A member reaches none of it: 403 forbidden, and nothing changes.
        for (method, path, body) in [
            ("GET", "/users", ""), ("GET", "/users/\(memberID)", ""), ("POST", "/users", #"{"name":"x1"}"#),
            ("PATCH", "/users/\(memberID)", #"{"role":"owner"}"#), ("PATCH", "/users/\(memberID)", #"{"role":"admin"}"#),
            ("DELETE", "/users/\(adminID)", ""), ("GET", "/invites", ""), ("POST", "/invites", #"{"role":"member"}"#),
            ("GET", "/invites/1", ""), ("DELETE", "/invites/1", ""),
        ] {
            let response = try member.request(method, path, body: Array(body.utf8), headers: body.isEmpty ? [] : [("Content-Type", "application/json")])
            #expect(response.isProblem(403, "forbidden"), "\(method) \(path): \(response.status) \(response.text)")
        }
        #expect(try member.get("/me").json?["role"] == .string("member"))
        #expect(try live.count("SELECT count(*) FROM users") == 3)
        #expect(try live.count("SELECT count(*) FROM invites") == 0)

        // An admin lists and makes members, not admins or owners.
        let names = try admin.walk("/users").compactMap { $0["name"]?.stringValue }
        #expect(names == ["ada@centre.example", "max+cs@centre.example", "owner"])
        #expect(try admin.walkIDs("/users?role=admin") == [adminID])
        let made = try admin.post("/users", #"{"name":"zoe","role":"member"}"#)
        #expect(made.status == 201)
        #expect(made.header("location") == "/users/\(made.json?["id"]?.intValue ?? 0)")
        #expect(made.json?["has_password"] == .bool(false))
        #expect(try admin.post("/users", #"{"name":"zed","role":"admin"}"#).isProblem(403, "forbidden"))
        #expect(try admin.patch("/users/\(memberID)", #"{"role":"admin"}"#).isProblem(403, "forbidden"))
        #expect(try admin.post("/invites", #"{"role":"admin"}"#).isProblem(403, "forbidden"))
        #expect(try admin.delete("/users/1").isProblem(403, "forbidden"))
        #expect(try admin.patch("/users/1", #"{"disabled":true}"#).isProblem(403, "forbidden"))
        #expect(try live.count("SELECT count(*) FROM users WHERE role != 'member'") == 2)
        // An admin disables and enables a member.
        let disabled = try admin.patch("/users/\(memberID)", #"{"disabled":true}"#)
        #expect(disabled.status == 200)
        #expect(disabled.json?["disabled"] == .bool(true))
        #expect(try member.get("/me").isProblem(401, "invalid_token"))
        #expect(try live.anonymousPost("/sessions", #"{"name":"max+cs@centre.example","password":"\#(goodPassword)"}"#).isProblem(403, "account_disabled"))
        #expect(try admin.walkIDs("/users?disabled=true") == [memberID])
        #expect(try admin.get("/users?disabled=maybe").isProblem(400, "bad_query"))
        #expect(try admin.patch("/users/\(memberID)", #"{"disabled":false}"#).json?["disabled"] == .bool(false))
        #expect(try admin.walkIDs("/users?disabled=true") == [])
        #expect(try live.signIn("max+cs@centre.example").get("/me").status == 200)

        // Only an owner makes admins and owners.
        let promoted = try owner.patch("/users/\(memberID)", #"{"role":"admin"}"#)
        #expect(promoted.status == 200)
        #expect(promoted.json?["role"] == .string("admin"))
        #expect(try member.get("/users").status == 200, "the new role counts at once")
        #expect(try owner.patch("/users/\(memberID)", #"{"role":"member"}"#).json?["role"] == .string("member"))
        #expect(try member.get("/users").isProblem(403, "forbidden"))
        // Bad values are 4xx and change nothing.
        #expect(try owner.patch("/users/\(memberID)", #"{"role":"boss"}"#).problemFields == ["role"])
        #expect(try owner.patch("/users/\(memberID)", #"{"disabled":"yes"}"#).problemFields == ["disabled"])
        #expect(try owner.patch("/users/\(memberID)", #"{"name":"renamed"}"#).status == 400)
        #expect(try owner.post("/users", #"{"name":"bad name"}"#).problemFields == ["name"])
        #expect(try owner.post("/users", #"{"name":"short","password":"short"}"#).problemFields == ["password"])
        #expect(try owner.post("/users", #"{"name":"nullpass","password":null}"#).problemFields == ["password"])
        #expect(try owner.post("/users", #"{"name":"OWNER"}"#).isProblem(409, "name_taken"))
        #expect(try owner.get("/users/999").isProblem(404, "not_found"))
        #expect(try live.count("SELECT count(*) FROM users") == 4)
        #expect(try live.count("SELECT count(*) FROM users WHERE name = 'max+cs@centre.example' AND role = 'member' AND disabled = 0") == 1)
    }

    @Test func theLastOwnerCannotBeRemovedDemotedOrDisabled() throws {
        let (live, owner, _, _) = try centre()
        #expect(try owner.patch("/users/1", #"{"role":"admin"}"#).isProblem(409, "last_owner"))
        #expect(try owner.patch("/users/1", #"{"disabled":true}"#).isProblem(409, "last_owner"))
        #expect(try owner.delete("/users/1").isProblem(409, "last_owner"))
        #expect(try live.count("SELECT count(*) FROM users WHERE id = 1 AND role = 'owner' AND disabled = 0") == 1)
        // With a second owner, the first may step down.
        let second = try owner.post("/users", #"{"name":"second","role":"owner"}"#)
        #expect(second.status == 201)
        #expect(try owner.patch("/users/1", #"{"role":"member"}"#).json?["role"] == .string("member"))
        let secondID = try #require(second.json?["id"]?.intValue)
        #expect(try live.count("SELECT count(*) FROM users WHERE id = ? AND role = 'owner'", [secondID]) == 1)
    }

    @Test func deletingAUserTakesAllItsDataInOneGoAndStopsItsTokens() throws {
        let (live, owner, _, member) = try centre()
        let memberID = try #require(try member.get("/me").json?["id"]?.intValue)
        let organization = try member.create("/organizations", #"{"name":"Acme"}"#)
        let contact = try member.create("/contacts", #"{"name":"Ada","organization_id":\#(organization)}"#)
        let meeting = try member.create("/meetings", #"{"contact_id":\#(contact)}"#)
        _ = try member.post("/meetings/\(meeting)/complete", #"{"none_offered":true}"#)
        _ = try member.create("/outreach", #"{"contact_id":\#(contact),"channel":"email","direction":"outbound","sent_at":"2026-11-02T10:00:00Z"}"#)
        let stale = try owner.delete("/users/\(memberID)", headers: [("If-Match", "\"99\"")])
        #expect(stale.status == 412)
        #expect(try live.count("SELECT count(*) FROM contacts WHERE user_id = ?", [memberID]) == 1)
        let deleted = try owner.delete("/users/\(memberID)")
        #expect(deleted.status == 204)
        #expect(try member.get("/me").isProblem(401, "invalid_token"))
        for table in ["contacts", "organizations", "meetings", "outreach", "tokens", "reminders"] {
            #expect(try live.count("SELECT count(*) FROM \(table) WHERE user_id = ?", [memberID]) == 0, "\(table)")
        }
        #expect(try live.count("SELECT count(*) FROM users WHERE id = ?", [memberID]) == 0)
        #expect(try owner.get("/users/\(memberID)").isProblem(404, "not_found"))
        // The owner's own data is untouched.
        #expect(try owner.get("/me").status == 200)
    }

    @Test func invitationsAreOneTimeExpireAndCanBeRevoked() throws {
        let (live, owner, admin, _) = try centre()
        let created = try admin.post("/invites", #"{"role":"member"}"#)
        #expect(created.status == 201)
        let code = try #require(created.json?["code"]?.stringValue)
        let inviteID = try #require(created.json?["id"]?.intValue)
        #expect(created.json?["status"] == .string("pending"))
        let expires = try #require(created.json?["expires_at"]?.stringValue.flatMap(RFC3339.parse))
        #expect(abs(expires.timeIntervalSinceNow - 7 * 86400) < 120)
        // The code is shown once and stored hashed.
        #expect(try admin.get("/invites/\(inviteID)").json?["code"] == nil)
        #expect(try live.count("SELECT count(*) FROM invites WHERE lookup = ?", [String(code.prefix(12))]) == 1)
        #expect(try live.count("SELECT count(*) FROM invites WHERE CAST(secret_hash AS TEXT) LIKE ?", ["%" + code + "%"]) == 0)

        let shortPassword = try live.anonymousPost("/invites/accept", #"{"code":"\#(code)","name":"newbie","password":"short"}"#)
        #expect(shortPassword.problemFields == ["password"])
        let accepted = try live.anonymousPost("/invites/accept", #"{"code":"\#(code)","name":"newbie@centre.example","password":"\#(goodPassword)"}"#)
        #expect(accepted.status == 201)
        #expect(accepted.json?["user"]?["role"] == .string("member"))
        let token = try #require(accepted.json?["token"]?.stringValue)
        #expect(try APIClient(port: live.port, token: token).get("/me").json?["name"] == .string("newbie@centre.example"))
        _ = try live.signIn("newbie@centre.example")
        // Used once only.
        let again = try live.anonymousPost("/invites/accept", #"{"code":"\#(code)","name":"another","password":"\#(goodPassword)"}"#)
        #expect(again.isProblem(422, "invalid_invite"))
        #expect(try live.count("SELECT count(*) FROM users WHERE name = 'another'") == 0)
        let listed = try admin.walk("/invites")
        #expect(listed.first?["status"] == .string("accepted"))
        #expect(listed.allSatisfy { $0["code"] == nil })

        // Revoked: the code stops working.
        let second = try owner.post("/invites", #"{"role":"admin"}"#)
        let secondCode = try #require(second.json?["code"]?.stringValue)
        #expect(try owner.delete("/invites/\(second.json?["id"]?.intValue ?? 0)").status == 204)
        #expect(try live.anonymousPost("/invites/accept", #"{"code":"\#(secondCode)","name":"late","password":"\#(goodPassword)"}"#).isProblem(422, "invalid_invite"))
        // Unknown and taken names.
        #expect(try live.anonymousPost("/invites/accept", #"{"code":"fi_nothing","name":"x","password":"\#(goodPassword)"}"#).isProblem(422, "invalid_invite"))
        let third = try owner.post("/invites", #"{}"#)
        #expect(third.json?["role"] == .string("member"))
        let thirdCode = try #require(third.json?["code"]?.stringValue)
        #expect(try live.anonymousPost("/invites/accept", #"{"code":"\#(thirdCode)","name":"OWNER","password":"\#(goodPassword)"}"#).isProblem(409, "name_taken"))
        #expect(try owner.get("/invites/\(third.json?["id"]?.intValue ?? 0)").json?["status"] == .string("pending"))
        #expect(try owner.post("/invites", #"{"role":"boss"}"#).problemFields == ["role"])
    }

    @Test func anExpiredInvitationIsRefused() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(start)
        let live = try LiveServer(clock: clock)
        let created = try live.owner().post("/invites", #"{"role":"member"}"#)
        let code = try #require(created.json?["code"]?.stringValue)
        clock.set(start.addingTimeInterval(7 * 86400 + 1))
        #expect(try live.owner().get("/invites/\(created.json?["id"]?.intValue ?? 0)").json?["status"] == .string("expired"))
        #expect(try live.anonymousPost("/invites/accept", #"{"code":"\#(code)","name":"late","password":"\#(goodPassword)"}"#).isProblem(422, "invalid_invite"))
        #expect(try live.count("SELECT count(*) FROM users") == 1)
    }

    /// What the command line does to a running server counts within a second.
    @Test func commandLineChangesReachTheRunningServerWithinASecond() throws {
        let live = try LiveServer()
        let db = live.directory.path("foothold.sqlite")
        let (added, out, _) = try runFoothold(["user", "add", "carol@centre.example", "--db", db], in: live.directory.url)
        #expect(added == 0)
        let carol = try APIClient(port: live.port, token: out.trimmingCharacters(in: .newlines))
        #expect(try carol.get("/me").status == 200)
        // A password from stdin (not a terminal), then a session.
        let (passwd, _, said) = try runFoothold(["user", "passwd", "carol@centre.example", "--db", db], in: live.directory.url, input: goodPassword + "\n")
        #expect(passwd == 0, "\(said)")
        #expect(!said.contains(goodPassword))
        let session = try live.signIn("carol@centre.example")
        #expect(try runFoothold(["user", "passwd", "carol@centre.example", "--db", db], in: live.directory.url, input: "short\n").0 == 1)

        // Disabled from the command line: both stop within a second.
        #expect(try runFoothold(["user", "disable", "carol@centre.example", "--db", db], in: live.directory.url).0 == 0)
        #expect(waitUntil(seconds: 1.5) { (try? carol.get("/me").status) == 401 })
        #expect(try session.get("/me").status == 401)
        #expect(try runFoothold(["user", "enable", "carol@centre.example", "--db", db], in: live.directory.url).0 == 0)
        #expect(waitUntil(seconds: 1.5) { (try? carol.get("/me").status) == 200 })

        // A token revoked from the command line.
        let (listed, rows, _) = try runFoothold(["token", "list", "--user", "carol@centre.example", "--db", db], in: live.directory.url)
        #expect(listed == 0)
        let apiRow = try #require(rows.split(separator: "\n").first { $0.contains("\tapi\t") })
        let tokenID = String(apiRow.split(separator: "\t")[0])
        #expect(!rows.contains("fh_"), "no secret is listed")
        #expect(try runFoothold(["token", "revoke", tokenID, "--user", "carol@centre.example", "--db", db], in: live.directory.url).0 == 0)
        #expect(waitUntil(seconds: 1.5) { (try? carol.get("/me").status) == 401 })

        // A role from the command line, and its refusal for the last owner.
        #expect(try runFoothold(["user", "role", "carol@centre.example", "admin", "--db", db], in: live.directory.url).0 == 0)
        #expect(waitUntil(seconds: 1.5) { (try? session.get("/users").status) == 200 })
        let (demoted, _, why) = try runFoothold(["user", "role", "owner", "member", "--db", db], in: live.directory.url)
        #expect(demoted == 1)
        #expect(why.contains("last owner"))

        // Deleted from the command line (asks for --yes).
        #expect(try runFoothold(["user", "delete", "carol@centre.example", "--db", db], in: live.directory.url).0 != 0)
        #expect(try runFoothold(["user", "delete", "carol@centre.example", "--yes", "--db", db], in: live.directory.url).0 == 0)
        #expect(waitUntil(seconds: 1.5) { (try? session.get("/me").status) == 401 })
        let (_, users, _) = try runFoothold(["user", "list", "--db", db], in: live.directory.url)
        #expect(users.contains("owner\towner\tactive"))
        #expect(!users.contains("carol"))
    }

    @Test func versionNamesTheBuildAndSQLite() throws {
        let directory = TemporaryDirectory()
        let (status, out, _) = try runFoothold(["--version"], in: directory.url)
        #expect(status == 0)
        #expect(out.hasPrefix("foothold "))
        #expect(out.contains("commit "))
        #expect(out.contains("SQLite 3."))
        for command in [["user", "--help"], ["user", "passwd", "--help"], ["token", "revoke", "--help"]] {
            let (code, help, _) = try runFoothold(command, in: directory.url)
            #expect(code == 0)
            #expect(help.contains("USAGE: foothold"))
        }
    }
}
