#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// Reads configuration from environment variables; flags override them.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    static func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    static func double(_ name: String) -> Double? {
        string(name).flatMap { Double($0) }
    }
}

/// Prints to standard error.
func printError(_ message: String) {
    StandardError.writeLine(message)
}
