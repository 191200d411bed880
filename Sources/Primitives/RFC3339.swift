/// Calendar arithmetic and RFC 3339 rendering with integers only: timestamps are written
/// for every stored row and every listed object, and `String(format:)` or `gmtime_r`
/// cost several times more than the whole conversion.
public enum RFC3339 {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01 (civil_from_days).
    public static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        return (year, month, day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS[.mmm]Z` for milliseconds since the epoch; false (and
    /// nothing appended) when the year falls outside 0000–9999.
    @discardableResult
    public static func append(millisecondsSince1970 total: Int64, fraction: Bool, to bytes: inout [UInt8]) -> Bool {
        let seconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        let millis = Int(total - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        let (year, month, day) = civilFromDays(days)
        guard (0...9999).contains(year) else { return false }
        func two(_ value: Int) {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + value / 10))
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
        }
        two(year / 100)
        two(year % 100)
        bytes.append(0x2D)
        two(month)
        bytes.append(0x2D)
        two(day)
        bytes.append(0x54)
        two(secondOfDay / 3600)
        bytes.append(0x3A)
        two(secondOfDay / 60 % 60)
        bytes.append(0x3A)
        two(secondOfDay % 60)
        if fraction {
            bytes.append(0x2E)
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + millis / 100))
            two(millis % 100)
        }
        bytes.append(0x5A)
        return true
    }
}
