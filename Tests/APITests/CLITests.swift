import Dispatch
import Foundation
import HTTPCore
import Testing
import SQLiteCore
import TestSupport

/// The built `foothold` binary, beside the test bundle in the build folder.
func footholdBinary() throws -> URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("foothold")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw ClientError("foothold binary not found near \(CommandLine.arguments[0])")
}

/// Runs the binary to completion (killed after 60 s); returns exit status, stdout, stderr.
func runFoothold(_ arguments: [String], in directory: URL) throws -> (Int32, String, String) {
    let process = try ChildProcess(footholdBinary().path, arguments, in: directory.path)
    guard process.awaitExit(within: 60), let status = process.status else {
        throw ClientError("foothold \(arguments) did not finish within 60 s")
    }
    return (status, process.standardOutput?.finish() ?? "", process.standardError?.finish() ?? "")
}

/// Every row of every table (and the schema), as text, in a stable order: two databases
/// with the same content give the same dump.
func dump(_ connection: SQLiteConnection) throws -> [String: [String]] {
    var tables: [String: [String]] = [:]
    let names = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.string(0) }
    for name in names {
        let columns = try connection.query("SELECT name FROM pragma_table_info(?)", [name]) { $0.string(0) }
        let select = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
        tables[name] = try connection.query("SELECT \(select) FROM \"\(name)\" ORDER BY 1 /* plan: a test's own check of what is stored */") { $0.string(0) }.sorted()
    }
    tables["sqlite_master"] = try connection.query("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY 1") { $0.string(0) }
    return tables
}

@Suite("Command line", .timeLimit(.minutes(1)))
struct CLITests {
    @Test func migrateFromAnyDirectoryAndCheck() throws {
        let directory = TemporaryDirectory()
        let elsewhere = TemporaryDirectory()
        let db = directory.path("cli.sqlite")
        let (status, out, _) = try runFoothold(["migrate", "--db", db], in: elsewhere.url)
        #expect(status == 0)
        #expect(out.contains("0001_accounts.sql"))
        let (again, upToDate, _) = try runFoothold(["migrate", "--db", db], in: directory.url)
        #expect(again == 0)
        #expect(upToDate.contains("up to date"))
        let (checked, ok, _) = try runFoothold(["check", "--db", db], in: directory.url)
        #expect(checked == 0)
        #expect(ok.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        #expect(try runFoothold(["check", "--db", directory.path("missing.sqlite")], in: directory.url).0 != 0)
    }

    @Test func userAndTokenCommandsPrintTokensAloneWhileTheServerRuns() throws {
        let live = try LiveServer()
        let db = live.directory.path("foothold.sqlite")
        let (status, out, _) = try runFoothold(["user", "add", "carol", "--db", db], in: live.directory.url)
        #expect(status == 0)
        let token = out.trimmingCharacters(in: .newlines)
        #expect(out.hasSuffix("\n") && !token.contains("\n") && token.hasPrefix("fh_"))
        let carol = try APIClient(port: live.port, token: token)
        #expect(try carol.get("/me").json?["name"] == .string("carol"))

        let (created, second, _) = try runFoothold(["token", "create", "--user", "carol", "--name", "phone", "--db", db], in: live.directory.url)
        #expect(created == 0)
        #expect(try APIClient(port: live.port, token: second.trimmingCharacters(in: .newlines)).get("/me").status == 200)

        let (duplicate, _, message) = try runFoothold(["user", "add", "CAROL", "--db", db], in: live.directory.url)
        #expect(duplicate == 1)
        #expect(message.contains("already exists"))
        #expect(try runFoothold(["token", "create", "--user", "nobody", "--db", db], in: live.directory.url).0 == 1)
        #expect(try runFoothold(["user", "add", "bad name", "--db", db], in: live.directory.url).0 == 1)
    }

