#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// A day of the week as `PATCH /me {"digest": {"days": [...]}}` names it.
public enum Weekday: String, Sendable, CaseIterable {
    case mon, tue, wed, thu, fri, sat, sun

    /// As `ZoneRules.localDate` numbers weekdays: 0 is Sunday.
    var number: Int {
        switch self {
        case .sun: 0
        case .mon: 1
        case .tue: 2
        case .wed: 3
        case .thu: 4
        case .fri: 5
        case .sat: 6
        }
    }
}

/// A user's morning digest: where it goes, when (local time in the user's zone), on which
/// days, and whether it goes out on a day with nothing due.
public struct DigestSettings: Sendable, Equatable {
    public var email: String
    /// "HH:MM", 24-hour.
    public var at: String
    /// In week order, Monday first.
    public var days: [Weekday]
    public var sendWhenEmpty: Bool
    /// Nothing is sent to the address (but its confirmation) until the link in that was followed.
    public var confirmed: Bool
    /// When the next digest is due to be queued; nil until the address is confirmed.
    public var nextAt: Date?
}

/// The members of `"digest"` in `PATCH /me`, merged into what is set (a first digest needs
/// `email` and `at`; `days` defaults to Monday to Friday).
public struct DigestDraft: Sendable, Equatable {
    public var email: Patch<String> = .absent
    public var at: Patch<String> = .absent
    public var days: Patch<[String]> = .absent
    public var sendWhenEmpty: Patch<Bool> = .absent

    public init() {}
}

/// How mail leaves the server; the `foothold` binary gives one when `--smtp-url` is set.
public protocol MailTransport: Sendable {
    /// The sender's address (`--smtp-from`).
    var from: String { get }
    /// Hands one whole message to the relay.
    func send(to recipient: String, message: [UInt8]) throws(MailFailure)
}

/// Why a message was not handed over: a temporary failure left it certainly unsent (no
/// connection, a 4xx reply), so it may be tried again; a permanent one is never retried.
public enum MailFailure: Error, Sendable, Equatable {
    case temporary(String)
    case permanent(String)
}

/// The rules of a digest's settings and schedule.
enum DigestRules {
    static let defaultDays: [Weekday] = [.mon, .tue, .wed, .thu, .fri]

    /// "07:30" → minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...23).contains(hours), (0...59).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }

