#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims

/// Starts detached POSIX threads.
///
/// Used instead of Foundation's `Thread` so the server links FoundationEssentials only:
/// full Foundation (with ICU) adds about 6 MB to the resident size of every process.
public enum SystemThread {
    /// Runs `body` on a new detached thread named `name` (Linux keeps the first 15 bytes).
    /// Returns false when the system refuses a thread.
    @discardableResult
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Body(name: name, run: body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
#if canImport(Glibc)
        var thread = pthread_t()
#else
        var thread: pthread_t?
#endif
        let result = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
            body.nameCurrentThread()
            body.run()
            return nil
        }, box.toOpaque())
        if result != 0 {
            box.release()
            // Only at startup or under resource exhaustion; said where an operator looks.
            StandardError.writeLine("foothold: cannot start thread \(name): error \(result)")
            return false
        }
        return true
    }

    private final class Body {
        let name: String
        let run: @Sendable () -> Void

        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }

        func nameCurrentThread() {
            foothold_name_thread(name)
        }
    }
}