    @Test func reindexDerivesRemindersAndSearchForRowsLoadedBehindTheAPI() throws {
        let directory = TemporaryDirectory()
        let db = directory.path("loaded.sqlite")
        #expect(try runFoothold(["user", "add", "loader", "--db", db], in: directory.url).0 == 0)
        let database = try Database(.init(path: db))
        try database.withWriter { connection throws in
            try connection.execute("""
                INSERT INTO contacts (id, user_id, name, keep_in_touch_days, created_at, updated_at)
                    VALUES (1, 1, 'Loaded Lindqvist', 5, '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z');
                INSERT INTO outreach (id, user_id, contact_id, channel, direction, sent_at, created_at, updated_at)
                    VALUES (1, 1, 1, 'email', 'outbound', '2026-01-09T09:00:00.000Z', 't', 't');
                """)
        }
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM reminders /* plan: a test's own check of what is stored */") } == 0)
        let (status, out, _) = try runFoothold(["reindex", "--db", db], in: directory.url)
        #expect(status == 0)
        #expect(out.contains("rebuilt 1 reminders"))
        // Friday + 7 business days; the timer runs from the message; the contact and its outreach are found.
        let reminder = try database.read { try $0.queryOne("SELECT kind, due_at FROM reminders /* plan: a test's own check of what is stored */") { [$0.string(0), $0.string(1)] } }
        #expect(reminder == ["follow_up", "2026-01-20T09:00:00.000Z"])
        #expect(try database.read { try $0.queryOne("SELECT keep_in_touch_due_at FROM contacts /* plan: a test's own check of what is stored */") { $0.string(0) } } == "2026-01-14T09:00:00.000Z")
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM search_index WHERE search_index MATCH 'lindqvist' /* plan: a test's own check of what is stored */") } == 2)
        #expect(try runFoothold(["reindex", "--db", directory.path("missing.sqlite")], in: directory.url).0 != 0)
    }

