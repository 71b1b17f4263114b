import Foundation

/// Single key presses: raw mode on a terminal (restored on exit), plain bytes otherwise.
final class KeyReader {
    private var saved: termios?

    init() {
        guard isatty(0) == 1 else { return }
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return }
        saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        _ = tcsetattr(0, TCSANOW, &settings)
    }

    /// The next key, or nil at the end of input.
    func next() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            fflush(nil)
            guard read(0, &byte, 1) == 1 else { return nil }
            // Without a terminal, whitespace separates scripted keys.
            if saved == nil && (byte == 10 || byte == 13 || byte == 32 || byte == 9) { continue }
            return byte
        }
    }

    /// Puts the terminal back as it was.
    func restore() {
        guard var settings = saved else { return }
        _ = tcsetattr(0, TCSANOW, &settings)
        saved = nil
    }
}
