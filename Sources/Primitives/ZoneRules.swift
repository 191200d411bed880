#if canImport(Glibc)
import Glibc
#endif

/// A time zone's UTC offsets, read from a TZif file (RFC 8536) as Debian's tzdata installs them
/// under /usr/share/zoneinfo. FoundationEssentials knows only fixed offsets, and loading ICU
/// for this would cost megabytes; the format is small. Times after the file's last transition
/// follow its footer, a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`).
public struct ZoneRules: Sendable, Equatable {
    /// Why a zone could not be read.
    public struct Invalid: Error, Sendable, Equatable {
        public let reason: String
    }

    /// One kind of local time: its offset east of UTC in seconds, and whether it is daylight time.
    struct LocalType: Sendable, Equatable {
        var offset: Int
        var isDST: Bool
    }

    public let name: String
    /// Transition instants (seconds since 1970, UTC), ascending.
    let transitions: [Int64]
    /// The local type that starts at each transition.
    let transitionTypes: [Int]
    let types: [LocalType]
    /// The rule after the last transition, when the file has one.
    let footer: PosixRule?

    /// Where zones live; the zone's name is its path below.
    public static let directory = "/usr/share/zoneinfo"

    /// UTC itself, without a file.
    public static let utc = ZoneRules(name: "UTC", transitions: [], transitionTypes: [], types: [LocalType(offset: 0, isDST: false)], footer: nil)

    init(name: String, transitions: [Int64], transitionTypes: [Int], types: [LocalType], footer: PosixRule?) {
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    /// Whether `name` has the shape of an IANA zone name ("Europe/Oslo", "UTC"), so it can name a
    /// file below `directory` and nothing else: no "..", no leading "/", no odd characters.
    public static func isWellFormedName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64, !name.hasPrefix("/"), !name.hasSuffix("/") else { return false }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part != ".", part != "..", part.first != "." else { return false }
        }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2F || byte == 0x5F || byte == 0x2D || byte == 0x2B
        }
    }

    /// The zone named `name` (an IANA name), read from `directory`.
    public static func load(named name: String, directory: String = ZoneRules.directory) throws(Invalid) -> ZoneRules {
        if name == "UTC" { return .utc }
        guard isWellFormedName(name) else { throw Invalid(reason: "not a zone name") }
        guard let bytes = readFile(directory + "/" + name) else { throw Invalid(reason: "no such zone") }
        return try ZoneRules(name: name, tzif: bytes)
    }

    /// Parses a TZif file (versions 1 to 4; the 64-bit block when there is one).
    public init(name: String, tzif bytes: [UInt8]) throws(Invalid) {
        var reader = ByteReader(bytes: bytes)
        var header = try reader.header()
        var timeSize = 4
        if header.version >= 2 {
            // Skip the 32-bit block: the second header and its 64-bit data follow it.
            try reader.skip(header.blockSize(timeSize: 4))
            header = try reader.header()
            timeSize = 8
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount { transitions.append(try reader.signed(timeSize)) }
        var transitionTypes: [Int] = []
        for _ in 0..<header.timeCount { transitionTypes.append(Int(try reader.byte())) }
        var types: [LocalType] = []
        for _ in 0..<header.typeCount {
            let offset = Int(try reader.signed(4))
            let isDST = try reader.byte() != 0
            _ = try reader.byte()  // abbreviation index
            types.append(LocalType(offset: offset, isDST: isDST))
        }
        guard !types.isEmpty, transitionTypes.allSatisfy({ $0 < types.count }) else { throw Invalid(reason: "bad local time types") }
        try reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.stdWallCount + header.utLocalCount)
        var footer: PosixRule?
        if header.version >= 2 {
            // "\n<TZ string>\n"; an empty string means no rule.
            guard try reader.byte() == 0x0A else { throw Invalid(reason: "bad footer") }
            var text: [UInt8] = []
            while true {
                let byte = try reader.byte()
                if byte == 0x0A { break }
                text.append(byte)
            }
            if !text.isEmpty {
                guard let rule = PosixRule(String(decoding: text, as: UTF8.self)) else { throw Invalid(reason: "bad footer rule") }
                footer = rule
            }
        }
        self.init(name: name, transitions: transitions, transitionTypes: transitionTypes, types: types, footer: footer)
    }

    /// The offset from UTC, in seconds east, in effect at `instant` (seconds since 1970, UTC).
    public func offset(at instant: Int64) -> Int {
        if let last = transitions.last, instant >= last, let footer { return footer.offset(at: instant) }
        if transitions.isEmpty { return footer?.offset(at: instant) ?? types[0].offset }
        // The last transition at or before `instant`.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        if low == 0 { return firstStandardType.offset }
        return types[transitionTypes[low - 1]].offset
    }

    /// Before the first transition: the first standard-time type (RFC 8536 §3.2), else the first.
    private var firstStandardType: LocalType {
        types.first { !$0.isDST } ?? types[0]
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += chunk[0..<count]
            // A zone file is a few kilobytes; anything this large is not one.
            if bytes.count > 1 << 20 { return nil }
        }
        return bytes
    }
}

