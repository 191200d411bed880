import Foundation
@testable import Primitives
import Testing
import TestSupport

@Suite("Time zones from TZif", .timeLimit(.minutes(1)))
struct ZoneRulesTests {
    /// Zones across hemispheres, half-hour and 45-minute offsets, negative DST (Dublin), a
    /// 30-minute DST (Lord Howe), zones that dropped DST and ones that changed offsets.
    static let zones = [
        "Europe/Oslo", "America/New_York", "America/Sao_Paulo", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata",
        "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Europe/Dublin", "America/Santiago", "Asia/Tehran",
        "Africa/Casablanca", "Pacific/Apia", "Europe/Moscow",
    ]

    /// Python's zoneinfo reads the same files; for thousands of instants per zone, from 1900 to
    /// 2100 and a second either side of every transition, both must give the same UTC offset.
    @Test func offsetsAgreeWithPythonZoneinfo() throws {
        var lines: [String] = []
        var expected: [(zone: String, instants: [Int64], offsets: [Int])] = []
        for name in Self.zones {
            let zone = try ZoneRules.load(named: name)
            var instants: [Int64] = []
            // Every 3 days and 7 hours from 1900 to 2100.
            var t: Int64 = -2_208_988_800
            while t < 4_102_444_800 {
                instants.append(t)
                t += 3 * 86400 + 7 * 3600
            }
            for transition in zone.transitions where transition > -2_208_988_800 && transition < 4_102_444_800 {
                instants += [transition - 1, transition, transition + 1]
            }
            // And either side of each footer change far ahead, where the rule alone decides.
            if let rule = zone.footer, let start = rule.start, let end = rule.end, let daylight = rule.daylightOffset {
                for year in [2040, 2077, 2099] {
                    for change in [PosixRule.instant(of: start, year: year, offsetBefore: rule.standardOffset),
                                   PosixRule.instant(of: end, year: year, offsetBefore: daylight)] {
                        instants += [change - 1, change, change + 1]
                    }
                }
            }
            expected.append((name, instants, instants.map { zone.offset(at: $0) }))
            lines.append(name + " " + instants.map(String.init).joined(separator: " "))
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("zones-\(UUID().uuidString).txt")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let script = """
            import sys, datetime, zoneinfo
            for line in open(sys.argv[1]):
                name, *times = line.split()
                zone = zoneinfo.ZoneInfo(name)
                print(" ".join(str(int(datetime.datetime.fromtimestamp(int(t), zone).utcoffset().total_seconds())) for t in times))
            """
        let process = try ChildProcess("/usr/bin/env", ["python3", "-c", script, input.path])
        let output = try #require(process.standardOutput).finish(within: 120)
        #expect(process.awaitExit(within: 10))
        #expect(process.status == 0, "python3: \(process.standardError?.finish() ?? "")")
        let answers = output.split(separator: "\n")
        #expect(answers.count == expected.count)
        var compared = 0
        for (answer, zone) in zip(answers, expected) {
            let theirs = answer.split(separator: " ").compactMap { Int($0) }
            #expect(theirs.count == zone.instants.count, "\(zone.zone)")
            var mismatches: [String] = []
            for (index, offset) in theirs.enumerated() where index < zone.offsets.count && zone.offsets[index] != offset {
                mismatches.append("\(zone.instants[index]): ours \(zone.offsets[index]), python \(offset)")
            }
            #expect(mismatches.isEmpty, "\(zone.zone): \(mismatches.prefix(5))")
            compared += theirs.count
        }
        #expect(compared > 15 * 20_000)
    }

    @Test func posixRulesParseAndApply() throws {
        let oslo = try #require(PosixRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(oslo.standardOffset == 3600)
        #expect(oslo.daylightOffset == 7200)
        // 2030-03-31 01:00 UTC is when Oslo moves to CEST; 2030-10-27 01:00 UTC back.
        let spring: Int64 = 1_901_149_200
        #expect(oslo.offset(at: spring - 1) == 3600)
        #expect(oslo.offset(at: spring) == 7200)
        let autumn: Int64 = 1_919_293_200
        #expect(oslo.offset(at: autumn - 1) == 7200)
        #expect(oslo.offset(at: autumn) == 3600)
        #expect(PosixRule("<+0545>-5:45")?.standardOffset == 20700)
        #expect(PosixRule("EST5EDT,0/0,J365/25")?.offset(at: 1_900_000_000) == -4 * 3600)  // DST all year
        #expect(PosixRule("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1")?.daylightOffset == -7200)
        for bad in ["", "CE", "CET", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-200", "<+03", "CET-1CEST,J0,J365"] {
            #expect(PosixRule(bad) == nil, "\(bad)")
        }
    }

    @Test func namesAndFilesAreChecked() throws {
        #expect(ZoneRules.isWellFormedName("Europe/Oslo"))
        #expect(ZoneRules.isWellFormedName("Etc/GMT+5"))
        for bad in ["", "/etc/passwd", "../../etc/passwd", "Europe/../../x", "Europe//Oslo", ".hidden", "Europe/Oslo ", "Oslo\u{0}"] {
            #expect(!ZoneRules.isWellFormedName(bad), "\(bad)")
        }
        #expect(throws: ZoneRules.Invalid.self) { try ZoneRules.load(named: "Mars/Olympus_Mons") }
        #expect(throws: ZoneRules.Invalid.self) { try ZoneRules(name: "x", tzif: Array("TZif2".utf8)) }
        #expect(throws: ZoneRules.Invalid.self) { try ZoneRules(name: "x", tzif: Array("not a zone file at all, really".utf8)) }
        #expect(try ZoneRules.load(named: "UTC").offset(at: 0) == 0)
        // A file truncated anywhere is refused, never read past its end.
        let oslo = try Data(contentsOf: URL(fileURLWithPath: ZoneRules.directory + "/Europe/Oslo"))
        for length in stride(from: 0, to: oslo.count, by: 37) {
            #expect(throws: ZoneRules.Invalid.self) { try ZoneRules(name: "x", tzif: Array(oslo.prefix(length))) }
        }
    }
}

@Suite("Business days and local dates", .timeLimit(.minutes(1)))
struct BusinessDayTests {
    /// Seconds since 1970 of a UTC date and time.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Int64 {
        Int64(RFC3339.daysFromCivil(year: year, month: month, day: day)) * 86400 + Int64(hour * 3600 + minute * 60)
    }