    @Test func backupOfALiveDatabase() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let interest = try owner.create("/interests", #"{"name":"Robotics","target_date":"2027-01-31"}"#)
        let org = try owner.create("/organizations", #"{"name":"Acme","interest_ids":[\#(interest)],"motivation":2}"#)
        for index in 0..<20 {
            _ = try owner.create("/contacts", #"{"name":"P\#(index)","organization_id":\#(org),"tags":["t\#(index % 3)"],"interest_ids":[\#(interest)]}"#)
        }
        _ = try owner.create("/tokens", #"{"name":"laptop"}"#)
        let copy = live.directory.path("copy.sqlite")
        let (status, _, _) = try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", copy], in: live.directory.url)
        #expect(status == 0)
        #expect(try runFoothold(["check", "--db", copy], in: live.directory.url).0 == 0)
        // The copy holds exactly what the live database holds: every table, every row.
        let original = try #require(live.database).read { try dump($0) }
        let copied = try dump(try SQLiteConnection(path: copy))
        #expect(original.keys.sorted() == copied.keys.sorted())
        for (table, rows) in original {
            #expect(copied[table] == rows, "table \(table) differs in the backup")
        }
        #expect(original["contacts"]?.count == 20)
        #expect(original["contact_tags"]?.count == 20)
        #expect(original["contact_interests"]?.count == 20)
        #expect(original["tokens"]?.count == 2)
        // An existing file is never overwritten.
        let (refused, _, message) = try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", copy], in: live.directory.url)
        #expect(refused == 1)
        #expect(!message.isEmpty)
        #expect(try dump(try SQLiteConnection(path: copy)) == copied)
    }

    /// `backup --verify` of a live database: every table's rows listed for both sides, the
    /// checks passed, exit 0; the copy is there and whole.
    @Test func backupVerifySaysWhatItCompared() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for index in 0..<12 {
            _ = try owner.create("/contacts", #"{"name":"P\#(index)","tags":["t\#(index % 3)"]}"#)
        }
        let copy = live.directory.path("verified.sqlite")
        let (status, output, _) = try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", copy, "--verify"], in: live.directory.url)
        #expect(status == 0)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "backed up \(live.directory.path("foothold.sqlite")) to \(copy)")
        let contacts = try #require(lines.first { $0.hasPrefix("contacts ") })
        #expect(contacts.split(separator: " ").map(String.init) == ["contacts", "12", "12"])
        #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["contact_tags", "12", "12"] })
        #expect(!output.contains("differs"))
        let last = try #require(lines.last)
        #expect(last.hasPrefix("verified \(copy): integrity ok, foreign keys ok, "))
        #expect(try SQLiteConnection(path: copy).scalarInt("SELECT count(*) FROM contacts /* plan: a test's own check of what is stored */") == 12)
        // Without --verify nothing is compared.
        let plain = live.directory.path("plain.sqlite")
        let (plainStatus, plainOutput, _) = try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", plain], in: live.directory.url)
        #expect(plainStatus == 0)
        #expect(plainOutput == "backed up \(live.directory.path("foothold.sqlite")) to \(plain)\n")
    }

    /// The image's HEALTHCHECK: exit 0 on a 2xx, 1 on anything else or no answer.
    @Test func probeExitsZeroOnlyOnA2xx() throws {
        let live = try LiveServer()
        let directory = live.directory.url
        #expect(try runFoothold(["probe", "--url", "http://127.0.0.1:\(live.port)/health"], in: directory).0 == 0)
        #expect(try runFoothold(["probe", "--url", "http://127.0.0.1:\(live.port)/ready"], in: directory).0 == 0)
        let (notFound, _, message) = try runFoothold(["probe", "--url", "http://127.0.0.1:\(live.port)/nothing"], in: directory)
        #expect(notFound == 1)
        #expect(message.contains("404"))
        // Needs a token: 401 is not healthy.
        #expect(try runFoothold(["probe", "--url", "http://127.0.0.1:\(live.port)/me"], in: directory).0 == 1)
        #expect(try runFoothold(["probe", "--url", "http://127.0.0.1:1/health", "--timeout", "2"], in: directory).0 == 1)
        #expect(try runFoothold(["probe", "--url", "https://127.0.0.1/health"], in: directory).0 != 0)
        #expect(try runFoothold(["probe", "--url", "http://[::1/health"], in: directory).0 != 0)
    }

    @Test func serveRefusesBadTrustedProxies() throws {
        let directory = TemporaryDirectory()
        let (status, _, message) = try runFoothold(
            ["serve", "--port", "0", "--db", directory.path("p.sqlite"), "--trusted-proxies", "10.0.0.0/8, 10.0.0.0/33"], in: directory.url)
        #expect(status != 0)
        #expect(message.contains("10.0.0.0/33"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("p.sqlite")))
    }

    @Test func firstServePrintsTheOwnerTokenOnce() throws {
        let directory = TemporaryDirectory()
        func serveBriefly(_ extra: [String] = []) throws -> String {
            let process = try ChildProcess(
                footholdBinary().path, ["serve", "--port", "0", "--db", directory.path("first.sqlite"), "--quiet"] + extra,
                standardOutput: .discard)
            let stderr = try #require(process.standardError)
            let started = waitUntil(seconds: 20) { stderr.text.contains("listening on") }
            process.terminate()
            if !process.awaitExit(within: 10) { Issue.record("foothold serve did not exit within 10 s of SIGTERM") }
            #expect(started, "foothold serve did not report listening within 20 s: \(stderr.text)")
            #expect(process.status == 0)
            return stderr.finish()
        }
        let first = try serveBriefly()
        #expect(first.contains("shown only now): fh_"))
        // The durability in force, as SQLite reports it back.
        #expect(first.contains("synchronous full)"))
        let second = try serveBriefly(["--synchronous", "normal"])
        #expect(second.contains("listening on"))
        #expect(second.contains("synchronous normal)"))
        #expect(!second.contains("fh_"))
        #expect(!second.contains("replicator"))
        // Checkpoints left to Litestream: said where the durability is.
        let external = try serveBriefly(["--checkpoint", "external"])
        #expect(external.contains("synchronous full, checkpoints left to a replicator)"))
        // The web front's URL is printed to open, unless the front is off.
        #expect(first.contains("in a browser for the web front"))
        let noWeb = try serveBriefly(["--no-web"])
        #expect(!noWeb.contains("web front"))
        let fromDisk = try serveBriefly(["--web-root", directory.path(""), "--host", "0.0.0.0"])
        #expect(fromDisk.contains("foothold: open http://127.0.0.1:"))
        #expect(fromDisk.contains("(from \(directory.path("")))"))
    }

    @Test func serveRefusesAnUnknownCheckpointMode() throws {
        let directory = TemporaryDirectory()
        let (status, _, message) = try runFoothold(
            ["serve", "--port", "0", "--db", directory.path("c.sqlite"), "--checkpoint", "never"], in: directory.url)
        #expect(status != 0)
        #expect(message.contains("--checkpoint must be 'internal' or 'external'"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("c.sqlite")))
    }

    @Test func serveRefusesAWebRootThatIsNotAFolderAndAnAPIOriginWithAPath() throws {
        let directory = TemporaryDirectory()
        let (status, _, message) = try runFoothold(
            ["serve", "--port", "0", "--db", directory.path("w.sqlite"), "--web-root", directory.path("missing")], in: directory.url)
        #expect(status != 0)
        #expect(message.contains("is not a folder"))
        let (pathStatus, _, pathMessage) = try runFoothold(
            ["serve", "--port", "0", "--db", directory.path("w.sqlite"), "--web-api-origin", "https://api.example.org/v1"], in: directory.url)
        #expect(pathStatus != 0)
        #expect(pathMessage.contains("--web-api-origin must be an origin"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("w.sqlite")))
    }
}

/// The tests' own child processes (TestSupport's ChildProcess, used instead of Foundation's
/// Process): they get none of the test process's descriptors, and their status says how they ended.
@Suite("Child processes of the tests", .timeLimit(.minutes(1)))
struct ChildProcessTests {
    @Test func aChildHoldsOnlyItsStandardStreams() throws {
        // A socket and a database the test process holds, as parallel tests do.
        let directory = TemporaryDirectory()
        let database = try SQLiteConnection(path: directory.path("held.sqlite"))
        try database.execute("CREATE TABLE t (x)")
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        let child = try ChildProcess("/bin/sh", ["-c", "ls /proc/$$/fd; pwd"], in: directory.url.path)
        #expect(child.awaitExit(within: 10))
        #expect(child.status == 0)
        let lines = try #require(child.standardOutput).finish().split(separator: "\n").map(String.init)
        #expect(lines.dropLast().sorted() == ["0", "1", "2"], "the child held \(lines)")
        #expect(URL(fileURLWithPath: lines.last ?? "").resolvingSymlinksInPath().path == directory.url.resolvingSymlinksInPath().path)
    }

    @Test func statusIsTheExitCodeOr128PlusTheSignal() throws {
        let exited = try ChildProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(exited.awaitExit(within: 10))
        #expect(exited.status == 3)
        #expect(exited.standardOutput?.finish() == "out\n")
        #expect(exited.standardError?.finish() == "err\n")
        let killed = try ChildProcess("/bin/sh", ["-c", "kill -9 $$"])
        #expect(killed.awaitExit(within: 10))
        #expect(killed.status == 128 + SIGKILL)
        let reading = try ChildProcess("/bin/cat", [], input: true)
        try reading.write("typed\n")
        #expect(reading.isRunning)
        reading.closeInput()
        #expect(reading.awaitExit(within: 10))
        #expect(reading.standardOutput?.finish() == "typed\n")
        // A child that ended without reading: the write fails, the test process goes on.
        let gone = try ChildProcess("/bin/true", [], input: true)
        #expect(gone.awaitExit(within: 10))
        #expect(throws: ClientError.self) { try gone.write(String(repeating: "x", count: 100_000)) }
        let running = try ChildProcess("/bin/sleep", ["30"])
        running.terminate()
        #expect(running.awaitExit(within: 10))
        #expect(running.status == 128 + SIGTERM)
    }
}
