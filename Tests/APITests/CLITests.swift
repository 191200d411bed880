import Foundation
import HTTPCore
import Testing
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

/// Runs the binary to completion; returns exit status, stdout, stderr.
func runFoothold(_ arguments: [String], in directory: URL) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = try footholdBinary()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite("Command line")
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

    @Test func backupOfALiveDatabase() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for index in 0..<20 { _ = try owner.create("/contacts", #"{"name":"P\#(index)"}"#) }
        let copy = live.directory.path("copy.sqlite")
        let (status, _, _) = try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", copy], in: live.directory.url)
        #expect(status == 0)
        #expect(try runFoothold(["check", "--db", copy], in: live.directory.url).0 == 0)
        #expect(try runFoothold(["backup", "--db", live.directory.path("foothold.sqlite"), "--to", copy], in: live.directory.url).0 == 1)
    }

    @Test func firstServePrintsTheOwnerTokenOnce() throws {
        let directory = TemporaryDirectory()
        func serveBriefly() throws -> String {
            let process = Process()
            process.executableURL = try footholdBinary()
            process.arguments = ["serve", "--port", "0", "--db", directory.path("first.sqlite"), "--quiet"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(20)
            while !text.contains("listening on"), Date() < deadline {
                text += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            }
            process.terminate()
            let stopBy = Date().addingTimeInterval(10)
            while process.isRunning && Date() < stopBy { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("foothold serve did not exit within 10 s of SIGTERM")
            }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return text
        }
        let first = try serveBriefly()
        #expect(first.contains("shown only now): fh_"))
        let second = try serveBriefly()
        #expect(second.contains("listening on"))
        #expect(!second.contains("fh_"))
    }
}