    /// The settings a draft makes of the current ones (nil: none yet), checked.
    static func apply(_ draft: DigestDraft, to current: DigestSettings?) throws(DomainError) -> DigestSettings {
        var validator = Validator()
        let email = draft.email.applied(to: current?.email)
        if case .null = draft.email {
            validator.add("digest.email", "cannot be null; send \"digest\": null to turn the digest off")
        } else if email == nil {
            validator.add("digest.email", "is required: where the digest goes")
        }
        if let email {
            _ = validator.required("digest.email", email, maxLength: 254)
            if email.contains(where: { $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" }) {
                validator.add("digest.email", "must be one plain address like name@example.com")
            } else {
                validator.email("digest.email", email)
            }
        }
        let at = draft.at.applied(to: current?.at)
        if at == nil { validator.add("digest.at", "is required: the local time to send it, like \"07:30\"") }
        if let at, minutes(at) == nil { validator.add("digest.at", "must be a time like \"07:30\" (24-hour, your time zone)") }
        var days = current?.days ?? defaultDays
        switch draft.days {
        case .absent: break
        case .null: validator.add("digest.days", "cannot be null; name at least one day")
        case .value(let names):
            let parsed = names.map { Weekday(rawValue: $0.lowercased()) }
            if parsed.contains(where: { $0 == nil }) || names.isEmpty {
                validator.add("digest.days", "must name at least one of mon, tue, wed, thu, fri, sat, sun")
            } else {
                let chosen = Set(parsed.compactMap { $0 })
                days = Weekday.allCases.filter { chosen.contains($0) }
            }
        }
        if case .null = draft.sendWhenEmpty { validator.add("digest.send_when_empty", "cannot be null") }
        try validator.finish()
        let address = email ?? ""
        let sameAddress = current.map { NameKey.key($0.email) == NameKey.key(address) } ?? false
        return DigestSettings(
            email: address, at: at ?? "", days: days, sendWhenEmpty: draft.sendWhenEmpty.applied(to: current?.sendWhenEmpty) ?? false,
            confirmed: sameAddress && (current?.confirmed ?? false), nextAt: nil)
    }

    /// The first instant at or after `after` that is `at` local time on one of `days` in `zone`.
    static func next(after: Date, at text: String, days: [Weekday], zone: ZoneRules) -> Date? {
        guard let minutes = minutes(text), !days.isEmpty else { return nil }
        let numbers = Set(days.map(\.number))
        let start = Int64(after.timeIntervalSince1970.rounded(.up))
        let today = zone.localDate(of: start)
        let first = Int64(RFC3339.daysFromCivil(year: today.year, month: today.month, day: today.day))
        for offset in 0...7 {
            let day = first + Int64(offset)
            guard numbers.contains(Int(((day + 4) % 7 + 7) % 7)) else { continue }
            let instant = zone.instant(ofLocal: day * 86400 + Int64(minutes) * 60)
            if instant >= start { return Date(timeIntervalSince1970: Double(instant)) }
        }
        return nil
    }

    /// The last scheduled time from `start` (itself one) up to `now`.
    static func latest(from start: Date, notAfter now: Date, at text: String, days: [Weekday], zone: ZoneRules) -> Date {
        // Nothing before the last eight days can be today's.
        var latest = max(start, now.addingTimeInterval(-8 * 86400))
        while let next = next(after: latest.addingTimeInterval(1), at: text, days: days, zone: zone), next <= now {
            latest = next
        }
        return latest
    }

    /// The local date (YYYY-MM-DD) of an instant in `zone`.
    static func localDay(_ date: Date, zone: ZoneRules) -> String {
        let local = zone.localDate(of: Int64(date.timeIntervalSince1970.rounded(.down)))
        return LocalDay.format((local.year, local.month, local.day))
    }
}

/// One message as it will be sent: what `GET /me/digest/preview` answers.
public struct DigestMessage: Sendable, Equatable {
    public var to: String?
    public var subject: String
    public var text: String
    public var html: String
    /// Items due today or overdue.
    public var dueCount: Int
    /// Whether a scheduled digest would go out today: something is due, or the user asked
    /// for it on empty days.
    public var wouldSend: Bool
}

/// RFC 5322 / RFC 2045 text of a message with a plain and an HTML part.
enum MIMEMessage {
    static func build(from: String, to: String, subject: String, text: String, html: String, date: Date, id: String) -> [UInt8] {
        let boundary = "foothold-" + id.filter { $0.isLetter || $0.isNumber }
        var out = ""
        out += "From: Foothold <\(from)>\r\n"
        out += "To: <\(to)>\r\n"
        out += "Subject: \(encodedWord(subject))\r\n"
        out += "Date: \(rfc5322Date(date))\r\n"
        out += "Message-ID: <\(id)@\(from.split(separator: "@").last.map(String.init) ?? "foothold")>\r\n"
        out += "MIME-Version: 1.0\r\n"
        out += "Auto-Submitted: auto-generated\r\n"
        out += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += "--\(boundary)\r\n"
            out += "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            out += base64Lines(Array(body.utf8))
        }
        out += "--\(boundary)--\r\n"
        return Array(out.utf8)
    }

    /// A header value: as it is when printable ASCII, else an RFC 2047 encoded word.
    static func encodedWord(_ text: String) -> String {
        let clean = text.map { $0 == "\r" || $0 == "\n" ? " " : String($0) }.joined()
        if clean.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return clean }
        return "=?UTF-8?B?" + Data(clean.utf8).base64EncodedString() + "?="
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out = ""
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out += String(decoding: encoded[index..<end], as: UTF8.self) + "\r\n"
            index = end
        }
        return out
    }

    static func rfc5322Date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let civil = RFC3339.civilFromDays(days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][civil.month - 1]
        let time = seconds - days * 86400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(civil.day) \(month) \(civil.year) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }
}
