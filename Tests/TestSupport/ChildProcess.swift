import CTestShims
import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run (the built `foothold`, python3), started with posix_spawn.
///
/// Not Foundation's `Process`: before it spawns, `Process.run()` lists /proc/self/fd to find
/// the highest descriptor and copies each directory entry's name as a fixed 256 bytes, past
/// the end of readdir's buffer when the entry is the buffer's last. AddressSanitizer reports
/// it as a heap-buffer-overflow in `findMaximumOpenFromProcSelfFD`; without it, the suite
/// crashed in CI once (SIGSEGV in memcpy, on the entry "1360") while parallel tests held
/// that many descriptors open.
public final class ChildProcess: @unchecked Sendable {
    /// What becomes of a standard stream of the child.
    public enum Stream: Sendable {
        /// A pipe this process reads to the end on a thread of its own.
        case collect
        /// /dev/null.
        case discard
    }

    public let pid: pid_t
    /// The child's standard output and error, when collected.
    public let standardOutput: OutputCollector?
    public let standardError: OutputCollector?
    /// The write end of the child's standard input, when `input` was asked for; -1 once closed.
    private let input = Lock<Int32>(-1)
    /// Once reaped: the exit code, or 128 + the signal that ended it (as a shell reports it).
    private let reaped = Lock<Int32?>(nil)

    /// Starts `executable` (an absolute path) with `arguments`, in `directory` (nil: this
    /// process's), with this process's environment. The child gets standard input from a
    /// pipe when `input` is true (else /dev/null), no other descriptor of this process, and
    /// every signal at its default.
    public init(
        _ executable: String, _ arguments: [String], in directory: String? = nil, input wantsInput: Bool = false,
        standardOutput: Stream = .collect, standardError: Stream = .collect
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // Every pipe end is close-on-exec, so a child another test spawns meanwhile cannot
        // hold one open (the reader would then wait for that child to end for its EOF).
        var parentEnds: [Int32] = [], childEnds: [Int32] = []
        defer { childEnds.forEach { _ = close($0) } }
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard foothold_test_pipe_cloexec(&fds) == 0 else {
                parentEnds.forEach { _ = close($0) }
                throw ClientError("pipe2: errno \(errno)")
            }
            return (fds[0], fds[1])
        }
        var stdinWrite: Int32 = -1, stdoutRead: Int32 = -1, stderrRead: Int32 = -1
        if wantsInput {
            let ends = try pipeEnds()
            stdinWrite = ends.write
            parentEnds.append(ends.write)
            childEnds.append(ends.read)
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for (stream, target) in [(standardOutput, Int32(1)), (standardError, Int32(2))] {
            switch stream {
            case .collect:
                let ends = try pipeEnds()
                if target == 1 { stdoutRead = ends.read } else { stderrRead = ends.read }
                parentEnds.append(ends.read)
                childEnds.append(ends.write)
                posix_spawn_file_actions_adddup2(&actions, ends.write, target)
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        // The test process holds sockets and databases for many tests at once; none of them
        // is the child's business, close-on-exec or not.
        foothold_test_spawn_closefrom(&actions, 3)
        if let directory { foothold_test_spawn_chdir(&actions, directory) }

        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            parentEnds.forEach { _ = close($0) }
            throw ClientError("could not start \(executable): errno \(code)")
        }
        pid = child
        input.withLock { $0 = stdinWrite }
        self.standardOutput = stdoutRead >= 0 ? OutputCollector(reading: stdoutRead) : nil
        self.standardError = stderrRead >= 0 ? OutputCollector(reading: stderrRead) : nil
    }

    deinit {
        closeInput()
        // A child left running by a test that failed early is ended and reaped, not orphaned.
        if isRunning {
            Glibc.kill(pid, SIGKILL)
            _ = wait(within: 10)
        }
    }

    /// Writes all of `text` to the child's standard input; throws (EPIPE) if the child no
    /// longer reads it.
    public func write(_ text: String) throws {
        // A write to a pipe nobody reads raises SIGPIPE, whose default ends the whole test
        // run; ignored, the write fails with EPIPE instead. Children get every signal back at
        // its default (`setsigdefault` above).
        _ = Self.pipeSignalIgnored
        let fd = input.withLock { $0 }
        guard fd >= 0 else { throw ClientError("the child's standard input is not a pipe, or is closed") }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ClientError("writing to the child: errno \(errno)")
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Closes the child's standard input: it reads EOF.
    public func closeInput() {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Reaps the child if it has ended; true while it runs.
    public var isRunning: Bool {
        reaped.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = Self.decode(raw)
                return false
            }
            return result == 0 || (result < 0 && errno == EINTR)
        }
    }

    /// The exit status once the child has ended (see `reaped`); nil while it runs.
    public var status: Int32? {
        _ = isRunning
        return reaped.withLock { $0 }
    }

    /// Sends SIGTERM.
    public func terminate() {
        if isRunning { Glibc.kill(pid, SIGTERM) }
    }

    /// Waits at most `seconds` for the child to end; its status, or nil if it still runs.
    public func wait(within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            if Date() >= deadline { return nil }
            usleep(2_000)
        }
        return status
    }

    /// Waits at most `seconds` for the child to end, then SIGKILLs and reaps it. Returns
    /// whether it ended within the time.
    @discardableResult
    public func awaitExit(within seconds: Double) -> Bool {
        if wait(within: seconds) != nil { return true }
        Glibc.kill(pid, SIGKILL)
        _ = wait(within: 30)
        return false
    }

    private static let pipeSignalIgnored: Bool = {
        _ = signal(SIGPIPE, SIG_IGN)
        return true
    }()

    private static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        // WIFEXITED: no signal; the code is the second byte.
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}

/// Collects everything a descriptor delivers, on a thread of its own, so no read blocks the
/// test; owns the descriptor and closes it at EOF.
public final class OutputCollector: @unchecked Sendable {
    private let bytes = Lock<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)

    init(reading fd: Int32) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                bytes.withLock { $0.append(contentsOf: buffer[..<count]) }
            }
            close(fd)
            done.signal()
        }
    }

    /// What has arrived so far.
    public var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits (bounded) for EOF and returns the text.
    public func finish(within seconds: Double = 10) -> String {
        // Signalled again at once, so a second caller does not wait out its time.
        if done.wait(timeout: .now() + seconds) == .success { done.signal() }
        return text
    }
}
