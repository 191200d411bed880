#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Primitives

/// The write end of the self-pipe; set once before the handlers are installed and only read
/// afterwards (by the signal handler, which may only make async-signal-safe calls).
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// SIGTERM and SIGINT delivered through a self-pipe. A real handler (not SIG_IGN, not a
/// Dispatch source) works whichever thread the kernel picks and whatever signal mask the
/// parent process left us: the mask is cleared for these signals first.
struct StopSignals {
    private let readEnd: Int32

    static func install() throws -> StopSignals {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        stopPipeWriteEnd = fds[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(stopPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGTERM, SIGINT] {
            sigaction(number, &action, nil)
            sigaddset(&unblock, number)
        }
        // A parent (a test runner, a supervisor) may have spawned us with them blocked.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        return StopSignals(readEnd: fds[0])
    }

    /// Calls `body` once, on a dedicated thread, when the first stop signal arrives.
    func onSignal(_ body: @escaping @Sendable () -> Void) {
        let fd = readEnd
        SystemThread.start(name: "foothold-signals") {
            var byte: UInt8 = 0
            while read(fd, &byte, 1) < 0 && errno == EINTR {}
            body()
        }
    }
}