    @Test func weekendsAreSkippedInTheUsersZone() throws {
        let oslo = try ZoneRules.load(named: "Europe/Oslo")
        // Friday 2026-12-04 10:00 in Oslo (09:00 UTC) + 3 business days = Wednesday 12-09 10:00.
        #expect(oslo.addingBusinessDays(3, to: Self.utc(2026, 12, 4, 9)) == Self.utc(2026, 12, 9, 9))
        // + 7 = the Tuesday of the week after next.
        #expect(oslo.addingBusinessDays(7, to: Self.utc(2026, 12, 4, 9)) == Self.utc(2026, 12, 15, 9))
        // Saturday counts from Monday: + 1 = Monday.
        #expect(oslo.addingBusinessDays(1, to: Self.utc(2026, 12, 5, 9)) == Self.utc(2026, 12, 7, 9))
        // The weekday is the local one: 23:30 UTC on a Friday is already Saturday in Oslo.
        #expect(oslo.localDate(of: Self.utc(2026, 12, 4, 23, 30)).weekday == 6)
        #expect(oslo.addingBusinessDays(1, to: Self.utc(2026, 12, 4, 23, 30)) == Self.utc(2026, 12, 6, 23, 30))  // Monday 00:30 in Oslo
        // Across the spring change (Sunday 2027-03-28) the local 10:00 is kept: 09:00 UTC becomes 08:00.
        #expect(oslo.addingBusinessDays(1, to: Self.utc(2027, 3, 26, 9)) == Self.utc(2027, 3, 29, 8))
        #expect(ZoneRules.utc.addingBusinessDays(5, to: Self.utc(2026, 11, 30, 12)) == Self.utc(2026, 12, 7, 12))
        #expect(ZoneRules.utc.addingBusinessDays(0, to: 77) == 77)
    }

    @Test func localMidnightsAndGaps() throws {
        let newYork = try ZoneRules.load(named: "America/New_York")
        #expect(newYork.startOfDay(year: 2026, month: 11, day: 30) == Self.utc(2026, 11, 30, 5))
        #expect(newYork.startOfDay(year: 2026, month: 7, day: 4) == Self.utc(2026, 7, 4, 4))
        let date = newYork.localDate(of: Self.utc(2026, 12, 1, 3))
        #expect(date.year == 2026 && date.month == 11 && date.day == 30 && date.weekday == 1)
        // Santiago skips local midnight when DST starts (2026-09-06 00:00 → 01:00).
        let santiago = try ZoneRules.load(named: "America/Santiago")
        let start = santiago.startOfDay(year: 2026, month: 9, day: 6)
        #expect(santiago.localDate(of: start).day == 6)
        #expect(santiago.localDate(of: start - 1).day == 5)
    }
}
