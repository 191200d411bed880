#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Primitives

/// Reads what `GET /focus` compares (FocusReader) on one snapshot and hands it to the rules.
///
/// The report reads every meeting, message and referral of the account, so it costs what the
/// account holds; a person reloading it, or a coach reading along, gets the last one computed
/// while nothing has been written since and the minute has not turned (pace and days since a
/// touch move with the clock). A write by another process on the same file shows within that
/// minute.
public final class FocusService: Sendable {
    let storage: Storage
    let clock: any Clock

    private struct Kept {
        var commits: Int
        var minute: Int64
        var interestIDs: [Int64]
        var report: FocusReport
    }

    /// The last report per account; emptied when it reaches `keptLimit` accounts.
    private let kept = Lock<[Int64: Kept]>([:])
    static let keptLimit = 1024

    /// A report being computed: requests that want the same one wait for it rather than
    /// computing it again, so a burst of reloads (or the minute turning) costs one read.
    private final class Flight: Sendable {
        let key: Kept
        let group = DispatchGroup()
        let result = Lock<Result<FocusReport, any Error>?>(nil)

        init(key: Kept) {
            self.key = key
        }
    }

    private let flights = Lock<[Int64: Flight]>([:])

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// Every area of the account, or those in `interestIDs` (an id that is not one of the
    /// account's areas is not found).
    public func report(userID: Int64, interestIDs: [Int64] = []) throws -> FocusReport {
        let now = clock.now()
        let minute = Int64((now.timeIntervalSince1970 / 60).rounded(.down))
        // Read before the snapshot opens: a commit that lands in between is in the snapshot but
        // moves the count, so the report is computed again next time, never kept too long.
        let commits = storage.commitCount
        func same(_ other: Kept) -> Bool { other.commits == commits && other.minute == minute && other.interestIDs == interestIDs }
        if let last = kept.withLock({ $0[userID] }), same(last) {
            return last.report
        }
        let key = Kept(commits: commits, minute: minute, interestIDs: interestIDs, report: FocusReport(asOf: now, areas: []))
        let (flight, leads) = flights.withLock { flights -> (Flight, Bool) in
            if let running = flights[userID], same(running.key) { return (running, false) }
            let flight = Flight(key: key)
            flight.group.enter()
            // A flight for other parameters is left to finish; it is no longer found here.
            flights[userID] = flight
            return (flight, true)
        }
        guard leads else {
            flight.group.wait()
            guard let result = flight.result.withLock({ $0 }) else { throw DomainError.busy }
            return try result.get()
        }
        let result = Result { try compute(userID: userID, interestIDs: interestIDs, now: now) }
        if case .success(let report) = result {
            kept.withLock { kept in
                if kept.count >= Self.keptLimit { kept.removeAll(keepingCapacity: true) }
                kept[userID] = Kept(commits: commits, minute: minute, interestIDs: interestIDs, report: report)
            }
        }
        flight.result.withLock { $0 = result }
        flights.withLock { flights in
            if flights[userID] === flight { flights[userID] = nil }
        }
        flight.group.leave()
        return try result.get()
    }

    private func compute(userID: Int64, interestIDs: [Int64], now: Date) throws -> FocusReport {
        try storage.read { connection in
            let reader = FocusReader(connection: connection, userID: userID)
            var facts = try reader.areas(only: interestIDs)
            guard !facts.isEmpty else { return FocusReport(asOf: now, areas: []) }
            try reader.counts(.contacts) { area, counted in facts[area]?.contacts = counted.first }
            // The last touch: the latest message either way, or completed meeting.
            func touched(_ area: Int64, _ at: Date?) {
                guard let at, let before = facts[area]?.lastTouchAt ?? at as Date? else { return }
                facts[area]?.lastTouchAt = max(before, at)
            }
            try reader.counts(.meetings) { area, counted in
                facts[area]?.meetingsCompleted = counted.first
                facts[area]?.peopleMet = counted.second
                touched(area, counted.latest)
            }
            try reader.counts(.replies) { area, counted in
                facts[area]?.writtenTo = counted.first
                facts[area]?.replied = counted.second
                touched(area, counted.latest)
            }
            try reader.counts(.referrals) { area, counted in facts[area]?.referrals = counted.first }
            try reader.events { area, event in
                switch event.status {
                case .attended: facts[area]?.eventsAttended += 1
                case .interested, .registered:
                    if event.startsAt.map({ $0 >= now }) ?? true { facts[area]?.upcoming.append(event) }
                case .skipped: break
                }
            }
            try reader.leads { area, status in facts[area]?.leads[status, default: 0] += 1 }
            try reader.thankYous { area, thankYou in facts[area]?.thankYous.append(thankYou) }
            try reader.suggested { area, referral in facts[area]?.suggested.append(referral) }
            try reader.organizations { area, organization in facts[area]?.organizations.append(organization) }
            for id in Array(facts.keys) {
                let (skills, competencies) = try KnowledgeService.named(connection, userID: userID, interestID: id)
                facts[id]?.named = skills.map { ("skill", $0) } + competencies.map { ("competency", $0) }
                // Soonest first; an event without a date after every dated one.
                facts[id]?.upcoming.sort { a, b in
                    switch (a.startsAt, b.startsAt) {
                    case let (x?, y?): x != y ? x < y : a.id < b.id
                    case (.some, nil): true
                    case (nil, .some): false
                    case (nil, nil): a.id < b.id
                    }
                }
            }
            let zone = try ZoneCache.rules(connection, userID: userID)
            return FocusReport(asOf: now, areas: FocusRules.report(Array(facts.values), now: now, zone: zone))
        }
    }
}
