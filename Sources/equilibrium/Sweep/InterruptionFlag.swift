import Foundation

/// Whether SIGINT or SIGTERM arrived while a sweep runs. The handler only stores the signal
/// number (async-signal-safe); the pool polls it. A caught signal (unlike an ignored one) is
/// reset to its default in exec'd children, so each `train` child still dies on Ctrl-C.
struct InterruptionFlag {
    nonisolated(unsafe) private static var received: sig_atomic_t = 0

    static func install() -> InterruptionFlag {
        received = 0
        signal(SIGINT) { number in InterruptionFlag.received = number }
        signal(SIGTERM) { number in InterruptionFlag.received = number }
        return InterruptionFlag()
    }

    var isRaised: Bool { Self.received != 0 }
    var signalNumber: Int32 { Self.received }

    func uninstall() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
