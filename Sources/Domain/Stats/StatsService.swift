#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// `GET /stats`: how the search is going over a period (docs/product.md "Across the steps").
public struct Stats: Sendable {
    /// Counts of each funnel stage reached in the period.
    public struct Funnel: Sendable, Equatable {
        /// Contacts found (identified_at) in the period, or reaching a later stage in it.
        public var identified: Int
        /// Contacts first written to or first met in the period.
        public var contacted: Int
        /// Contacts first met (a completed meeting) in the period.
        public var met: Int
        /// Referrals received.
        public var referred: Int
        /// Leads found.
        public var leads: Int
    }

    public struct Outreach: Sendable, Equatable {
        public var sent: Int
        public var replied: Int
        public var medianDaysToReply: Double?
        public var replyRate: Double? { sent == 0 ? nil : Double(replied) / Double(sent) }
    }

    public var from: Date?
    public var to: Date?
    public var funnel: Funnel
    public var outreach: Outreach
    public var completedMeetings: Int
    public var referralsFromMeetings: Int
    /// ISO week ("2026-W48") and contacts found (identified_at) in it, in the user's zone, oldest first.
    public var newContactsPerWeek: [(week: String, count: Int)]
    /// Source (nil: not recorded) and contacts added with it, most first.
    public var contactsBySource: [(source: String?, count: Int)]
    public var thankYouWithin24Hours: Int

    /// `b / a`, nil when nothing reached `a`.
    public static func rate(_ part: Int, of whole: Int) -> Double? {
        whole == 0 ? nil : (Double(part) / Double(whole) * 1000).rounded() / 1000
    }
}

/// Computes `Stats` from what is stored; a read over the period's rows.
public final class StatsService: Sendable {
    let storage: Storage

    public init(storage: Storage) {
        self.storage = storage
    }

    public func stats(userID: Int64, from: Date?, to: Date?) throws -> Stats {
        let low = from ?? Date(timeIntervalSince1970: -62_135_596_800)
        let high = to ?? Date(timeIntervalSince1970: 253_402_300_799)
        return try storage.read { connection in
            let zone = try ZoneCache.rules(connection, userID: userID)
            let reader = StatsReader(connection: connection, userID: userID, low: low, high: high)

            // Stages nest: each counts the contacts that reached it, or a later one, in the period,
            // so no rate passes 1. A contact reaches "contacted" with its first outbound message or
            // its first completed meeting, whichever came first (met without a message is contacted too).
            func within(_ date: Date?) -> Bool {
                guard let date else { return false }
                return (from.map { date >= $0 } ?? true) && (to.map { date < $0 } ?? true)
            }
            let firstWritten = try reader.firstWritten()
            let firstMet = try reader.firstMet()
            var identified = 0, contacted = 0, met = 0
            var weeks: [String: Int] = [:]
            var sources: [String?: Int] = [:]
            try reader.contacts { id, found, source in
                let metAt = firstMet[id]
                let contactedAt = [firstWritten[id], metAt].compactMap { $0 }.min()
                let metIn = within(metAt)
                let contactedIn = metIn || within(contactedAt)
                if metIn { met += 1 }
                if contactedIn { contacted += 1 }
                if contactedIn || within(found) { identified += 1 }
                // New contacts: counted by when they were found.
                if within(found), let found {
                    weeks[ISOWeek.of(found, zone: zone), default: 0] += 1
                    sources[source, default: 0] += 1
                }
            }
            let funnel = Stats.Funnel(
                identified: identified, contacted: contacted, met: met,
                referred: try reader.count(.referrals), leads: try reader.count(.leads))

            // A message is answered by the contact's first reply after it, before the next message to them.
            var sent = 0
            var delays: [Double] = []
            var lastContact: Int64 = -1
            var open: Date?
            var openCounts = false
            try reader.threads { contact, outbound, at in
                if contact != lastContact {
                    lastContact = contact
                    open = nil
                }
                if outbound {
                    let inPeriod = (from.map { at >= $0 } ?? true) && (to.map { at < $0 } ?? true)
                    if inPeriod { sent += 1 }
                    open = at
                    openCounts = inPeriod
                } else if let since = open {
                    if openCounts { delays.append(at.timeIntervalSince(since) / 86400) }
                    open = nil
                }
            }
            delays.sort()
            var median: Double?
            if !delays.isEmpty {
                let middle = delays.count / 2
                let value = delays.count % 2 == 1 ? delays[middle] : (delays[middle - 1] + delays[middle]) / 2
                median = (value * 100).rounded() / 100
            }

            let completed = try reader.count(.completedMeetings)
            let fromMeetings = try reader.count(.referralsFromMeetings)
            let thanked = try reader.count(.thankedWithinADay)

            return Stats(
                from: from, to: to, funnel: funnel, outreach: Stats.Outreach(sent: sent, replied: delays.count, medianDaysToReply: median),
                completedMeetings: completed, referralsFromMeetings: fromMeetings,
                newContactsPerWeek: weeks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                contactsBySource: sources.sorted { a, b in
                    // Most first; ties by name, the unrecorded last.
                    if a.value != b.value { return a.value > b.value }
                    guard let x = a.key else { return false }
                    guard let y = b.key else { return true }
                    return x < y
                }.map { ($0.key, $0.value) },
                thankYouWithin24Hours: thanked)
        }
    }
}

/// ISO 8601 week names ("2026-W48"), Monday to Sunday, in a zone.
enum ISOWeek {
    static func of(_ date: Date, zone: ZoneRules) -> String {
        let local = zone.localDate(of: Int64(date.timeIntervalSince1970.rounded(.down)))
        let days = RFC3339.daysFromCivil(year: local.year, month: local.month, day: local.day)
        let isoWeekday = local.weekday == 0 ? 7 : local.weekday
        // The week belongs to the year of its Thursday.
        let thursday = days + (4 - isoWeekday)
        let year = RFC3339.civilFromDays(Int64(thursday)).year
        let week = (thursday - RFC3339.daysFromCivil(year: year, month: 1, day: 1)) / 7 + 1
        return "\(year)-W" + (week < 10 ? "0" : "") + "\(week)"
    }
}