/// The fields of a TZif header, and how long the data block after it is.
private struct TZifHeader {
    var version: Int
    var utLocalCount: Int
    var stdWallCount: Int
    var leapCount: Int
    var timeCount: Int
    var typeCount: Int
    var charCount: Int

    func blockSize(timeSize: Int) -> Int {
        timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4) + stdWallCount + utLocalCount
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    mutating func byte() throws(ZoneRules.Invalid) -> UInt8 {
        guard position < bytes.count else { throw ZoneRules.Invalid(reason: "truncated") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func skip(_ count: Int) throws(ZoneRules.Invalid) {
        guard count >= 0, bytes.count - position >= count else { throw ZoneRules.Invalid(reason: "truncated") }
        position += count
    }

    /// A big-endian two's-complement integer of `size` bytes.
    mutating func signed(_ size: Int) throws(ZoneRules.Invalid) -> Int64 {
        var value: UInt64 = 0
        for _ in 0..<size { value = value << 8 | UInt64(try byte()) }
        let shift = UInt64(64 - size * 8)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }

    mutating func header() throws(ZoneRules.Invalid) -> TZifHeader {
        guard try byte() == 0x54, try byte() == 0x5A, try byte() == 0x69, try byte() == 0x66 else {
            throw ZoneRules.Invalid(reason: "not a TZif file")
        }
        let versionByte = try byte()
        let version = versionByte == 0 ? 1 : Int(versionByte) - 0x30
        guard version >= 1, version <= 9 else { throw ZoneRules.Invalid(reason: "unknown TZif version") }
        try skip(15)
        var counts: [Int] = []
        for _ in 0..<6 {
            let count = try signed(4)
            // Real files hold a few thousand entries at most.
            guard count >= 0, count < 1 << 20 else { throw ZoneRules.Invalid(reason: "bad counts") }
            counts.append(Int(count))
        }
        return TZifHeader(
            version: version, utLocalCount: counts[0], stdWallCount: counts[1], leapCount: counts[2], timeCount: counts[3],
            typeCount: counts[4], charCount: counts[5])
    }
}

/// A POSIX TZ rule with RFC 8536's extensions: standard time, and optionally daylight time
/// with the two dates and times that start and end it each year.
struct PosixRule: Sendable, Equatable {
    /// A day of the year on which a change happens.
    enum Day: Sendable, Equatable {
        /// `Jn`: day 1–365, February 29 never counted.
        case julian(Int)
        /// `n`: day 0–365, February 29 counted in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (1–5, 5 = the last) of month m.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Change: Sendable, Equatable {
        var day: Day
        /// Seconds after local midnight; may be negative or past 24 hours (RFC 8536 §3.3.1).
        var time: Int
    }

    /// Seconds east of UTC.
    var standardOffset: Int
    var daylightOffset: Int?
    var start: Change?
    var end: Change?

    init?(_ text: String) {
        var scanner = PosixScanner(Array(text.utf8))
        guard scanner.name(), let standard = scanner.offset() else { return nil }
        standardOffset = -standard
        if scanner.atEnd { return }
        guard scanner.name() else { return nil }
        if let daylight = scanner.offset() { daylightOffset = -daylight } else { daylightOffset = standardOffset + 3600 }
        // Without dates POSIX leaves the rule to the implementation; tzdata footers always have them.
        guard scanner.take(0x2C), let start = scanner.change(), scanner.take(0x2C), let end = scanner.change(), scanner.atEnd else { return nil }
        self.start = start
        self.end = end
    }

    func offset(at instant: Int64) -> Int {
        guard let daylightOffset, let start, let end else { return standardOffset }
        // The year as local standard time sees it; a change never sits far from its own year.
        let year = CivilDate.fromDays(floorDiv(instant + Int64(standardOffset), 86400)).year
        let startsAt = Self.instant(of: start, year: year, offsetBefore: standardOffset)
        let endsAt = Self.instant(of: end, year: year, offsetBefore: daylightOffset)
        let inDaylight = startsAt < endsAt ? (instant >= startsAt && instant < endsAt) : !(instant >= endsAt && instant < startsAt)
        return inDaylight ? daylightOffset : standardOffset
    }

    /// The UTC instant of a change in `year`, whose local time is read in the offset before it.
    static func instant(of change: Change, year: Int, offsetBefore: Int) -> Int64 {
        let days: Int
        switch change.day {
        case .julian(let n):
            // Day n of a year without February 29.
            days = CivilDate.toDays(year: year, month: 1, day: 1) + n - 1 + (CivilDate.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            days = CivilDate.toDays(year: year, month: 1, day: 1) + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate.toDays(year: year, month: month, day: 1)
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = Int(floorMod(Int64(first) + 4, 7))
            var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilDate.daysIn(month: month, year: year)
            while day > length { day -= 7 }
            days = first + day - 1
        }
        return Int64(days) * 86400 + Int64(change.time) - Int64(offsetBefore)
    }
}

/// Reads the pieces of a POSIX TZ string.
private struct PosixScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { position == bytes.count }
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// A zone abbreviation: three or more letters, or `<…>` quoted (`<+03>`).
    mutating func name() -> Bool {
        if take(0x3C) {
            let start = position
            while let byte = current, byte != 0x3E { position += 1 }
            let length = position - start
            return take(0x3E) && length >= 3
        }
        let start = position
        while let byte = current, (byte | 0x20) >= 0x61, (byte | 0x20) <= 0x7A { position += 1 }
        return position - start >= 3
    }

    mutating func number() -> Int? {
        let start = position
        var value = 0
        while let byte = current, byte >= 0x30, byte <= 0x39, position - start < 4 {
            value = value * 10 + Int(byte - 0x30)
            position += 1
        }
        return position > start ? value : nil
    }

    /// `[+|-]hh[:mm[:ss]]` as seconds; hours up to 167 (RFC 8536's extension).
    mutating func offset() -> Int? {
        var sign = 1
        if take(0x2D) { sign = -1 } else { _ = take(0x2B) }
        guard let hours = number(), hours <= 167 else { return nil }
        var seconds = hours * 3600
        if take(0x3A) {
            guard let minutes = number(), minutes < 60 else { return nil }
            seconds += minutes * 60
            if take(0x3A) {
                guard let secs = number(), secs < 60 else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    mutating func change() -> PosixRule.Change? {
        let day: PosixRule.Day
        if take(0x4A) {
            guard let n = number(), n >= 1, n <= 365 else { return nil }
            day = .julian(n)
        } else if take(0x4D) {
            guard let month = number(), (1...12).contains(month), take(0x2E), let week = number(), (1...5).contains(week), take(0x2E),
                  let weekday = number(), (0...6).contains(weekday)
            else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else {
            guard let n = number(), n <= 365 else { return nil }
            day = .zeroBased(n)
        }
        var time = 7200
        if take(0x2F) {
            guard let value = offset() else { return nil }
            time = value
        }
        return PosixRule.Change(day: day, time: time)
    }
}

/// Proleptic Gregorian dates as days since 1970-01-01 (RFC3339 owns the arithmetic).
enum CivilDate {
    static func isLeap(_ year: Int) -> Bool { daysIn(month: 2, year: year) == 29 }
    static func daysIn(month: Int, year: Int) -> Int { RFC3339.daysIn(month: month, year: year) }
    static func toDays(year: Int, month: Int, day: Int) -> Int { RFC3339.daysFromCivil(year: year, month: month, day: day) }
    static func fromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) { RFC3339.civilFromDays(days) }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    a - floorDiv(a, b) * b
}

extension ZoneRules {
    /// The local calendar date of `instant` (seconds since 1970, UTC), and its weekday (0 = Sunday).
    public func localDate(of instant: Int64) -> (year: Int, month: Int, day: Int, weekday: Int) {
        let days = floorDiv(instant + Int64(offset(at: instant)), 86400)
        let date = CivilDate.fromDays(days)
        return (date.year, date.month, date.day, Int(floorMod(days + 4, 7)))
    }

    /// The instant at which the local wall-clock time `localSeconds` (seconds since 1970 as if
    /// local time were UTC) occurs. In a gap (spring forward) it is the instant the offset
    /// before the gap would give; in an overlap, the earlier of the two.
    public func instant(ofLocal localSeconds: Int64) -> Int64 {
        let before = localSeconds - Int64(offset(at: localSeconds - 86400))
        if Int64(offset(at: before)) + before == localSeconds { return before }
        let after = localSeconds - Int64(offset(at: localSeconds + 86400))
        if Int64(offset(at: after)) + after == localSeconds { return min(before, after) }
        return before
    }

    /// `count` business days after `instant`: Saturdays and Sundays in this zone are skipped, and
    /// the local time of day is kept (so across a DST change the UTC instant moves by the shift).
    /// A start on a weekend counts from the Monday after.
    /// `holidays` are local dates as days since 1970-01-01, skipped as weekends are.
    public func addingBusinessDays(_ count: Int, to instant: Int64, holidays: Set<Int64> = []) -> Int64 {
        let local = instant + Int64(offset(at: instant))
        var days = floorDiv(local, 86400)
        let timeOfDay = local - days * 86400
        var remaining = max(0, count)
        while remaining > 0 {
            days += 1
            let weekday = floorMod(days + 4, 7)
            if weekday != 0 && weekday != 6 && !holidays.contains(days) { remaining -= 1 }
        }
        return self.instant(ofLocal: days * 86400 + timeOfDay)
    }

    /// The instant local midnight starts the given date (or the first instant of the day, when
    /// midnight falls in a gap).
    public func startOfDay(year: Int, month: Int, day: Int) -> Int64 {
        instant(ofLocal: Int64(CivilDate.toDays(year: year, month: month, day: day)) * 86400)
    }
}
